// The one server loop (Erlang's gen_server): receive, parse, dispatch on op, reply with the envelope of
// ipc/wire.ts. Requests are tag 'data' JSON { id, op, ...args } with a reply handle as handles[0]. Fairness: each
// sender has its own queue, served round-robin with bounded concurrency (and at most perSenderConcurrency of one
// sender at once), so a flooder's burst never queues another sender's request behind thousands; a sender whose
// queue is full is refused at once with EAGAIN (backpressure). A handler that throws answers its error; one that
// runs past its deadline answers ETIMEDOUT. Malformed input is answered EINVAL when it carries a reply handle and
// dropped (and counted) when it does not: the loop never crashes on input. Trusts the kernel's `from` stamp only.

import { AiosError, hasCode, limits, type Handle, type Message } from '@aios/abi';
import { clockNow, handleClose } from '../kernel/stubs.gen.ts';
import { next } from '../ipc/inbox.ts';
import { sendReply as sendEnvelope } from '../ipc/reply.ts';
import { errorToWire } from '../ipc/wire.ts';
import { utf8Decode } from '../text.ts';

/** Sends one reply of the envelope (ipc/reply.ts). */
const sendReply = (to: Handle, body: Record<string, unknown>, handles: Handle[] = []): boolean => sendEnvelope(to, body as never, handles);

/** A parsed request as a handler sees it. */
export interface ServedRequest {
  id: string | number;
  op: string;
  [arg: string]: unknown;
}

export interface RequestContext {
  /** The sender (stamped by the kernel). */
  from: number;
  /** The request message (handles[0] is the reply handle; the request names others by index). */
  message: Message;
}

/** What a handler returns to send handles back or keep request handles open (else every request handle is closed). */
export class Outcome {
  constructor(readonly result: unknown, readonly handles: Handle[] = [], readonly keep: Handle[] = []) {}
}

export type OpHandler = (req: ServedRequest, ctx: RequestContext) => unknown;

export interface ServeOptions {
  /** One handler per op; an unknown op is answered EINVAL. A handler returns the result (or an Outcome). */
  ops: Record<string, OpHandler>;
  /** Requests running at once (default limits.SERVE_CONCURRENCY). */
  concurrency?: number;
  /** Requests of one sender running at once (default half of concurrency, at least 1). */
  perSenderConcurrency?: number;
  /** Queued requests per sender (default limits.SERVE_QUEUE_PER_SENDER); beyond it EAGAIN at once. */
  queuePerSender?: number;
  /** A request's deadline from when it starts (default limits.SERVE_REQUEST_TIMEOUT_MS); ETIMEDOUT after it. */
  requestTimeoutMs?: number | ((req: ServedRequest) => number);
  /** Messages that are not requests (not tag 'data': events, replies, shutdown). Return 'stop' to end the loop. */
  other?(m: Message): unknown;
  /** Runs whenever the loop wakes; returns ms until it wants to run again (undefined: only on the next message). */
  tick?(): number | undefined | Promise<number | undefined>;
  /**
   * While requests run, the loop wakes at least this often to run tick (default: only at deadlines). For services
   * whose handlers set new deadlines that tick enforces (the loop cannot shorten a wait already in progress).
   */
  pollMs?: number;
  /** Where the loop reports what it dropped or could not answer. */
  log?(...args: unknown[]): void;
}

/** What the loop did, for status ops and tests. */
export interface ServeStats {
  received: number;
  served: number;
  failed: number;
  /** Refused with EAGAIN (queue full). */
  refused: number;
  /** Malformed and answered EINVAL. */
  invalid: number;
  /** Malformed without a reply handle: dropped. */
  dropped: number;
  timedOut: number;
  queued: number;
  running: number;
  senders: number;
}

interface Pending {
  req: ServedRequest;
  msg: Message;
}

interface Sender {
  queue: Pending[];
  running: number;
}

interface Running {
  p: Pending;
  deadline: number;
  done: boolean;
}

export interface Server {
  /** Runs the loop until `other` returns 'stop'. */
  run(): Promise<void>;
  stats(): ServeStats;
}

function closeAll(handles: readonly Handle[], keep: readonly Handle[] = []): void {
  for (const h of handles) {
    if (keep.includes(h)) continue;
    try {
      handleClose(h);
    } catch {
      /* closed already */
    }
  }
}

/** Parses a request; throws EINVAL naming what is wrong. */
function parseRequest(m: Message, ops: Record<string, OpHandler>): ServedRequest {
  let v: unknown;
  try {
    v = JSON.parse(utf8Decode(m.data));
  } catch {
    throw new AiosError('EINVAL', 'a request must be JSON { id, op, ...args }', { arg: 'request' });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AiosError('EINVAL', 'a request must be a JSON object', { arg: 'request' });
  const r = v as Record<string, unknown>;
  if (typeof r.id !== 'string' && typeof r.id !== 'number') throw new AiosError('EINVAL', 'id must be a string or a number', { arg: 'id' });
  if (typeof r.op !== 'string' || !Object.prototype.hasOwnProperty.call(ops, r.op)) {
    throw new AiosError('EINVAL', `op must be one of ${Object.keys(ops).join(', ')}`, { arg: 'op', value: typeof r.op === 'string' ? r.op.slice(0, 64) : r.op });
  }
  return r as ServedRequest;
}

/** The id of a request body if it has one (for answering a malformed request). */
function idOf(m: Message): string | number | null {
  try {
    const id = (JSON.parse(utf8Decode(m.data)) as { id?: unknown })?.id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** Builds a server; run() is the loop. */
export function createServer(opts: ServeOptions): Server {
  const concurrency = Math.max(1, opts.concurrency ?? limits.SERVE_CONCURRENCY);
  const perSender = Math.max(1, Math.min(concurrency, opts.perSenderConcurrency ?? Math.floor(concurrency / 2)));
  const queueBound = Math.max(1, opts.queuePerSender ?? limits.SERVE_QUEUE_PER_SENDER);
  const timeoutOf = (req: ServedRequest): number => {
    const t = typeof opts.requestTimeoutMs === 'function' ? opts.requestTimeoutMs(req) : opts.requestTimeoutMs;
    return Number.isFinite(t) && t! > 0 ? t! : limits.SERVE_REQUEST_TIMEOUT_MS;
  };
  const log = opts.log ?? (() => undefined);
  const senders = new Map<number, Sender>();
  /** Senders with queued requests, in round-robin order. */
  const order: number[] = [];
  const running = new Set<Running>();
  const st = { received: 0, served: 0, failed: 0, refused: 0, invalid: 0, dropped: 0, timedOut: 0 };
  let queued = 0;

  const senderOf = (from: number): Sender => {
    let s = senders.get(from);
    if (s === undefined) senders.set(from, (s = { queue: [], running: 0 }));
    return s;
  };
  const forget = (from: number, s: Sender): void => {
    if (s.queue.length === 0 && s.running === 0) senders.delete(from);
  };

  /** Answers a request once (a late handler after ETIMEDOUT is ignored) and frees its slot. */
  function finish(r: Running, body: Record<string, unknown>, handles: Handle[] = [], keep: Handle[] = []): void {
    if (r.done) {
      closeAll(handles);
      return;
    }
    r.done = true;
    running.delete(r);
    const from = r.p.msg.from;
    const s = senders.get(from);
    if (s) {
      s.running--;
      forget(from, s);
    }
    sendReply(r.p.msg.handles[0]!, body, handles);
    closeAll(r.p.msg.handles, keep);
    schedule();
  }

  function start(p: Pending): void {
    const r: Running = { p, deadline: clockNow() + timeoutOf(p.req), done: false };
    running.add(r);
    senderOf(p.msg.from).running++;
    const id = p.req.id;
    let out: unknown;
    try {
      out = opts.ops[p.req.op]!(p.req, { from: p.msg.from, message: p.msg });
    } catch (e) {
      out = Promise.reject(e);
    }
    Promise.resolve(out).then(
      (v) => {
        st.served++;
        if (v instanceof Outcome) finish(r, { id, ok: true, result: v.result === undefined ? null : v.result }, v.handles, v.keep);
        else finish(r, { id, ok: true, result: v === undefined ? null : v });
      },
      (e: unknown) => {
        st.failed++;
        finish(r, { id, ok: false, error: errorToWire(e) });
      },
    );
  }

  /** Starts queued requests round-robin across senders while slots are free. */
  function schedule(): void {
    let idle = 0;
    while (running.size < concurrency && order.length > 0 && idle < order.length) {
      const from = order.shift()!;
      const s = senders.get(from);
      if (s === undefined || s.queue.length === 0) continue;
      if (s.running >= perSender) {
        order.push(from);
        idle++;
        continue;
      }
      idle = 0;
      const p = s.queue.shift()!;
      queued--;
      if (s.queue.length > 0) order.push(from);
      start(p);
    }
  }

  /** Takes one request message: queue it, refuse it (EAGAIN), or answer/drop it as malformed. */
  function accept(m: Message): void {
    st.received++;
    const replyTo = m.handles[0];
    let req: ServedRequest;
    try {
      if (replyTo === undefined) throw new AiosError('EINVAL', 'a request needs a reply handle as handles[0]', { arg: 'handles' });
      req = parseRequest(m, opts.ops);
    } catch (e) {
      if (replyTo === undefined) {
        st.dropped++;
        closeAll(m.handles);
        return;
      }
      st.invalid++;
      sendReply(replyTo, { id: idOf(m), ok: false, error: errorToWire(e) });
      closeAll(m.handles);
      return;
    }
    const known = senders.get(m.from);
    const s = known ?? (senders.size >= limits.SERVE_SENDERS_MAX ? undefined : senderOf(m.from));
    if (s === undefined || s.queue.length >= queueBound) {
      st.refused++;
      const detail = s === undefined ? { senders: senders.size, max: limits.SERVE_SENDERS_MAX } : { queued: s.queue.length, max: queueBound };
      sendReply(replyTo, { id: req.id, ok: false, error: errorToWire(new AiosError('EAGAIN', 'too many requests queued from this sender: retry later', detail)) });
      closeAll(m.handles);
      return;
    }
    if (s.queue.length === 0) order.push(m.from);
    s.queue.push({ req, msg: m });
    queued++;
    schedule();
  }

  /** Answers ETIMEDOUT to running requests past their deadline; ms until the next deadline (undefined: none). */
  function expire(): number | undefined {
    const now = clockNow();
    let soonest: number | undefined;
    for (const r of [...running]) {
      if (r.deadline <= now) {
        st.timedOut++;
        finish(r, { id: r.p.req.id, ok: false, error: errorToWire(new AiosError('ETIMEDOUT', `${r.p.req.op} did not finish in time`, { op: r.p.req.op })) });
      } else soonest = Math.min(soonest ?? Infinity, r.deadline - now);
    }
    return soonest;
  }

  return {
    stats: () => ({ ...st, queued, running: running.size, senders: senders.size }),
    async run() {
      for (;;) {
        let wait = expire();
        if (opts.tick) {
          try {
            const t = await opts.tick();
            if (t !== undefined) wait = Math.min(wait ?? Infinity, t);
          } catch (e) {
            log(`tick failed: ${(e as Error).message}`);
          }
        }
        if (opts.pollMs !== undefined && running.size > 0) wait = Math.min(wait ?? Infinity, opts.pollMs);
        let m: Message;
        try {
          m = await next(wait === undefined ? undefined : Math.max(1, Math.ceil(wait)));
        } catch (e) {
          if (hasCode(e, 'ETIMEDOUT')) continue;
          throw e;
        }
        if (m.tag === 'data') {
          accept(m);
          continue;
        }
        try {
          if ((await opts.other?.(m)) === 'stop') return;
        } catch (e) {
          log(`message from ${m.from} (${m.tag}) failed: ${(e as Error).message}`);
        }
      }
    },
  };
}

/** Runs a server loop until `other` returns 'stop' (see createServer). */
export function serve(opts: ServeOptions): Promise<void> {
  return createServer(opts).run();
}
