// Simple token estimate of the offline driver: a word, a number or one punctuation mark
// is one token. Deterministic, no vocabulary; good enough for accounting in tests and demos.
import type { LlmMessage } from '@aios/abi';

const PIECE = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** Tokens of a text: count of words, numbers and punctuation marks. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  PIECE.lastIndex = 0;
  while (PIECE.exec(text) !== null) n++;
  return n;
}

/** Tokens of a prompt: each message's content plus 2 for its role and separator. */
export function estimatePromptTokens(messages: readonly LlmMessage[]): number {
  let n = 0;
  for (const m of messages) n += estimateTokens(m.content) + 2;
  return n;
}

/** Splits a text into words that keep their leading whitespace, so the pieces concatenate back to the text. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}
