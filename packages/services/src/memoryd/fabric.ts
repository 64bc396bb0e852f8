// The memory fabric: namespaces of semantic memory items over an injected StorageDriver and
// EmbedderDriver. Policy lives here (access, quotas, TTL, hybrid ranking); the driver only stores.
// Trusts the storage and embedder it is given; checks every caller argument.
import { AiosError, limits } from '@aios/abi';
import type {
  ChangeRecord, EmbedderDriver, ItemFilter, ItemInput, JsonValue, MemoryItem, MemoryStore, NamespaceRecord, NamespaceStats,
  Provenance, PutResult,
} from '@aios/abi';
import { authorize, type AclHook, type Caller, type MemOp, type NamespacePolicy } from './access.ts';
import { reciprocalRankFusion, RRF_K } from './rrf.ts';
import { exportLines, parseImportLine, type ExportOptions, type ImportResult } from './jsonl.ts';

export interface Quota {
  maxItems?: number;
  maxBytes?: number;
}

export interface NamespaceInfo {
  id: string;
  owner: string;
  embedder: string;
  dim: number;
  created: number;
  shared: boolean;
  quota: Quota;
}

export interface FabricOptions {
  storage: MemoryStore;
  /** Embedder for new namespaces and queries. */
  embedder: EmbedderDriver;
  clock: { now(): number };
  /** Other embedders by name (for namespaces created with them). reembed() registers its target here. */
  embedders?: readonly EmbedderDriver[];
  /** New item ids (default: crypto.randomUUID). */
  ids?: () => string;
  acl?: AclHook;
  /** Quota applied to namespaces created without one. */
  defaultQuota?: Quota;
}

export interface CreateNamespaceOptions {
  /** Default: "<owner>:<random id>". */
  id?: string;
  shared?: boolean;
  quota?: Quota;
}

export interface PutRequest {
  key?: string;
  text: string;
  data?: JsonValue;
  tags?: string[];
  provenance?: Provenance;
  /** Lifetime from now in ms; or an absolute expiresAt. Not both. */
  ttlMs?: number;
  expiresAt?: number;
}

export interface UpdateRequest {
  text?: string;
  data?: JsonValue;
  tags?: string[];
  provenance?: Provenance;
  ttlMs?: number;
  /** null clears the expiry. */
  expiresAt?: number | null;
}

export type SearchMode = 'hybrid' | 'text' | 'vector';

export interface SearchRequest {
  ns: string[];
  query: string;
  /** Results wanted (default 10, max limits.MEMORY_SEARCH_K_MAX). */
  k?: number;
  mode?: SearchMode;
  filter?: Omit<ItemFilter, 'now'>;
  /** Length of each list fed to fusion (default max(4k, 50)). */
  candidates?: number;
}

export interface FabricHit {
  ns: string;
  id: string;
  /** hybrid: RRF score; text: BM25 (positive); vector: cosine. */
  score: number;
  /** 1-based ranks in the text list and the vector list(s) (hybrid only). */
  textRank?: number;
  vectorRank?: number;
  item: MemoryItem;
}

export interface Subscription {
  close(): void;
}

export interface ReembedProgress {
  done: number;
  total: number;
}

export interface Fabric {
  createNamespace(caller: Caller, opts?: CreateNamespaceOptions): Promise<NamespaceInfo>;
  getNamespace(caller: Caller, ns: string): Promise<NamespaceInfo>;
  /** Namespaces the caller owns. */
  listNamespaces(caller: Caller): Promise<NamespaceInfo[]>;
  /** Owner only: change sharing and quota. */
  configureNamespace(caller: Caller, ns: string, change: { shared?: boolean; quota?: Quota }): Promise<NamespaceInfo>;
  deleteNamespace(caller: Caller, ns: string): Promise<boolean>;

  put(caller: Caller, ns: string, req: PutRequest): Promise<PutResult>;
  /** Several puts, embedded in one embedder call and written in one transaction. */
  putMany(caller: Caller, ns: string, reqs: readonly PutRequest[]): Promise<PutResult[]>;
  /** undefined if missing or expired. */
  get(caller: Caller, ns: string, id: string): Promise<MemoryItem | undefined>;
  getByKey(caller: Caller, ns: string, key: string): Promise<MemoryItem | undefined>;
  update(caller: Caller, ns: string, id: string, req: UpdateRequest, opts?: { expectedVersion?: number }): Promise<MemoryItem>;
  delete(caller: Caller, ns: string, id: string, opts?: { expectedVersion?: number }): Promise<boolean>;
  list(caller: Caller, ns: string, opts?: { after?: string; limit?: number; filter?: Omit<ItemFilter, 'now'> }): Promise<MemoryItem[]>;
  search(caller: Caller, req: SearchRequest): Promise<FabricHit[]>;
  /** Delivers every change with seq > since (default: from now on), in order, until closed. */
  subscribe(caller: Caller, ns: string, listener: (c: ChangeRecord) => void, opts?: { since?: number }): Promise<Subscription>;
  exportJsonl(caller: Caller, ns: string, opts?: ExportOptions): AsyncGenerator<string>;
  importJsonl(caller: Caller, ns: string, lines: string | Iterable<string> | AsyncIterable<string>): Promise<ImportResult>;
  stats(caller: Caller, ns: string): Promise<NamespaceStats>;
  /** Deletes expired items everywhere; returns how many. (memoryd calls it when sweepDue() says so.) */
  sweep(): Promise<number>;
  /**
   * When the next sweep is due (ms since epoch): the earliest expiry in storage as of the last sweep (asked once
   * at first), lowered by this fabric's later writes; null when nothing expires. No storage call once known.
   */
  sweepDue(): Promise<number | null>;
  /**
   * Re-embeds every item of ns with `embedder` (default: the fabric's own, e.g. after the node changed
   * embedders) in the background. Searches keep using the old vectors until the swap, which is atomic; writes
   * meanwhile are embedded with both. Resolves with the count. Needs the namespace's admin right.
   */
  reembed(caller: Caller, ns: string, embedder?: EmbedderDriver, onProgress?: (p: ReembedProgress) => void): Promise<{ count: number }>;
}

const utf8 = new TextEncoder();
const bytesOf = (s: string): number => utf8.encode(s).length;
/** Same accounting as NamespaceStats.bytes in @aios/abi. */
function sizeOf(it: { key?: string; text: string; data?: JsonValue; tags?: string[]; provenance?: unknown }, dim: number): number {
  return bytesOf(it.text) + (it.key ? bytesOf(it.key) : 0) + bytesOf(JSON.stringify(it.data ?? null)) +
    bytesOf(JSON.stringify(it.tags ?? [])) + bytesOf(JSON.stringify(it.provenance ?? {})) + dim * 4;
}

const REEMBED_BATCH = 128;

export function createFabric(opts: FabricOptions): Fabric {
  const { storage, clock, acl } = opts;
  const embedders = new Map<string, EmbedderDriver>();
  for (const e of [opts.embedder, ...(opts.embedders ?? [])]) embedders.set(e.info.name, e);
  const newId = opts.ids ?? (() => crypto.randomUUID());
  const locks = new Map<string, Promise<unknown>>();
  const reembedding = new Map<string, { embedder: EmbedderDriver; staged: Map<string, Float32Array> }>();
  const subs = new Map<string, Set<{ cursor: number; pump: () => Promise<void> }>>();

  /** Serialises writes per namespace (quota checks and the re-embed swap rely on it). */
  function withLock<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(ns) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(() => undefined, () => undefined);
    locks.set(ns, tail);
    void tail.then(() => {
      if (locks.get(ns) === tail) locks.delete(ns);
    });
    return run;
  }

  const info = (r: NamespaceRecord): NamespaceInfo => ({
    id: r.id, owner: r.owner, embedder: r.embedder, dim: r.dim, created: r.created,
    shared: r.meta['shared'] === true, quota: (r.meta['quota'] ?? {}) as Quota,
  });
  const policy = (r: NamespaceRecord): NamespacePolicy => ({ id: r.id, owner: r.owner, shared: r.meta['shared'] === true });

  async function open(caller: Caller, ns: string, op: MemOp): Promise<NamespaceRecord> {
    if (typeof ns !== 'string') throw new AiosError('EINVAL', 'ns must be a string', { arg: 'ns' });
    const r = await storage.getNamespace(ns);
    if (!r) throw new AiosError('ENOENT', 'no such namespace', { ns });
    authorize(caller, policy(r), op, acl);
    return r;
  }

  function embedderOf(r: NamespaceRecord): EmbedderDriver {
    const e = embedders.get(r.embedder);
    if (!e) throw new AiosError('EIO', 'the namespace embedder is not available', { ns: r.id, embedder: r.embedder });
    return e;
  }

  async function embed(e: EmbedderDriver, texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const out = await e.embed(texts);
    if (out.length !== texts.length || out.some((v) => v.length !== e.dim)) {
      throw new AiosError('EIO', 'embedder returned vectors of the wrong count or dim', { embedder: e.info.name, dim: e.dim });
    }
    return out;
  }

  function checkQuota(q: Quota): Quota {
    const out: Quota = {};
    for (const f of ['maxItems', 'maxBytes'] as const) {
      const v = q?.[f];
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v) || v < 0) throw new AiosError('EINVAL', `${f} must be a non-negative integer`, { arg: f });
      out[f] = v;
    }
    return out;
  }

  /** The earliest expiry known (see sweepDue); undefined until storage was asked. */
  let dueAt: number | null | undefined;
  const noteExpiry = (t: number): void => {
    if (dueAt !== undefined && (dueAt === null || t < dueAt)) dueAt = t;
  };

  function expiryOf(req: { ttlMs?: number; expiresAt?: number | null }, now: number): number | null | undefined {
    if (req.ttlMs !== undefined && req.expiresAt !== undefined) throw new AiosError('EINVAL', 'give ttlMs or expiresAt, not both', { arg: 'ttlMs' });
    if (req.ttlMs !== undefined) {
      if (!Number.isFinite(req.ttlMs) || req.ttlMs <= 0) throw new AiosError('EINVAL', 'ttlMs must be positive', { arg: 'ttlMs' });
      return now + req.ttlMs;
    }
    return req.expiresAt;
  }

  /** Notifies subscribers of ns (each pumps its own cursor forward). */
  function notify(ns: string): void {
    for (const s of subs.get(ns) ?? []) void s.pump();
  }

  async function putBatch(caller: Caller, ns: string, reqs: readonly PutRequest[]): Promise<PutResult[]> {
    if (!Array.isArray(reqs)) throw new AiosError('EINVAL', 'requests must be an array', { arg: 'reqs' });
    const r = await open(caller, ns, 'write');
    return withLock(ns, async () => {
      const now = clock.now();
      const cur = (await storage.getNamespace(ns)) ?? r; // the embedder may have changed while waiting
      const e = embedderOf(cur);
      for (const q of reqs) {
        if (q === null || typeof q !== 'object' || typeof q.text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { arg: 'text' });
      }
      const vecs = await embed(e, reqs.map((q) => q.text));
      const inputs: ItemInput[] = reqs.map((q, i) => {
        const exp = expiryOf(q, now);
        const input: ItemInput = {
          id: newId(), ns, text: q.text, embedding: vecs[i]!, author: caller.actor, now,
          ...(q.key !== undefined ? { key: q.key } : {}), ...(q.data !== undefined ? { data: q.data } : {}),
          ...(q.tags !== undefined ? { tags: q.tags } : {}), ...(q.provenance !== undefined ? { provenance: q.provenance } : {}),
          ...(exp !== undefined && exp !== null ? { expiresAt: exp } : {}),
        };
        return input;
      });
      await enforceQuota(cur, inputs);
      const re = reembedding.get(ns);
      const staged = re ? await embed(re.embedder, reqs.map((q) => q.text)) : [];
      const results = await storage.putItems(inputs);
      for (const q of inputs) if (q.expiresAt !== undefined) noteExpiry(q.expiresAt);
      if (re) results.forEach((res, i) => re.staged.set(res.item.id, staged[i]!));
      notify(ns);
      return results;
    });
  }

  async function enforceQuota(r: NamespaceRecord, inputs: readonly ItemInput[]): Promise<void> {
    const q = info(r).quota;
    if (q.maxItems === undefined && q.maxBytes === undefined) return;
    const st = await storage.stats(r.id);
    let items = st.items;
    let bytes = st.bytes;
    const seenKeys = new Map<string, number>();
    for (const input of inputs) {
      const size = sizeOf(input, r.dim);
      let old: number | undefined;
      if (input.key !== undefined) {
        old = seenKeys.get(input.key);
        if (old === undefined) {
          const ex = await storage.getByKey(r.id, input.key);
          if (ex) old = sizeOf(ex, ex.embedding ? ex.embedding.length : 0);
        }
        seenKeys.set(input.key, size);
      }
      if (old === undefined) items++;
      bytes += size - (old ?? 0);
      if (q.maxItems !== undefined && items > q.maxItems) throw new AiosError('EQUOTA', 'namespace item quota exceeded', { resource: 'items', limit: q.maxItems, used: items - 1 });
      if (q.maxBytes !== undefined && bytes > q.maxBytes) throw new AiosError('EQUOTA', 'namespace byte quota exceeded', { resource: 'bytes', limit: q.maxBytes, used: bytes - size + (old ?? 0) });
    }
  }

  const live = (it: MemoryItem | undefined): MemoryItem | undefined =>
    it && (it.expiresAt === undefined || it.expiresAt > clock.now()) ? it : undefined;

  async function vectorLists(records: NamespaceRecord[], query: string, n: number, filter: ItemFilter): Promise<{ ns: string; id: string; score: number }[][]> {
    // One list per embedder: scores of different embedders are not comparable, ranks are.
    const groups = new Map<string, NamespaceRecord[]>();
    for (const r of records) groups.set(`${r.embedder}/${r.dim}`, [...(groups.get(`${r.embedder}/${r.dim}`) ?? []), r]);
    const lists: { ns: string; id: string; score: number }[][] = [];
    for (const rs of groups.values()) {
      const [q] = await embed(embedderOf(rs[0]!), [query]);
      lists.push(await storage.vectorSearch(rs.map((r) => r.id), q!, n, filter));
    }
    return lists;
  }

  return {
    async createNamespace(caller, o = {}) {
      if (!caller || typeof caller.actor !== 'string' || caller.actor === '') throw new AiosError('EINVAL', 'caller.actor required', { arg: 'caller' });
      const quota = checkQuota(o.quota ?? opts.defaultQuota ?? {});
      const rec: NamespaceRecord = {
        id: o.id ?? `${caller.actor}:${newId()}`, owner: caller.actor, embedder: opts.embedder.info.name, dim: opts.embedder.dim,
        created: clock.now(), meta: { shared: o.shared === true, quota: quota as { [k: string]: JsonValue } },
      };
      await storage.createNamespace(rec);
      return info(rec);
    },
    async getNamespace(caller, ns) {
      return info(await open(caller, ns, 'read'));
    },
    async listNamespaces(caller) {
      return (await storage.listNamespaces(caller.actor)).map(info);
    },
    async configureNamespace(caller, ns, change) {
      const r = await open(caller, ns, 'admin');
      const meta = { ...r.meta };
      if (change.shared !== undefined) meta['shared'] = change.shared === true;
      if (change.quota !== undefined) meta['quota'] = checkQuota(change.quota) as { [k: string]: JsonValue };
      await storage.updateNamespaceMeta(ns, meta);
      return info({ ...r, meta });
    },
    async deleteNamespace(caller, ns) {
      await open(caller, ns, 'admin');
      return withLock(ns, () => storage.deleteNamespace(ns));
    },

    async put(caller, ns, req) {
      return (await putBatch(caller, ns, [req]))[0]!;
    },
    putMany: putBatch,
    async get(caller, ns, id) {
      await open(caller, ns, 'read');
      return live(await storage.getItem(ns, id));
    },
    async getByKey(caller, ns, key) {
      await open(caller, ns, 'read');
      return live(await storage.getByKey(ns, key));
    },
    async update(caller, ns, id, req, o = {}) {
      await open(caller, ns, 'write');
      if (req === null || typeof req !== 'object') throw new AiosError('EINVAL', 'update must be an object', { arg: 'req' });
      return withLock(ns, async () => {
        const r = (await storage.getNamespace(ns))!;
        const now = clock.now();
        const current = live(await storage.getItem(ns, id));
        if (!current) throw new AiosError('ENOENT', 'no such item', { ns, id });
        const exp = expiryOf(req, now);
        let embedding: Float32Array | undefined;
        if (req.text !== undefined) {
          if (typeof req.text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { arg: 'text' });
          [embedding] = await embed(embedderOf(r), [req.text]);
        }
        const q = info(r).quota;
        if (q.maxBytes !== undefined) {
          const st = await storage.stats(ns);
          const size = sizeOf({ ...current, ...req, ...(current.key !== undefined ? { key: current.key } : {}) }, r.dim);
          const old = sizeOf(current, current.embedding?.length ?? 0);
          if (st.bytes - old + size > q.maxBytes) throw new AiosError('EQUOTA', 'namespace byte quota exceeded', { resource: 'bytes', limit: q.maxBytes, used: st.bytes });
        }
        const item = await storage.updateItem(
          ns, id,
          {
            ...(req.text !== undefined ? { text: req.text } : {}), ...(embedding ? { embedding } : {}),
            ...(req.data !== undefined ? { data: req.data } : {}), ...(req.tags !== undefined ? { tags: req.tags } : {}),
            ...(req.provenance !== undefined ? { provenance: req.provenance } : {}), ...(exp !== undefined ? { expiresAt: exp } : {}),
          },
          { author: caller.actor, now, ...(o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {}) },
        );
        if (typeof exp === 'number') noteExpiry(exp);
        const re = reembedding.get(ns);
        if (re && req.text !== undefined) re.staged.set(id, (await embed(re.embedder, [req.text]))[0]!);
        notify(ns);
        return item;
      });
    },
    async delete(caller, ns, id, o = {}) {
      await open(caller, ns, 'write');
      return withLock(ns, async () => {
        const ok = await storage.deleteItem(ns, id, { now: clock.now(), ...(o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {}) });
        reembedding.get(ns)?.staged.delete(id);
        if (ok) notify(ns);
        return ok;
      });
    },
    async list(caller, ns, o = {}) {
      await open(caller, ns, 'read');
      return storage.listItems(ns, { ...o, filter: { ...o.filter, now: clock.now() } });
    },
    async search(caller, req) {
      if (!req || !Array.isArray(req.ns) || req.ns.length === 0) throw new AiosError('EINVAL', 'ns must be a non-empty array', { arg: 'ns' });
      if (typeof req.query !== 'string') throw new AiosError('EINVAL', 'query must be a string', { arg: 'query' });
      const k = req.k ?? 10;
      if (!Number.isInteger(k) || k < 1 || k > limits.MEMORY_SEARCH_K_MAX) throw new AiosError('EINVAL', `k must be 1..${limits.MEMORY_SEARCH_K_MAX}`, { arg: 'k' });
      const mode = req.mode ?? 'hybrid';
      if (mode !== 'hybrid' && mode !== 'text' && mode !== 'vector') throw new AiosError('EINVAL', 'unknown search mode', { arg: 'mode' });
      const records: NamespaceRecord[] = [];
      for (const ns of new Set(req.ns)) records.push(await open(caller, ns, 'search'));
      const ids = records.map((r) => r.id);
      const now = clock.now();
      const filter: ItemFilter = { ...req.filter, now };
      const n = Math.min(10_000, req.candidates ?? Math.max(4 * k, 50));
      let ranked: { ns: string; id: string; score: number; textRank?: number; vectorRank?: number }[];
      if (mode === 'text') {
        ranked = await storage.textSearch(ids, req.query, k, filter);
      } else if (mode === 'vector') {
        const lists = await vectorLists(records, req.query, k, filter);
        ranked = lists.length === 1 ? lists[0]! : reciprocalRankFusion(lists, RRF_K);
      } else {
        const text = await storage.textSearch(ids, req.query, n, filter);
        const vec = await vectorLists(records, req.query, n, filter);
        ranked = reciprocalRankFusion([text, ...vec], RRF_K).map((f) => {
          const vr = f.ranks.slice(1).filter((x): x is number => x !== undefined);
          return {
            ns: f.ns, id: f.id, score: f.score,
            ...(f.ranks[0] !== undefined ? { textRank: f.ranks[0] } : {}), ...(vr.length ? { vectorRank: Math.min(...vr) } : {}),
          };
        });
      }
      // The hits' items in batches (one storage read per namespace per batch, not one per hit); a batch is the
      // hits still wanted, so expired or vanished items are made up from the next ranks.
      const out: FabricHit[] = [];
      for (let at = 0; at < ranked.length && out.length < k;) {
        const batch = ranked.slice(at, at + Math.min(k - out.length, limits.STORAGE_GET_ITEMS_MAX));
        at += batch.length;
        const items = new Map<string, MemoryItem | undefined>();
        for (const space of new Set(batch.map((h) => h.ns))) {
          const ids = batch.filter((h) => h.ns === space).map((h) => h.id);
          const got = await storage.getItems(space, ids);
          ids.forEach((id, i) => items.set(`${space}\u0000${id}`, got[i]));
        }
        for (const h of batch) {
          const item = live(items.get(`${h.ns}\u0000${h.id}`));
          if (!item) continue;
          const hit: FabricHit = { ns: h.ns, id: h.id, score: h.score, item };
          if (h.textRank !== undefined) hit.textRank = h.textRank;
          if (h.vectorRank !== undefined) hit.vectorRank = h.vectorRank;
          out.push(hit);
        }
      }
      return out;
    },
    async subscribe(caller, ns, listener, o = {}) {
      await open(caller, ns, 'read');
      if (typeof listener !== 'function') throw new AiosError('EINVAL', 'listener must be a function', { arg: 'listener' });
      let closed = false;
      let running: Promise<void> | undefined;
      let again = false;
      const sub = {
        cursor: o.since ?? (await storage.stats(ns)).seq,
        pump: async (): Promise<void> => {
          if (running) { again = true; return running; }
          running = (async () => {
            do {
              again = false;
              for (;;) {
                if (closed) return;
                const batch = await storage.changesSince(ns, sub.cursor, 500).catch(() => [] as ChangeRecord[]);
                if (batch.length === 0) break;
                for (const c of batch) {
                  if (closed) return;
                  sub.cursor = c.seq;
                  listener(c);
                }
              }
            } while (again);
          })().finally(() => { running = undefined; });
          return running;
        },
      };
      let set = subs.get(ns);
      if (!set) subs.set(ns, (set = new Set()));
      set.add(sub);
      await sub.pump();
      return {
        close() {
          closed = true;
          set.delete(sub);
        },
      };
    },
    async *exportJsonl(caller, ns, o = {}) {
      const r = await open(caller, ns, 'read');
      yield* exportLines(r, (after) => storage.listItems(ns, { limit: 500, filter: { now: clock.now() }, ...(after !== undefined ? { after } : {}) }), o);
    },
    async importJsonl(caller, ns, lines) {
      await open(caller, ns, 'write');
      const src = typeof lines === 'string' ? lines.split('\n') : lines;
      const result: ImportResult = { imported: 0, updated: 0, unchanged: 0, skipped: [] };
      let lineNo = 0;
      for await (const line of src as AsyncIterable<string>) {
        lineNo++;
        if (line.trim() === '') continue;
        const parsed = parseImportLine(line);
        if (parsed === 'header') continue;
        if ('error' in parsed) { result.skipped.push({ line: lineNo, code: 'EINVAL', message: parsed.error }); continue; }
        try {
          const [res] = await putBatch(caller, ns, [parsed.req]);
          if (res!.created) result.imported++;
          else if (res!.changed) result.updated++;
          else result.unchanged++;
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'EIO';
          if (code === 'EQUOTA') throw e;
          result.skipped.push({ line: lineNo, code, message: (e as Error).message });
        }
      }
      return result;
    },
    async stats(caller, ns) {
      await open(caller, ns, 'read');
      return storage.stats(ns);
    },
    async sweep() {
      const n = await storage.sweepExpired(clock.now());
      if (n > 0) for (const ns of subs.keys()) notify(ns);
      dueAt = await storage.nextExpiry();
      return n;
    },
    async sweepDue() {
      if (dueAt === undefined) dueAt = await storage.nextExpiry();
      return dueAt;
    },
    async reembed(caller, ns, embedder = opts.embedder, onProgress) {
      await open(caller, ns, 'admin');
      if (reembedding.has(ns)) throw new AiosError('EBUSY', 're-embedding already running', { ns });
      embedders.set(embedder.info.name, embedder);
      const job = { embedder, staged: new Map<string, Float32Array>() };
      reembedding.set(ns, job);
      try {
        const total = (await storage.stats(ns)).items;
        let done = 0;
        onProgress?.({ done, total });
        let after: string | undefined;
        for (;;) {
          const page = await storage.listItems(ns, { limit: REEMBED_BATCH, ...(after !== undefined ? { after } : {}) });
          if (page.length === 0) break;
          const vecs = await embed(embedder, page.map((it) => it.text));
          page.forEach((it, i) => { if (!job.staged.has(it.id)) job.staged.set(it.id, vecs[i]!); });
          after = page[page.length - 1]!.id;
          done += page.length;
          onProgress?.({ done, total: Math.max(total, done) });
        }
        const count = await withLock(ns, () => storage.setEmbeddings(ns, embedder.info.name, embedder.dim, job.staged));
        return { count };
      } finally {
        reembedding.delete(ns);
      }
    },
  };
}
