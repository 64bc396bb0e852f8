// Context management for agents: a context window of messages with token accounting, recall of relevant memories
// (memoryd) into the window, and summarisation of old turns through the model device when the window is full.
// Token counts are estimates (words, numbers and punctuation marks, the model device's own offline estimate),
// corrected by the ratio the device reports in usage.promptTokens after each completion (calibrate()).
// The model, the recall and the clock are injectable so the window is tested without a node.

import { AiosError, type LlmMessage, type LlmResult } from '@aios/abi';
import { llmComplete, nsLookup } from '../kernel/stubs.gen.ts';
import { recall as memoryRecall } from '../memory/index.ts';

const PIECE = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
/** Overhead per message (role and separators), in tokens. */
const PER_MESSAGE = 4;

/** The raw estimate of a text (before calibration). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : (text.match(PIECE)?.length ?? 0);
}

export interface ContextOptions {
  /** The window's budget in tokens (what the model device may take as prompt). */
  maxTokens: number;
  /** A system prompt kept at the top, never summarised. */
  system?: string;
  /** Completion through the model device (default: cognitive complete()). */
  complete?: (messages: LlmMessage[], maxTokens: number) => Promise<LlmResult>;
  /** Memory recall (default: @aios/runtime/memory recall()). */
  recall?: (query: string, k: number) => Promise<Array<{ text: string; score: number }>>;
  /** When the window passes this share of maxTokens, old turns are summarised (default 0.8). */
  summariseAt?: number;
  /** Turns kept verbatim at the end when summarising (default 4). */
  keepTurns?: number;
}

export interface ContextWindow {
  /** The messages to send now (system, summary, recalled memories, turns). */
  messages(): LlmMessage[];
  /** Estimated prompt tokens of messages(), calibrated. */
  tokens(): number;
  /** Adds a turn; summarises old turns first when the window would pass its threshold. */
  add(role: LlmMessage['role'], content: string): Promise<void>;
  /** Recalls up to k memories relevant to `query` into the window (replacing the previous recall). */
  recall(query: string, k?: number): Promise<number>;
  /** Asks the model with the window, adds its answer as a turn, and calibrates the estimate. */
  ask(content: string, maxTokens?: number): Promise<string>;
  /** Corrects the estimate with the device's count of the same prompt. */
  calibrate(estimated: number, reported: number): void;
  readonly stats: { summaries: number; ratio: number };
}

export function contextWindow(opts: ContextOptions): ContextWindow {
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 64) throw new AiosError('EINVAL', 'maxTokens must be an integer of at least 64', { arg: 'maxTokens' });
  const complete = opts.complete ?? ((messages, maxTokens) => llmComplete(nsLookup('model'), { messages, maxTokens }));
  const recallFn = opts.recall ?? ((q, k) => memoryRecall(q, { k }));
  const threshold = Math.floor(opts.maxTokens * (opts.summariseAt ?? 0.8));
  const keep = Math.max(1, opts.keepTurns ?? 4);
  let turns: LlmMessage[] = [];
  let summary: string | null = null;
  let recalled: string[] = [];
  const stats = { summaries: 0, ratio: 1 };

  const count = (ms: LlmMessage[]): number => Math.ceil(ms.reduce((n, m) => n + PER_MESSAGE + estimateTokens(String(m.content)), 0) * stats.ratio);
  const messages = (): LlmMessage[] => {
    const out: LlmMessage[] = [];
    if (opts.system) out.push({ role: 'system', content: opts.system });
    if (summary !== null) out.push({ role: 'system', content: `Summary of the conversation so far: ${summary}` });
    if (recalled.length > 0) out.push({ role: 'system', content: `Relevant memories:\n${recalled.map((r) => `- ${r}`).join('\n')}` });
    return [...out, ...turns];
  };

  /** Folds every turn but the last `keep` into the summary, through the model device. */
  async function summarise(): Promise<void> {
    if (turns.length <= keep) return;
    const old = turns.slice(0, turns.length - keep);
    const text = old.map((m) => `${m.role}: ${String(m.content)}`).join('\n');
    const r = await complete([
      { role: 'system', content: 'Summarise this conversation in a few sentences, keeping facts, names, numbers and decisions.' },
      { role: 'user', content: `${summary !== null ? `Earlier summary: ${summary}\n` : ''}${text}` },
    ], Math.max(32, Math.floor(opts.maxTokens / 8)));
    summary = r.text.trim();
    turns = turns.slice(turns.length - keep);
    stats.summaries++;
  }

  const w: ContextWindow = {
    messages,
    tokens: () => count(messages()),
    stats,
    async add(role, content) {
      const next = count([...messages(), { role, content }]);
      if (next > threshold) await summarise();
      turns.push({ role, content });
      if (count(messages()) > opts.maxTokens) throw new AiosError('EMSGSIZE', 'the context window is full even after summarising', { tokens: count(messages()), max: opts.maxTokens });
    },
    async recall(query, k = 3) {
      const hits = await recallFn(query, k);
      recalled = hits.map((h) => h.text);
      while (recalled.length > 0 && count(messages()) > threshold) recalled.pop();
      return recalled.length;
    },
    async ask(content, maxTokens = 256) {
      await w.add('user', content);
      const ms = messages();
      const estimated = count(ms);
      const r = await complete(ms, maxTokens);
      w.calibrate(estimated, r.usage.promptTokens);
      await w.add('assistant', r.text);
      return r.text;
    },
    calibrate(estimated, reported) {
      if (estimated > 0 && reported > 0) stats.ratio = Math.min(4, Math.max(0.25, stats.ratio * (reported / estimated)));
    },
  };
  return w;
}
