// The in-memory storage device: same contract as storage-sqlite, nothing survives close() (tests,
// ephemeral nodes). Text search is BM25 over lower-cased words (no stemming); vector search is exact.
import { AiosError } from '@aios/abi';
import type {
  ChangeRecord, ItemFilter, ItemInput, ItemPatch, JsonValue, KvOp, KvOpResult, MemoryItem, NamespaceRecord, PutResult,
  QueueEntry, SearchHit, StorageDriver,
} from '@aios/abi';
import {
  checkItemIds,
  checkBytes, checkEmbedding, checkItemInput, checkK, checkKey, checkNamespace, checkNsId, checkSeq, checkTags, dot, itemBytes,
  matchesFilter, normalized, queryTerms, sameContent, toJson, tokenize,
} from './shared.ts';

interface Stored {
  item: MemoryItem;
  order: number;
  bytes: number;
  unit?: Float32Array;
  tf: Map<string, number>;
  len: number;
}
interface Ns {
  rec: NamespaceRecord;
  items: Map<string, Stored>;
  byKey: Map<string, string>;
  changes: ChangeRecord[];
  seq: number;
  bytes: number;
}

const clone = (v: Uint8Array): Uint8Array => new Uint8Array(v);
const cloneJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
function copyItem(it: MemoryItem): MemoryItem {
  const c: MemoryItem = { ...it, data: cloneJson(it.data), tags: [...it.tags], provenance: cloneJson(it.provenance) };
  if (it.embedding) c.embedding = new Float32Array(it.embedding);
  return c;
}

export function createMemoryStorage(): StorageDriver {
  const kv = new Map<string, Uint8Array>();
  const queues = new Map<string, { last: number; msgs: Map<number, Uint8Array> }>();
  const spaces = new Map<string, Ns>();
  const df = new Map<string, number>();
  let docs = 0;
  let totalLen = 0;
  let order = 0;
  let closed = false;

  const open = (): void => {
    if (closed) throw new AiosError('EBADF', 'storage is closed');
  };
  const nsOf = (id: string): Ns => {
    const n = spaces.get(id);
    if (!n) throw new AiosError('ENOENT', 'no such namespace', { ns: id });
    return n;
  };
  const checkOp = (op: KvOp): void => {
    if (op?.op === 'put') { checkKey(op.key); checkBytes(op.value); }
    else if (op?.op === 'delete') checkKey(op.key);
    else if (op?.op === 'append') { checkKey(op.queue, 'queue'); checkBytes(op.value); }
    else if (op?.op === 'ack') { checkKey(op.queue, 'queue'); checkSeq(op.seq); }
    else throw new AiosError('EINVAL', 'unknown batch op', { arg: 'op' });
  };
  const apply = (op: KvOp): KvOpResult => {
    switch (op.op) {
      case 'put': kv.set(op.key, clone(op.value)); return null;
      case 'delete': return kv.delete(op.key);
      case 'append': {
        let q = queues.get(op.queue);
        if (!q) queues.set(op.queue, (q = { last: 0, msgs: new Map() }));
        q.msgs.set(++q.last, clone(op.value));
        return q.last;
      }
      case 'ack': return queues.get(op.queue)?.msgs.delete(op.seq) ?? false;
    }
  };

  // ── text index bookkeeping ──
  const index = (st: Stored): void => {
    const toks = [...tokenize(st.item.text), ...st.item.tags.flatMap(tokenize)];
    st.tf = new Map();
    for (const t of toks) st.tf.set(t, (st.tf.get(t) ?? 0) + 1);
    st.len = toks.length;
    for (const t of st.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    docs++;
    totalLen += st.len;
  };
  const unindex = (st: Stored): void => {
    for (const t of st.tf.keys()) {
      const c = (df.get(t) ?? 1) - 1;
      if (c === 0) df.delete(t);
      else df.set(t, c);
    }
    docs--;
    totalLen -= st.len;
  };
  const record = (n: Ns, op: ChangeRecord['op'], it: MemoryItem, at: number): number => {
    n.seq++;
    const c: ChangeRecord = { ns: n.rec.id, seq: n.seq, op, id: it.id, version: it.version, at };
    if (it.key !== undefined) c.key = it.key;
    n.changes.push(c);
    return n.seq;
  };
  const store = (n: Ns, item: MemoryItem, prev: Stored | undefined): Stored => {
    if (prev) unindex(prev);
    const st: Stored = { item, order: prev?.order ?? ++order, bytes: itemBytes(item), tf: new Map(), len: 0 };
    if (item.embedding) st.unit = normalized(item.embedding);
    index(st);
    n.bytes += st.bytes - (prev?.bytes ?? 0);
    n.items.set(item.id, st);
    if (item.key !== undefined) n.byKey.set(item.key, item.id);
    return st;
  };
  const remove = (n: Ns, st: Stored, op: 'delete' | 'expire', now: number): void => {
    unindex(st);
    n.items.delete(st.item.id);
    if (st.item.key !== undefined) n.byKey.delete(st.item.key);
    n.bytes -= st.bytes;
    record(n, op, st.item, now);
  };

  const prepare = (input: ItemInput): { n: Ns; fresh: MemoryItem; existing?: Stored } => {
    if (input === null || typeof input !== 'object') throw new AiosError('EINVAL', 'item input must be an object', { arg: 'input' });
    checkNsId(input.ns);
    const n = nsOf(input.ns);
    checkItemInput(input, n.rec.dim);
    const data = JSON.parse(toJson(input.data, 'data')) as JsonValue;
    const provenance = JSON.parse(toJson(input.provenance ?? {}, 'provenance')) as MemoryItem['provenance'];
    const existingId = input.key !== undefined ? n.byKey.get(input.key) : undefined;
    const existing = existingId !== undefined ? n.items.get(existingId) : undefined;
    if (!existing && n.items.has(input.id)) throw new AiosError('EEXIST', 'an item with this id exists', { ns: input.ns, id: input.id });
    const fresh: MemoryItem = {
      id: existing?.item.id ?? input.id, ns: input.ns, text: input.text, data, tags: [...(input.tags ?? [])], author: input.author,
      provenance, created: existing?.item.created ?? input.now, updated: input.now, version: (existing?.item.version ?? 0) + 1, seq: 0,
    };
    if (input.key !== undefined) fresh.key = input.key;
    if (input.embedding) fresh.embedding = new Float32Array(input.embedding);
    if (input.expiresAt !== undefined) fresh.expiresAt = input.expiresAt;
    return existing ? { n, fresh, existing } : { n, fresh };
  };
  const commitPut = (p: { n: Ns; fresh: MemoryItem; existing?: Stored }, input: ItemInput): PutResult => {
    if (p.existing && sameContent(p.existing.item, input)) return { item: copyItem(p.existing.item), created: false, changed: false };
    p.fresh.seq = record(p.n, p.existing ? 'update' : 'put', p.fresh, input.now);
    store(p.n, p.fresh, p.existing);
    return { item: copyItem(p.fresh), created: !p.existing, changed: true };
  };
  const putMany = (inputs: readonly ItemInput[]): PutResult[] => {
    // Validate everything first (including ids created twice within the batch) so the batch is all-or-nothing.
    const newIds = new Map<string, Set<string>>();
    const newKeys = new Map<string, Set<string>>();
    for (const input of inputs) {
      const p = prepare(input);
      if (p.existing) continue;
      const ids = newIds.get(input.ns) ?? new Set<string>();
      const keys = newKeys.get(input.ns) ?? new Set<string>();
      if (input.key !== undefined && keys.has(input.key)) continue; // becomes an update of the earlier one
      if (ids.has(input.id)) throw new AiosError('EEXIST', 'an item with this id exists', { ns: input.ns, id: input.id });
      ids.add(input.id);
      if (input.key !== undefined) keys.add(input.key);
      newIds.set(input.ns, ids);
      newKeys.set(input.ns, keys);
    }
    return inputs.map((input) => commitPut(prepare(input), input));
  };
  const nsList = (ns: readonly string[]): Ns[] => {
    if (!Array.isArray(ns) || ns.length === 0) throw new AiosError('EINVAL', 'ns must be a non-empty array', { arg: 'ns' });
    return ns.map((id) => { checkNsId(id); return nsOf(id); });
  };
  const casCheck = (st: Stored, expected: number | undefined): void => {
    if (expected !== undefined && expected !== st.item.version) {
      throw new AiosError('ECONFLICT', 'item version changed', { expected, actual: st.item.version });
    }
  };

  return {
    info: { name: 'storage-memory', version: '0.1.0', kind: 'storage', description: 'in-memory storage (nothing survives close)' },
    // ── durable state ──
    async get(key) { open(); checkKey(key); const v = kv.get(key); return v ? clone(v) : undefined; },
    async put(key, value) { open(); checkKey(key); checkBytes(value); kv.set(key, clone(value)); },
    async delete(key) { open(); checkKey(key); return kv.delete(key); },
    async scan(prefix, o = {}) {
      open();
      if (typeof prefix !== 'string') throw new AiosError('EINVAL', 'prefix must be a string', { arg: 'prefix' });
      const keys = [...kv.keys()].filter((k) => k.startsWith(prefix) && (o.after === undefined || k > o.after)).sort();
      return keys.slice(0, o.limit ?? keys.length).map((key) => ({ key, value: clone(kv.get(key)!) }));
    },
    async batch(ops) {
      open();
      if (!Array.isArray(ops)) throw new AiosError('EINVAL', 'ops must be an array', { arg: 'ops' });
      ops.forEach(checkOp);
      return ops.map(apply);
    },
    async append(queue, value) { open(); checkKey(queue, 'queue'); checkBytes(value); return apply({ op: 'append', queue, value }) as number; },
    async ack(queue, seq) { open(); checkKey(queue, 'queue'); checkSeq(seq); return apply({ op: 'ack', queue, seq }) as boolean; },
    async pending(queue, o = {}) {
      open();
      checkKey(queue, 'queue');
      const q = queues.get(queue);
      if (!q) return [];
      const out: QueueEntry[] = [...q.msgs].filter(([seq]) => seq > (o.after ?? 0)).sort((a, b) => a[0] - b[0])
        .map(([seq, value]) => ({ queue, seq, value: clone(value) }));
      return out.slice(0, o.limit ?? out.length);
    },
    async queues(prefix) {
      open();
      if (typeof prefix !== 'string') throw new AiosError('EINVAL', 'prefix must be a string', { arg: 'prefix' });
      return [...queues].filter(([name, q]) => name.startsWith(prefix) && q.msgs.size > 0).sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([queue, q]) => ({ queue, pending: q.msgs.size, lastSeq: q.last }));
    },
    // ── memory items ──
    async createNamespace(ns) {
      open();
      checkNamespace(ns);
      if (spaces.has(ns.id)) throw new AiosError('EEXIST', 'namespace exists', { ns: ns.id });
      spaces.set(ns.id, { rec: cloneJson({ ...ns, meta: ns.meta ?? {} }), items: new Map(), byKey: new Map(), changes: [], seq: 0, bytes: 0 });
    },
    async getNamespace(id) { open(); const n = spaces.get(id); return n ? cloneJson(n.rec) : undefined; },
    async listNamespaces(owner) {
      open();
      return [...spaces.values()].filter((n) => owner === undefined || n.rec.owner === owner).map((n) => cloneJson(n.rec))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async updateNamespaceMeta(id, meta) { open(); nsOf(id).rec.meta = JSON.parse(toJson(meta, 'meta')) as NamespaceRecord['meta']; },
    async deleteNamespace(id) {
      open();
      const n = spaces.get(id);
      if (!n) return false;
      for (const st of n.items.values()) unindex(st);
      spaces.delete(id);
      return true;
    },
    async putItem(input) { open(); return putMany([input])[0]!; },
    async putItems(inputs) {
      open();
      if (!Array.isArray(inputs)) throw new AiosError('EINVAL', 'inputs must be an array', { arg: 'inputs' });
      return putMany(inputs);
    },
    async getItem(ns, id) { open(); const st = spaces.get(ns)?.items.get(id); return st ? copyItem(st.item) : undefined; },
    async getItems(ns, ids) {
      open();
      checkItemIds(ids);
      const items = spaces.get(ns)?.items;
      return ids.map((id) => { const st = items?.get(id); return st ? copyItem(st.item) : undefined; });
    },
    async getByKey(ns, key) {
      open();
      const n = spaces.get(ns);
      const id = n?.byKey.get(key);
      return id !== undefined ? copyItem(n!.items.get(id)!.item) : undefined;
    },
    async updateItem(ns, id, patch: ItemPatch, o) {
      open();
      const n = nsOf(ns);
      const st = n.items.get(id);
      if (!st) throw new AiosError('ENOENT', 'no such item', { ns, id });
      casCheck(st, o.expectedVersion);
      if (patch === null || typeof patch !== 'object') throw new AiosError('EINVAL', 'patch must be an object', { arg: 'patch' });
      if (patch.text !== undefined && typeof patch.text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { arg: 'text' });
      if (patch.tags !== undefined) checkTags(patch.tags);
      if (patch.embedding !== undefined) checkEmbedding(patch.embedding, n.rec.dim);
      if (patch.expiresAt !== undefined && patch.expiresAt !== null && !Number.isFinite(patch.expiresAt)) {
        throw new AiosError('EINVAL', 'expiresAt must be a number or null', { arg: 'expiresAt' });
      }
      const cur = st.item;
      const next: MemoryItem = {
        ...cur, text: patch.text ?? cur.text, tags: [...(patch.tags ?? cur.tags)], author: o.author, updated: o.now, version: cur.version + 1,
        data: patch.data !== undefined ? (JSON.parse(toJson(patch.data, 'data')) as JsonValue) : cur.data,
        provenance: patch.provenance !== undefined ? (JSON.parse(toJson(patch.provenance, 'provenance')) as MemoryItem['provenance']) : cur.provenance,
      };
      if (patch.embedding) next.embedding = new Float32Array(patch.embedding);
      if (patch.expiresAt === null) delete next.expiresAt;
      else if (patch.expiresAt !== undefined) next.expiresAt = patch.expiresAt;
      next.seq = record(n, 'update', next, o.now);
      store(n, next, st);
      return copyItem(next);
    },
    async deleteItem(ns, id, o) {
      open();
      const n = spaces.get(ns);
      const st = n?.items.get(id);
      if (!n || !st) return false;
      casCheck(st, o.expectedVersion);
      remove(n, st, 'delete', o.now);
      return true;
    },
    async listItems(ns, o = {}) {
      open();
      const n = nsOf(ns);
      let from = 0;
      if (o.after !== undefined) {
        const a = n.items.get(o.after);
        if (!a) throw new AiosError('EINVAL', 'cursor item not found', { arg: 'after', id: o.after });
        from = a.order;
      }
      return [...n.items.values()].filter((st) => st.order > from && matchesFilter(st.item, o.filter))
        .sort((a, b) => a.order - b.order).slice(0, o.limit ?? 100).map((st) => copyItem(st.item));
    },
    async textSearch(ns, query, k, filter?: ItemFilter) {
      open();
      const spacesIn = nsList(ns);
      checkK(k);
      if (typeof query !== 'string') throw new AiosError('EINVAL', 'query must be a string', { arg: 'query' });
      const terms = queryTerms(query);
      const avg = docs > 0 ? totalLen / docs : 1;
      const hits: (SearchHit & { order: number })[] = [];
      for (const n of spacesIn) {
        for (const st of n.items.values()) {
          let score = 0;
          for (const t of terms) {
            const f = st.tf.get(t);
            if (!f) continue;
            const d = df.get(t) ?? 1;
            const idf = Math.log((docs - d + 0.5) / (d + 0.5) + 1);
            score += (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * st.len) / avg));
          }
          if (score > 0 && matchesFilter(st.item, filter)) hits.push({ id: st.item.id, ns: n.rec.id, score, order: st.order });
        }
      }
      hits.sort((a, b) => b.score - a.score || a.order - b.order);
      return hits.slice(0, k).map(({ id, ns: s, score }) => ({ id, ns: s, score }));
    },
    async vectorSearch(ns, query, k, filter?: ItemFilter) {
      open();
      const spacesIn = nsList(ns);
      checkK(k);
      const hits: (SearchHit & { order: number })[] = [];
      for (const n of spacesIn) {
        checkEmbedding(query, n.rec.dim);
        const q = normalized(query);
        for (const st of n.items.values()) {
          if (st.unit && matchesFilter(st.item, filter)) hits.push({ id: st.item.id, ns: n.rec.id, score: dot(q, st.unit), order: st.order });
        }
      }
      hits.sort((a, b) => b.score - a.score || a.order - b.order);
      return hits.slice(0, k).map(({ id, ns: s, score }) => ({ id, ns: s, score }));
    },
    async changesSince(ns, since, limit = 1000) {
      open();
      return nsOf(ns).changes.filter((c) => c.seq > since).slice(0, limit).map((c) => ({ ...c }));
    },
    async sweepExpired(now, limit = 10_000) {
      open();
      if (!Number.isFinite(now)) throw new AiosError('EINVAL', 'now must be a number', { arg: 'now' });
      let count = 0;
      for (const n of spaces.values()) {
        for (const st of [...n.items.values()]) {
          if (count >= limit) return count;
          if (st.item.expiresAt !== undefined && st.item.expiresAt <= now) { remove(n, st, 'expire', now); count++; }
        }
      }
      return count;
    },
    async nextExpiry() {
      open();
      let t: number | null = null;
      for (const n of spaces.values()) for (const st of n.items.values()) if (st.item.expiresAt !== undefined && (t === null || st.item.expiresAt < t)) t = st.item.expiresAt;
      return t;
    },
    async stats(ns) { open(); const n = nsOf(ns); return { items: n.items.size, bytes: n.bytes, seq: n.seq }; },
    async setEmbeddings(ns, embedder, dim, vectors) {
      open();
      const n = nsOf(ns);
      if (typeof embedder !== 'string' || !Number.isInteger(dim) || dim < 1 || dim > 4096) {
        throw new AiosError('EINVAL', 'embedder name and dim 1..4096 required', { arg: 'dim' });
      }
      for (const v of vectors.values()) checkEmbedding(v, dim);
      let count = 0;
      for (const st of n.items.values()) {
        const v = vectors.get(st.item.id);
        if (v) { st.item.embedding = new Float32Array(v); count++; }
        else if (dim !== n.rec.dim) delete st.item.embedding;
        else continue;
        const b = itemBytes(st.item);
        n.bytes += b - st.bytes;
        st.bytes = b;
        if (st.item.embedding) st.unit = normalized(st.item.embedding);
        else delete st.unit;
      }
      n.rec.embedder = embedder;
      n.rec.dim = dim;
      return count;
    },
    async flush() { open(); },
    async close() { closed = true; kv.clear(); queues.clear(); spaces.clear(); },
  };
}
