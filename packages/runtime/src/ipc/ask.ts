// Semantic IPC for agents: ask / multicast / negotiate / intents, sent to semantic-ipcd (found in the agent's
// namespace as 'semantic-ipcd') with call() (ipc/call.ts): one envelope, replies received in the agent's one
// inbox, other messages kept for onMessage in order. On a clustered node they span every node (semantic-ipcd
// routes to other nodes' intents through networkd; remote answers have the same shape, multicast results and
// bids from other nodes carry `node`). Trusts semantic-ipcd's replies as JSON only.

import {
  AiosError, SEMANTIC_IPCD as PROTOCOL, limits, type AgentId, type BidOffer, type Handle, type IntentRow, type MulticastResult, type OpName, type OpRequest,
  type OpResult,
} from '@aios/abi';
import { nsLookup } from '../kernel/stubs.gen.ts';
import { client } from './client.ts';

export type { MulticastResult, BidOffer, IntentRow } from '@aios/abi';

/** The namespace name of the service. */
export const SEMANTIC_IPCD = PROTOCOL.service;
/** semantic-ipcd's default wait for a target; the caller waits ASK_REPLY_GRACE_MS longer for semantic-ipcd itself. */
export const DEFAULT_ASK_TIMEOUT_MS = limits.ASK_TIMEOUT_MS;
export const REPLY_GRACE_MS = limits.ASK_REPLY_GRACE_MS;

export interface AskOptions {
  /** How long the target may take (semantic-ipcd answers ETIMEDOUT after it); default 10 s. */
  timeoutMs?: number;
  /** The service handle (default: nsLookup('semantic-ipcd')). */
  service?: Handle;
}

let service: Handle | undefined;

/** Sends one request to semantic-ipcd with the table's client() and resolves with its result (rejects with its AiosError). */
async function request<K extends OpName<typeof PROTOCOL>>(op: K, body: OpRequest<typeof PROTOCOL, K>, opts: AskOptions): Promise<OpResult<typeof PROTOCOL, K>> {
  if (opts.timeoutMs !== undefined && (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1)) {
    throw new AiosError('EINVAL', 'timeoutMs must be a positive integer', { arg: 'timeoutMs' });
  }
  const svc = opts.service ?? (service ??= nsLookup(SEMANTIC_IPCD));
  const wait = (opts.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS) + REPLY_GRACE_MS;
  return client(PROTOCOL, svc).call(op, { ...body, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) }, { timeoutMs: wait });
}

/**
 * Asks whoever serves `textOrIntent` (free text, routed by meaning, or an exact intent name) and resolves with
 * what its handler returned. ENOROUTE (detail.candidates) when nothing matches well enough, EINVAL when the
 * payload does not match the target's input schema, ETIMEDOUT when the target does not answer in time.
 */
export function ask<T = unknown>(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<T> {
  return request('ask', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts) as Promise<T>;
}

/** Delivers to every target above the threshold; resolves with each one's answer (errors included). */
export function multicast(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<MulticastResult[]> {
  return request('multicast', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Asks the candidates for bids (contract-net) and resolves with them, cheapest first; award one with award(). */
export function negotiate(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<BidOffer[]> {
  return request('negotiate', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Sends the request to the bidder chosen from negotiate() (that agent, that intent, on its node when remote). */
export function award<T = unknown>(bid: { agent: AgentId; intent: string; node?: string }, payload?: unknown, opts: AskOptions & { text?: string } = {}): Promise<T> {
  return request('ask', { intent: bid.intent, agent: bid.agent, ...(bid.node !== undefined ? { node: bid.node } : {}), ...(opts.text !== undefined ? { text: opts.text } : {}), ...(payload !== undefined ? { payload } : {}) }, opts) as Promise<T>;
}

/** Every registered intent. */
export function intents(opts: AskOptions = {}): Promise<IntentRow[]> {
  return request('intents', {}, opts);
}
