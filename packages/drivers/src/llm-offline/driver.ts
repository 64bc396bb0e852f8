// The deterministic offline llm driver: NOT a language model. It answers by rule (echo,
// summary by first sentence, arithmetic) so tests and demos run with no backend and no network.
import { AiosError } from '@aios/abi';
import type { LlmChunk, LlmDriver, LlmFinishReason, LlmRequest, LlmResult, LlmUsage } from '@aios/abi';
import { answerByRule } from './rules.ts';
import { estimatePromptTokens, estimateTokens, splitWords } from './tokens.ts';

export const OFFLINE_MODEL = 'offline-rules-1';

/** Sleeps ms; must reject (or resolve early) when the signal aborts. Tests pass a fake. */
export type SleepPort = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface OfflineDriverOptions {
  /** Concurrent requests it claims to serve (default 4). */
  slots?: number;
  /** Simulated latency per token (prompt + completion), used only with `sleep`. Default 0. */
  msPerToken?: number;
  sleep?: SleepPort;
  /** Model name reported in results (default 'offline-rules-1'). */
  model?: string;
}

interface Planned {
  words: string[];
  finishReason: LlmFinishReason;
  promptTokens: number;
}

/** Creates the offline stand-in. Same request, same result; usage is the simple tokenizer's estimate. */
export function createOfflineDriver(opts: OfflineDriverOptions = {}): LlmDriver {
  const slots = opts.slots ?? 4;
  if (!Number.isInteger(slots) || slots < 1) throw new AiosError('EINVAL', 'slots must be a positive integer', { arg: 'slots', value: slots });
  const msPerToken = opts.msPerToken ?? 0;
  const model = opts.model ?? OFFLINE_MODEL;

  const wait = async (tokens: number, signal?: AbortSignal): Promise<void> => {
    checkAborted(signal);
    if (opts.sleep !== undefined && msPerToken > 0 && tokens > 0) await opts.sleep(tokens * msPerToken, signal);
    checkAborted(signal);
  };

  return {
    info: {
      name: 'llm-offline',
      version: '0.1.0',
      kind: 'llm',
      description: 'deterministic offline stand-in, NOT a language model: answers by rule (echo, summary by first sentence, simple arithmetic), for tests and demos',
    },
    slots,
    estimateTokens,

    async complete(req: LlmRequest, signal?: AbortSignal): Promise<LlmResult> {
      const p = plan(req);
      const text = p.words.join('');
      const usage: LlmUsage = { promptTokens: p.promptTokens, completionTokens: estimateTokens(text) };
      await wait(usage.promptTokens + usage.completionTokens, signal);
      return { text, usage, finishReason: p.finishReason, model: req.model ?? model };
    },

    async *stream(req: LlmRequest, signal?: AbortSignal): AsyncIterable<LlmChunk> {
      const p = plan(req);
      await wait(p.promptTokens, signal);
      let completionTokens = 0;
      for (const w of p.words) {
        const t = estimateTokens(w);
        await wait(t, signal);
        completionTokens += t;
        yield { delta: w };
      }
      yield { delta: '', done: true, finishReason: p.finishReason, usage: { promptTokens: p.promptTokens, completionTokens }, model: req.model ?? model };
    },
  };
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AiosError('ECANCELED', 'llm request canceled');
}

/** Decides the whole answer up front: rule, then stop sequences, then the maxTokens cut. */
function plan(req: LlmRequest): Planned {
  if (!Array.isArray(req?.messages) || req.messages.length === 0) throw new AiosError('EINVAL', 'messages must be a non-empty array', { arg: 'messages' });
  let lastUser = '';
  for (const m of req.messages) {
    if (typeof m?.content !== 'string') throw new AiosError('EINVAL', 'message content must be a string', { arg: 'messages' });
    if (m.role === 'user') lastUser = m.content;
  }
  let text = answerByRule(lastUser);
  let finishReason: LlmFinishReason = 'stop';
  for (const s of req.stop ?? []) {
    const at = s.length > 0 ? text.indexOf(s) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  let words = splitWords(text);
  if (req.maxTokens !== undefined) {
    let used = 0;
    const kept: string[] = [];
    for (const w of words) {
      const t = estimateTokens(w);
      if (used + t > req.maxTokens) { finishReason = 'length'; break; }
      used += t;
      kept.push(w);
    }
    words = kept;
  }
  return { words, finishReason, promptTokens: estimatePromptTokens(req.messages) };
}
