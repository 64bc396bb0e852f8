// The agents' memory API over memoryd's protocol table (@aios/abi MEMORYD): remember, recall, forget and shared
// spaces. Pure runtime (syscall stubs only), so it works in the wasm and native domains. Requests go through the
// typed client() (ipc/client.ts, the one call()): replies are received in the agent's one inbox, other messages
// stay for onMessage, in order.
import {
  AiosError, MEMORYD, Rights, limits, type Handle, type JsonValue, type MemoryFilter, type MemoryRecord, type MemoryWireHit, type Message,
  type NamespaceSummary, type OpName, type OpRequest, type OpResult,
} from '@aios/abi';
import { ipcSend, nsLookup } from '../kernel/stubs.gen.ts';
import { utf8Encode, utf8Decode } from '../text.ts';
import { client } from '../ipc/client.ts';
import { takeSetAside } from '../ipc/inbox.ts';

export type { MemoryRecord, NamespaceSummary };

export interface MemoryOptions {
  /** Handle to memoryd (default: nsLookup('memoryd')). */
  service?: Handle;
  /** Per request (default 30,000 ms; the first request may wait for the embedder to load). */
  timeoutMs?: number;
}

/** A search filter (the MEMORYD table's). */
export type Filter = MemoryFilter;

export interface RememberOptions {
  tags?: string[];
  key?: string;
  ttlMs?: number;
  provenance?: { [k: string]: JsonValue };
}

export interface RecallOptions {
  k?: number;
  filter?: Filter;
  mode?: 'hybrid' | 'text' | 'vector';
  /** Search these spaces too (the private memory is searched unless `private: false`). */
  spaces?: Space[];
  private?: boolean;
}

export interface MemoryHit {
  id: string;
  ns: string;
  score: number;
  text: string;
  data: JsonValue;
  item: MemoryRecord;
}

export interface UpdatePatch {
  text?: string;
  data?: JsonValue;
  tags?: string[];
  ttlMs?: number;
  expiresAt?: number | null;
}

/** A namespace reached through a handle (a shared space, or one shared with this agent). */
export interface Space {
  readonly id: string;
  readonly handle: Handle;
  put(text: string, data?: JsonValue, opts?: RememberOptions): Promise<string>;
  get(id: string): Promise<MemoryRecord | null>;
  search(query: string, opts?: Omit<RecallOptions, 'spaces' | 'private'>): Promise<MemoryHit[]>;
  update(id: string, patch: UpdatePatch, expectedVersion?: number): Promise<MemoryRecord>;
  delete(id: string, expectedVersion?: number): Promise<boolean>;
  /** Sends a handle narrowed to `rights` (default READ|SEARCH; TRANSFER is always kept) to another agent, in a 'memory.space' message. */
  share(agent: Handle, rights?: number): void;
}

export interface Memory {
  remember(text: string, data?: JsonValue, opts?: RememberOptions): Promise<string>;
  recall(query: string, opts?: RecallOptions): Promise<MemoryHit[]>;
  get(id: string): Promise<MemoryRecord | null>;
  update(id: string, patch: UpdatePatch, expectedVersion?: number): Promise<MemoryRecord>;
  forget(id: string, expectedVersion?: number): Promise<boolean>;
  /** Creates (or opens, when this agent already owns one by that name) a shared space. */
  space(name?: string): Promise<Space>;
  /** A space from a 'memory.space' message another agent sent with share(); null when m is not one. */
  adopt(m: Message): Space | null;
  spaces(): Promise<NamespaceSummary[]>;
  /** Sends any protocol request (advanced); handles after the reply handle. */
  request<T = unknown>(op: string, body?: Record<string, unknown>, handles?: Handle[]): Promise<T>;
  /**
   * Messages the agent's inbox set aside while waiting for replies, taken (an agent with onMessage gets them
   * there instead; a main loop can also use receive()).
   */
  stashed(): Message[];
}

/** Marks a message that carries a shared space handle. */
export const SPACE_MESSAGE = 'memory.space';

/** A 'data' message's JSON object, or null. */
function parse(m: Message): Record<string, unknown> | null {
  if (m.tag !== 'data') return null;
  try {
    const v = JSON.parse(utf8Decode(m.data)) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Creates a memory client. Several per agent are safe: replies are received in the agent's one inbox (ipc/inbox.ts). */
export function createMemory(opts: MemoryOptions = {}): Memory {
  let service: Handle | undefined = opts.service;
  const timeoutMs = opts.timeoutMs ?? limits.MEMORY_CALL_TIMEOUT_MS;

  async function call<K extends OpName<typeof MEMORYD>>(op: K, body: OpRequest<typeof MEMORYD, K>, extra: Handle[] = []): Promise<{ result: OpResult<typeof MEMORYD, K>; msg: Message }> {
    service ??= nsLookup(MEMORYD.service);
    const { result, message } = await client(MEMORYD, service).callMessage(op, body, { timeoutMs, handles: extra });
    return { result, msg: message };
  }

  const hitsOf = (raw: MemoryWireHit[]): MemoryHit[] =>
    raw.map((h) => ({ id: h.id, ns: h.ns, score: h.score, text: h.item.text, data: h.item.data, item: h.item }));

  const putBody = (text: string, data: JsonValue | undefined, o: RememberOptions): OpRequest<typeof MEMORYD, 'put'> => ({
    text, ...(data !== undefined ? { data } : {}), ...o,
  });

  function makeSpace(id: string, handle: Handle): Space {
    return {
      id,
      handle,
      async put(text, data, o = {}) {
        return (await call('put', { ...putBody(text, data, o), ns: 1 }, [handle])).result.id;
      },
      async get(item) {
        return (await call('get', { ns: 1, item }, [handle])).result;
      },
      async search(query, o = {}) {
        const r = await call('search', { ns: [1], query, ...(o.k ? { k: o.k } : {}), ...(o.filter ? { filter: o.filter } : {}), ...(o.mode ? { mode: o.mode } : {}) }, [handle]);
        return hitsOf(r.result);
      },
      async update(item, patch, expectedVersion) {
        return (await call('update', { ns: 1, item, patch, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, [handle])).result;
      },
      async delete(item, expectedVersion) {
        return (await call('delete', { ns: 1, item, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }, [handle])).result.deleted;
      },
      share(agent, rights = Rights.READ | Rights.SEARCH) {
        // TRANSFER is kept: the peer presents the handle to memoryd by sending it (it can pass it on, never widened).
        const keep = rights | Rights.TRANSFER;
        ipcSend(agent, utf8Encode(JSON.stringify({ type: SPACE_MESSAGE, ns: id, rights: keep })), { handles: [handle], handleRights: [keep] });
      },
    };
  }

  return {
    async remember(text, data, o = {}) {
      return (await call('put', putBody(text, data, o))).result.id;
    },
    async recall(query, o = {}) {
      const spaces = o.spaces ?? [];
      const refs: Array<number | null> = o.private === false ? [] : [null];
      spaces.forEach((_, i) => refs.push(i + 1));
      if (refs.length === 0) throw new AiosError('EINVAL', 'nothing to search: private is false and no spaces given', { arg: 'spaces' });
      // null names the private default namespace (created on first use).
      const ns = refs;
      const r = await call('search', {
        ns, query, ...(o.k ? { k: o.k } : {}), ...(o.filter ? { filter: o.filter } : {}), ...(o.mode ? { mode: o.mode } : {}),
      }, spaces.map((s) => s.handle));
      return hitsOf(r.result);
    },
    async get(item) {
      return (await call('get', { item })).result;
    },
    async update(item, patch, expectedVersion) {
      return (await call('update', { item, patch, ...(expectedVersion !== undefined ? { expectedVersion } : {}) })).result;
    },
    async forget(item, expectedVersion) {
      return (await call('delete', { item, ...(expectedVersion !== undefined ? { expectedVersion } : {}) })).result.deleted;
    },
    async space(name) {
      const { result, msg } = await call('ns.create', { shared: true, ...(name !== undefined ? { name } : {}) });
      const h = msg.handles[result.handle];
      if (h === undefined) throw new AiosError('EIO', 'memoryd replied without the namespace handle', { op: 'ns.create' });
      return makeSpace(result.ns.id, h);
    },
    adopt(m) {
      const v = parse(m) as { type?: unknown; ns?: unknown } | null;
      if (v?.type !== SPACE_MESSAGE || typeof v.ns !== 'string' || m.handles[0] === undefined) return null;
      return makeSpace(v.ns, m.handles[0]);
    },
    async spaces() {
      return (await call('ns.list', {})).result;
    },
    async request(op, body = {}, handles = []) {
      // Any op by name (advanced): checked by memoryd, not by the compiler.
      return (await call(op as OpName<typeof MEMORYD>, body as never, handles)).result as never;
    },
    stashed() {
      const out: Message[] = [];
      for (let m = takeSetAside(); m !== undefined; m = takeSetAside()) out.push(m);
      return out;
    },
  };
}
