// The one request/reply client (Erlang's gen_server:call): sends { id, op, ...args } to a server with a SEND-only
// reply handle as handles[0] (extra handles after it), and waits in the agent's one inbox (ipc/inbox.ts) for the
// reply tagged REPLY_TAG with the same id; every other message stays for onMessage, in order. A reply with
// ok:false rejects with the server's AiosError, its cause chain rebuilt. Trusts replies as JSON only.

import { AiosError, Rights, limits, type Handle, type Message } from '@aios/abi';
import { capDerive, handleClose, ipcSend, selfHandle } from '../kernel/stubs.gen.ts';
import { utf8Decode, utf8Encode } from '../text.ts';
import { waitFor } from './inbox.ts';
import { REPLY_TAG, errorFromWire } from './wire.ts';

export interface CallOptions {
  /** How long to wait for the reply (default limits.CALL_TIMEOUT_MS); ETIMEDOUT after it. */
  timeoutMs?: number;
  /** Handles sent after the reply handle (the request names them by index, from 1). */
  handles?: Handle[];
  /** The request's tag (default 'data'; intent requests use INTENT_TAG). */
  tag?: string;
  /** Accept the reply only from this agent (when the caller knows who serves: a forged reply is ignored). */
  replyFrom?: number;
}

/** A request sent and its reply awaited (see startCall). */
export interface PendingCall<T> {
  readonly id: string;
  /** Resolves with the result and the reply message; rejects like call(). */
  readonly reply: Promise<{ result: T; message: Message }>;
}

/** A request: an op and its arguments (`id` is set by call). */
export interface Request {
  op: string;
  [arg: string]: unknown;
}

let seq = 0;
let replyHandle: Handle | undefined;
/** Parsed replies, by message (a message is parsed once however many waiters look at it). */
const parsed = new WeakMap<Message, { id?: unknown } | null>();

function replyBody(m: Message): { id?: unknown; ok?: unknown; result?: unknown; error?: unknown } | null {
  if (m.tag !== REPLY_TAG) return null;
  let v = parsed.get(m);
  if (v === undefined) {
    try {
      const x = JSON.parse(utf8Decode(m.data)) as unknown;
      v = typeof x === 'object' && x !== null ? (x as { id?: unknown }) : null;
    } catch {
      v = null;
    }
    parsed.set(m, v);
  }
  return v;
}

/**
 * Sends one request now (a send error, e.g. EAGAIN or ESRCH, is thrown here, synchronously) and returns the
 * pending reply: for callers that must know the request went out before waiting (semantic-ipcd's forwards).
 */
export function startCall<T = unknown>(server: Handle, request: Request, opts: CallOptions = {}): PendingCall<T> {
  const timeoutMs = opts.timeoutMs ?? limits.CALL_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > limits.MAX_TIMEOUT_MS) {
    throw new AiosError('EINVAL', `timeoutMs must be an integer 1..${limits.MAX_TIMEOUT_MS}`, { arg: 'timeoutMs', value: timeoutMs });
  }
  if (typeof request?.op !== 'string') throw new AiosError('EINVAL', 'a request needs an op', { arg: 'op' });
  // One SEND-only reply handle for every request (each transfer gives the server a narrowed copy).
  replyHandle ??= capDerive(selfHandle(), Rights.SEND | Rights.TRANSFER);
  const id = `c${++seq}`;
  ipcSend(server, utf8Encode(JSON.stringify({ ...request, id })), { handles: [replyHandle, ...(opts.handles ?? [])], ...(opts.tag !== undefined ? { tag: opts.tag } : {}) });
  const from = opts.replyFrom;
  const reply = (async () => {
    const m = await waitFor((x) => (from === undefined || x.from === from) && replyBody(x)?.id === id, timeoutMs);
    if (m === null) throw new AiosError('ETIMEDOUT', `no reply to ${request.op} within ${timeoutMs} ms`, { op: request.op, timeoutMs });
    const r = replyBody(m)!;
    if (r.ok === true) return { result: r.result as T, message: m };
    for (const h of m.handles) {
      try {
        handleClose(h);
      } catch {
        /* closed already */
      }
    }
    throw errorFromWire(r.error);
  })();
  return { id, reply };
}

/** Like call(), but resolves with the reply message too (its handles: a server may send some back). */
export async function callMessage<T = unknown>(server: Handle, request: Request, opts: CallOptions = {}): Promise<{ result: T; message: Message }> {
  return startCall<T>(server, request, opts).reply;
}

/**
 * Sends one request to `server` and resolves with its result; rejects with the server's error (an AiosError with
 * its cause), ETIMEDOUT when no reply comes within opts.timeoutMs, or the send's own error (EAGAIN: the server's
 * mailbox is full; EPERM: no SEND right).
 */
export async function call<T = unknown>(server: Handle, request: Request, opts: CallOptions = {}): Promise<T> {
  return (await callMessage<T>(server, request, opts)).result;
}
