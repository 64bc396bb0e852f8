// Argument checks of the model syscalls: every bad request or option becomes EINVAL (EMSGSIZE
// for an oversized prompt) with detail naming the argument. Trusts nothing about its input.
import { AiosError } from '@aios/abi';
import type { AgentId, LlmBudget, LlmRequest, LlmSubmitOptions } from '@aios/abi';
import { LLM_MAX_COMPLETION_TOKENS, LLM_MAX_MESSAGES, LLM_MAX_PROMPT_CHARS, LLM_MAX_STOP } from './params.ts';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

const bad = (arg: string, message: string, extra: Record<string, unknown> = {}): AiosError =>
  new AiosError('EINVAL', message, { arg, ...extra });

export function checkAgentId(id: unknown): asserts id is AgentId {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw bad('agentId', 'agentId must be a non-negative integer');
}

/** Returns a clean copy of the request (only known fields), or throws. */
export function checkRequest(req: unknown): LlmRequest {
  if (typeof req !== 'object' || req === null) throw bad('req', 'request must be an object');
  const r = req as Record<string, unknown>;
  const msgs = r.messages;
  if (!Array.isArray(msgs) || msgs.length === 0) throw bad('messages', 'messages must be a non-empty array');
  if (msgs.length > LLM_MAX_MESSAGES) throw bad('messages', 'too many messages', { max: LLM_MAX_MESSAGES });
  let chars = 0;
  const messages = msgs.map((m: unknown, i) => {
    const mm = m as { role?: unknown; content?: unknown } | null;
    if (typeof mm !== 'object' || mm === null || typeof mm.role !== 'string' || !ROLES.has(mm.role)) throw bad(`messages[${i}].role`, 'role must be system, user, assistant or tool');
    if (typeof mm.content !== 'string') throw bad(`messages[${i}].content`, 'content must be a string');
    chars += mm.content.length;
    return { role: mm.role as LlmRequest['messages'][number]['role'], content: mm.content };
  });
  if (chars > LLM_MAX_PROMPT_CHARS) throw new AiosError('EMSGSIZE', 'prompt too large', { arg: 'messages', max: LLM_MAX_PROMPT_CHARS, size: chars });
  const out: LlmRequest = { messages };
  if (r.maxTokens !== undefined) {
    const n = r.maxTokens;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LLM_MAX_COMPLETION_TOKENS) throw bad('maxTokens', 'maxTokens must be an integer in 1..1000000', { value: n });
    out.maxTokens = n;
  }
  if (r.temperature !== undefined) {
    const t = r.temperature;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 2) throw bad('temperature', 'temperature must be a number in 0..2', { value: t });
    out.temperature = t;
  }
  if (r.model !== undefined) {
    if (typeof r.model !== 'string' || r.model === '' || r.model.length > 256) throw bad('model', 'model must be a non-empty string');
    out.model = r.model;
  }
  if (r.stop !== undefined) {
    const s = r.stop;
    if (!Array.isArray(s) || s.length > LLM_MAX_STOP || s.some((x) => typeof x !== 'string' || x === '')) throw bad('stop', 'stop must be at most 4 non-empty strings');
    out.stop = [...(s as string[])];
  }
  return out;
}

export function checkSubmitOptions(opts: unknown): LlmSubmitOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null) throw bad('opts', 'options must be an object');
  const o = opts as LlmSubmitOptions;
  if (o.weight !== undefined) checkWeight(o.weight);
  if (o.interactive !== undefined && typeof o.interactive !== 'boolean') throw bad('interactive', 'interactive must be a boolean');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw bad('signal', 'signal must be an AbortSignal');
  return o;
}

export function checkWeight(w: unknown): asserts w is number {
  if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w > 1e6) throw bad('weight', 'weight must be a positive number', { value: w });
}

export function checkBudget(b: unknown): LlmBudget {
  if (typeof b !== 'object' || b === null) throw bad('budget', 'budget must be an object');
  const o = b as Record<string, unknown>;
  const out: LlmBudget = {};
  for (const k of ['tokens', 'cost', 'periodMs'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k === 'periodMs' && v <= 0)) throw bad(`budget.${k}`, `budget.${k} must be a ${k === 'periodMs' ? 'positive' : 'non-negative'} number`, { value: v });
    out[k] = v;
  }
  return out;
}
