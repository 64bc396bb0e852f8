// Semantic IPC for agents: ask / multicast / negotiate / intents, sent to semantic-ipcd (found in the agent's
// namespace as 'semantic-ipcd') with call() (ipc/call.ts): one envelope, replies received in the agent's one
// inbox, other messages kept for onMessage in order. Trusts semantic-ipcd's replies as JSON only.

import { AiosError, type AgentId, type Handle } from '@aios/abi';
import { nsLookup } from '../kernel/stubs.gen.ts';
import { call } from './call.ts';

/** The namespace name of the service. */
export const SEMANTIC_IPCD = 'semantic-ipcd';
/** semantic-ipcd's default wait for a target; the caller waits this much longer for semantic-ipcd itself. */
export const DEFAULT_ASK_TIMEOUT_MS = 10_000;
export const REPLY_GRACE_MS = 2_000;

export interface AskOptions {
  /** How long the target may take (semantic-ipcd answers ETIMEDOUT after it); default 10 s. */
  timeoutMs?: number;
  /** The service handle (default: nsLookup('semantic-ipcd')). */
  service?: Handle;
}

/** One target of a multicast and what it answered. */
export interface MulticastResult {
  agent: AgentId;
  intent: string;
  score: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; detail?: Record<string, unknown> };
}

/** One bid of a negotiation (cheapest first). Award it with award(bid, payload). */
export interface BidOffer {
  agent: AgentId;
  intent: string;
  score: number;
  cost: number;
  timeMs?: number;
  bid: Record<string, unknown>;
}

/** A registered intent as semantic-ipcd lists it. */
export interface IntentRow {
  agent: AgentId;
  agentName: string;
  intent: string;
  description?: string;
  examples?: string[];
  input?: unknown;
  output?: unknown;
}


let service: Handle | undefined;

/** Sends one request to semantic-ipcd with call() and resolves with its result (rejects with its AiosError). */
async function request<T>(op: string, body: Record<string, unknown>, opts: AskOptions): Promise<T> {
  if (opts.timeoutMs !== undefined && (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1)) {
    throw new AiosError('EINVAL', 'timeoutMs must be a positive integer', { arg: 'timeoutMs' });
  }
  const svc = opts.service ?? (service ??= nsLookup(SEMANTIC_IPCD));
  const wait = (opts.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS) + REPLY_GRACE_MS;
  return call<T>(svc, { ...body, op, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) }, { timeoutMs: wait });
}

/**
 * Asks whoever serves `textOrIntent` (free text, routed by meaning, or an exact intent name) and resolves with
 * what its handler returned. ENOROUTE (detail.candidates) when nothing matches well enough, EINVAL when the
 * payload does not match the target's input schema, ETIMEDOUT when the target does not answer in time.
 */
export function ask<T = unknown>(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<T> {
  return request<T>('ask', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Delivers to every target above the threshold; resolves with each one's answer (errors included). */
export function multicast(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<MulticastResult[]> {
  return request<MulticastResult[]>('multicast', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Asks the candidates for bids (contract-net) and resolves with them, cheapest first; award one with award(). */
export function negotiate(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<BidOffer[]> {
  return request<BidOffer[]>('negotiate', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Sends the request to the bidder chosen from negotiate() (that agent, that intent). */
export function award<T = unknown>(bid: { agent: AgentId; intent: string }, payload?: unknown, opts: AskOptions & { text?: string } = {}): Promise<T> {
  return request<T>('ask', { intent: bid.intent, agent: bid.agent, ...(opts.text !== undefined ? { text: opts.text } : {}), ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Every registered intent. */
export function intents(opts: AskOptions = {}): Promise<IntentRow[]> {
  return request<IntentRow[]>('intents', {}, opts);
}
