// @aios/runtime/net: fetch through the agent's `net` device, with the familiar shape (status,
// headers, text(), json(), arrayBuffer(), a streamed body), a timeout and AbortSignal. Only hosts
// the agent was granted (`aios run --net HOST[:PORT]`, SpawnOptions.net) answer; others are EACCES.
import { AiosError, type Handle, type NetRequest } from '@aios/abi';
import { handleClose, netFetch, netRead, netResponse, nsLookup } from '../kernel/index.ts';
import { utf8Decode } from '../text.ts';

/** The subset of AbortSignal fetch uses (works with the platform's AbortSignal where there is one). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', fn: () => void): void;
  removeEventListener?(type: 'abort', fn: () => void): void;
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whole-request timeout in ms (default limits.NET_TIMEOUT_MS): ETIMEDOUT past it. */
  timeoutMs?: number;
  signal?: AbortSignalLike;
  redirect?: 'follow' | 'manual' | 'error';
}

/** A response body read chunk by chunk, once: `for await (const chunk of res.body)` or getReader(). */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> };
}

export interface Response {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null; has(name: string): boolean; entries(): Array<[string, string]> };
  readonly url: string;
  readonly redirected: boolean;
  readonly body: BodyStream;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

function abortError(signal: AbortSignalLike): AiosError {
  const r = signal.reason as { message?: string } | undefined;
  return new AiosError('ECANCELED', `fetch aborted${r?.message ? `: ${r.message}` : ''}`);
}

/** Fetches `url` through the `net` device of the caller's namespace (or `init.device`). */
export async function fetch(url: string, init: FetchInit & { device?: Handle } = {}): Promise<Response> {
  const signal = init.signal;
  if (signal?.aborted) throw abortError(signal);
  const device = init.device ?? (() => {
    try {
      return nsLookup('net');
    } catch {
      throw new AiosError('EACCES', 'this agent has no net device (spawn it with --net HOST or SpawnOptions.net)', { url, policyIds: ['net-grants'] });
    }
  })();
  const req: NetRequest = { url, ...(init.method ? { method: init.method } : {}), ...(init.headers ? { headers: init.headers } : {}), ...(init.body !== undefined ? { body: init.body } : {}), ...(init.timeoutMs ? { timeoutMs: init.timeoutMs } : {}), ...(init.redirect ? { redirect: init.redirect } : {}) };
  const ex = netFetch(device, req);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      handleClose(ex);
    } catch {
      /* already closed */
    }
  };
  const onAbort = (): void => close(); // closing the exchange aborts the request at any stage
  signal?.addEventListener('abort', onAbort);
  const done = (): void => {
    signal?.removeEventListener?.('abort', onAbort);
    close();
  };
  let head;
  try {
    head = await netResponse(ex);
  } catch (e) {
    done();
    throw signal?.aborted ? abortError(signal) : e;
  }
  const lower = Object.fromEntries(Object.entries(head.headers).map(([k, v]) => [k.toLowerCase(), v]));
  let used = false;
  const next = async (): Promise<Uint8Array | null> => {
    if (closed) {
      if (signal?.aborted) throw abortError(signal);
      return null;
    }
    try {
      const c = await netRead(ex);
      if (c === null) done();
      return c;
    } catch (e) {
      done();
      throw signal?.aborted ? abortError(signal) : e;
    }
  };
  const take = (): void => {
    if (used) throw new AiosError('EINVAL', 'the body was already read');
    used = true;
  };
  const all = async (): Promise<Uint8Array> => {
    take();
    const parts: Uint8Array[] = [];
    let n = 0;
    for (let c = await next(); c !== null; c = await next()) {
      parts.push(c);
      n += c.length;
    }
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const body: BodyStream = {
    [Symbol.asyncIterator]() {
      take();
      return { next: async () => { const c = await next(); return c === null ? { done: true, value: undefined } : { done: false, value: c }; }, return: async () => { done(); return { done: true, value: undefined }; } };
    },
    getReader() {
      take();
      return { read: async () => { const c = await next(); return c === null ? { done: true } : { done: false, value: c }; }, cancel: async () => done() };
    },
  };
  return {
    ok: head.status >= 200 && head.status < 300,
    status: head.status,
    statusText: head.statusText,
    headers: { get: (n) => lower[n.toLowerCase()] ?? null, has: (n) => lower[n.toLowerCase()] !== undefined, entries: () => Object.entries(lower) },
    url: head.url,
    redirected: head.redirected,
    body,
    get bodyUsed() { return used; },
    bytes: all,
    arrayBuffer: async () => { const b = await all(); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; },
    text: async () => utf8Decode(await all()),
    json: async () => JSON.parse(utf8Decode(await all())) as unknown,
  };
}
