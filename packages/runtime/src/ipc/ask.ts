// Semantic IPC for agents: ask / multicast / negotiate / intents, sent to semantic-ipcd (found in the agent's
// namespace as 'semantic-ipcd') with a reply handle to the caller. Replies are received selectively: other
// messages that arrive meanwhile are stashed (ipc/stash.ts) and handed back in order. Trusts semantic-ipcd's
// replies as JSON only; a reply is matched by tag 'reply' and the request id.

import { AiosError, Rights, type AgentId, type Handle, type Message } from '@aios/abi';
import { capDerive, clockNow, ipcSend, ipcWait, nsLookup, selfHandle } from '../kernel/stubs.gen.ts';
import { stashMessage } from './stash.ts';
import { utf8Encode, utf8Decode } from '../text.ts';

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


interface Waiter {
  deadline: number;
  resolve(m: Message): void;
  reject(e: unknown): void;
}

const waiters = new Map<string, Waiter>();
let pumping = false;
let seq = 0;
let replyHandle: Handle | undefined;
let service: Handle | undefined;

function replyId(m: Message): string | undefined {
  if (m.tag !== 'reply') return undefined;
  try {
    const id = (JSON.parse(utf8Decode(m.data)) as { id?: unknown })?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The single receive loop while replies are awaited: matching replies go to their waiter, the rest to the stash. */
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    while (waiters.size > 0) {
      const now = clockNow();
      let next = Infinity;
      for (const [id, w] of waiters) {
        if (w.deadline <= now) {
          waiters.delete(id);
          w.reject(new AiosError('ETIMEDOUT', 'semantic-ipcd did not answer in time', { service: SEMANTIC_IPCD }));
        } else next = Math.min(next, w.deadline);
      }
      if (waiters.size === 0) break;
      let m: Message;
      try {
        m = await ipcWait(Math.max(1, Math.ceil(next - now)));
      } catch (e) {
        if ((e as { code?: string }).code === 'ETIMEDOUT') continue;
        for (const w of waiters.values()) w.reject(e);
        waiters.clear();
        break;
      }
      const id = replyId(m);
      const w = id === undefined ? undefined : waiters.get(id);
      if (w !== undefined) {
        waiters.delete(id!);
        w.resolve(m);
      } else stashMessage(m);
    }
  } finally {
    pumping = false;
  }
}

/** Sends one request to semantic-ipcd and resolves with its result (rejects with its AiosError). */
async function call<T>(op: string, body: Record<string, unknown>, opts: AskOptions): Promise<T> {
  if (opts.timeoutMs !== undefined && (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1)) {
    throw new AiosError('EINVAL', 'timeoutMs must be a positive integer', { arg: 'timeoutMs' });
  }
  const svc = opts.service ?? (service ??= nsLookup(SEMANTIC_IPCD));
  replyHandle ??= capDerive(selfHandle(), Rights.SEND | Rights.TRANSFER);
  const id = `ask-${++seq}`;
  const wait = (opts.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS) + REPLY_GRACE_MS;
  const reply = new Promise<Message>((resolve, reject) => waiters.set(id, { deadline: clockNow() + wait, resolve, reject }));
  try {
    const req = { ...body, id, op, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) };
    ipcSend(svc, utf8Encode(JSON.stringify(req)), { handles: [replyHandle] });
  } catch (e) {
    waiters.delete(id);
    throw e;
  }
  void pump();
  const m = await reply;
  const r = JSON.parse(utf8Decode(m.data)) as { ok?: boolean; result?: unknown; error?: { code: string; message?: string; detail?: Record<string, unknown> } };
  if (r.ok === true) return r.result as T;
  throw AiosError.fromJSON(r.error ?? { code: 'EIO', message: 'malformed reply from semantic-ipcd' });
}

/**
 * Asks whoever serves `textOrIntent` (free text, routed by meaning, or an exact intent name) and resolves with
 * what its handler returned. ENOROUTE (detail.candidates) when nothing matches well enough, EINVAL when the
 * payload does not match the target's input schema, ETIMEDOUT when the target does not answer in time.
 */
export function ask<T = unknown>(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<T> {
  return call<T>('ask', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Delivers to every target above the threshold; resolves with each one's answer (errors included). */
export function multicast(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<MulticastResult[]> {
  return call<MulticastResult[]>('multicast', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Asks the candidates for bids (contract-net) and resolves with them, cheapest first; award one with award(). */
export function negotiate(textOrIntent: string, payload?: unknown, opts: AskOptions = {}): Promise<BidOffer[]> {
  return call<BidOffer[]>('negotiate', { text: textOrIntent, ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Sends the request to the bidder chosen from negotiate() (that agent, that intent). */
export function award<T = unknown>(bid: { agent: AgentId; intent: string }, payload?: unknown, opts: AskOptions & { text?: string } = {}): Promise<T> {
  return call<T>('ask', { intent: bid.intent, agent: bid.agent, ...(opts.text !== undefined ? { text: opts.text } : {}), ...(payload !== undefined ? { payload } : {}) }, opts);
}

/** Every registered intent. */
export function intents(opts: AskOptions = {}): Promise<IntentRow[]> {
  return call<IntentRow[]>('intents', {}, opts);
}
