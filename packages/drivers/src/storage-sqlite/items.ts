// Memory items on SQLite (MemoryStore): namespaces, items, FTS5/BM25 text search, change feed, and the
// per-namespace vector index (vectors.ts, persisted as "<db>.<ns>.hnsw"). Each public call is one
// transaction; vector-index edits are applied only after the transaction commits.
import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AiosError } from '@aios/abi';
import type {
  ChangeRecord, ItemFilter, ItemInput, ItemPatch, JsonValue, MemoryItem, MemoryStore, NamespaceRecord, PutResult, SearchHit,
} from '@aios/abi';
import {
  checkItemIds,
  blobToVec, checkEmbedding, checkItemInput, checkK, checkNamespace, checkNsId, checkTags, hasFilter, itemBytes, matchesFilter,
  queryTerms, sameContent, toJson, vecToBlob,
} from '../storage-memory/shared.ts';
import { NsVectorIndex, type HnswParams } from './vectors.ts';

interface NsRow {
  id: string; owner: string; embedder: string; dim: number; created: number; meta: string;
  seq: number; items: number; bytes: number; vec_seq: number; index_seq: number | null;
}
interface ItemRow {
  rowid: number; ns: string; id: string; key: string | null; text: string; data: string; embedding: Buffer | null;
  tags: string; author: string; provenance: string; created: number; updated: number; expires_at: number | null;
  version: number; seq: number; bytes: number;
}
interface FilterRow { rowid: number; id: string; ns: string; tags: string; data: string; author: string; expires_at: number | null }

/** Vectors moved into an HNSW graph per event-loop turn by the background drain. */
const DRAIN_CHUNK = 256;

type VecEdit = { ns: string; label: number; vec: Float32Array | undefined };

function toItem(r: ItemRow): MemoryItem {
  const it: MemoryItem = {
    id: r.id, ns: r.ns, text: r.text, data: JSON.parse(r.data) as JsonValue, tags: JSON.parse(r.tags) as string[],
    author: r.author, provenance: JSON.parse(r.provenance) as MemoryItem['provenance'], created: r.created,
    updated: r.updated, version: r.version, seq: r.seq,
  };
  if (r.key !== null) it.key = r.key;
  if (r.embedding) it.embedding = blobToVec(r.embedding);
  if (r.expires_at !== null) it.expiresAt = r.expires_at;
  return it;
}

function toNs(r: NsRow): NamespaceRecord {
  return { id: r.id, owner: r.owner, embedder: r.embedder, dim: r.dim, created: r.created, meta: JSON.parse(r.meta) as NamespaceRecord['meta'] };
}

function passes(r: FilterRow, f: ItemFilter | undefined): boolean {
  return matchesFilter(
    { tags: JSON.parse(r.tags) as string[], data: JSON.parse(r.data) as JsonValue, author: r.author, ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}) },
    f,
  );
}

/** FTS5 query from free text: every distinct non-stopword, quoted, OR-ed (BM25 ranks docs matching more/rarer words first). */
export function ftsQuery(text: string): string {
  return queryTerms(text).map((t) => `"${t}"`).join(' OR ');
}

export interface SqliteItems extends MemoryStore {
  /** Persists dirty ANN indexes beside the database file (draining their write buffers first). */
  flushIndexes(): void;
  /** Stops the background drain (before close). */
  stop(): void;
}

export function createSqliteItems(db: Database.Database, path: string, hnsw: HnswParams): SqliteItems {
  const s = {
    nsInsert: db.prepare('INSERT INTO ns (id, owner, embedder, dim, created, meta) VALUES (?, ?, ?, ?, ?, ?)'),
    nsGet: db.prepare('SELECT * FROM ns WHERE id = ?'),
    nsAll: db.prepare('SELECT * FROM ns ORDER BY id'),
    nsByOwner: db.prepare('SELECT * FROM ns WHERE owner = ? ORDER BY id'),
    nsMeta: db.prepare('UPDATE ns SET meta = ? WHERE id = ?'),
    nsDelete: db.prepare('DELETE FROM ns WHERE id = ?'),
    nsDeleteItems: db.prepare('DELETE FROM item WHERE ns = ?'),
    nsDeleteChanges: db.prepare('DELETE FROM change WHERE ns = ?'),
    nsBump: db.prepare(`UPDATE ns SET seq = seq + 1, items = items + ?, bytes = bytes + ?,
      vec_seq = CASE WHEN ? THEN seq + 1 ELSE vec_seq END WHERE id = ? RETURNING seq`),
    nsIndexed: db.prepare('UPDATE ns SET index_seq = vec_seq WHERE id = ?'),
    nsEmbedder: db.prepare('UPDATE ns SET embedder = ?, dim = ?, index_seq = NULL WHERE id = ?'),
    nsBytes: db.prepare('UPDATE ns SET bytes = (SELECT coalesce(sum(bytes), 0) FROM item WHERE ns = ?) WHERE id = ?'),
    itemInsert: db.prepare(`INSERT INTO item (ns, id, key, text, data, embedding, tags, author, provenance, created, updated,
      expires_at, version, seq, bytes) VALUES (@ns, @id, @key, @text, @data, @embedding, @tags, @author, @provenance, @created,
      @updated, @expires_at, @version, @seq, @bytes)`),
    itemUpdate: db.prepare(`UPDATE item SET text = @text, data = @data, embedding = @embedding, tags = @tags, author = @author,
      provenance = @provenance, updated = @updated, expires_at = @expires_at, version = @version, seq = @seq, bytes = @bytes
      WHERE rowid = @rowid`),
    itemVec: db.prepare('UPDATE item SET embedding = ?, bytes = bytes + ? WHERE rowid = ?'),
    itemGet: db.prepare('SELECT rowid, * FROM item WHERE ns = ? AND id = ?'),
    itemsGet: db.prepare('SELECT rowid, * FROM item WHERE ns = ? AND id IN (SELECT value FROM json_each(?))'),
    itemByKey: db.prepare('SELECT rowid, * FROM item WHERE ns = ? AND key = ?'),
    itemDelete: db.prepare('DELETE FROM item WHERE rowid = ?'),
    itemFilterRow: db.prepare('SELECT rowid, id, ns, tags, data, author, expires_at FROM item WHERE rowid = ?'),
    itemsOfNs: db.prepare('SELECT rowid, * FROM item WHERE ns = ? AND rowid > ? ORDER BY rowid'),
    vectorsOfNs: db.prepare('SELECT rowid, embedding FROM item WHERE ns = ? AND embedding IS NOT NULL ORDER BY rowid'),
    changeInsert: db.prepare('INSERT INTO change (ns, seq, op, id, key, version, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    changes: db.prepare('SELECT * FROM change WHERE ns = ? AND seq > ? ORDER BY seq LIMIT ?'),
    expired: db.prepare('SELECT rowid, * FROM item WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?'),
    nextExpiry: db.prepare('SELECT MIN(expires_at) AS t FROM item WHERE expires_at IS NOT NULL'),
    fts: db.prepare(`SELECT i.rowid, i.id, i.ns, i.tags, i.data, i.author, i.expires_at, bm25(item_fts) AS rank
      FROM item_fts JOIN item i ON i.rowid = item_fts.rowid
      WHERE item_fts MATCH ? AND i.ns IN (SELECT value FROM json_each(?)) ORDER BY rank LIMIT ?`),
  };

  const indexes = new Map<string, NsVectorIndex>();
  // Background drain of the ANN write buffers, DRAIN_CHUNK vectors per event-loop turn.
  let drainTimer: NodeJS.Immediate | undefined;
  const scheduleDrain = (): void => {
    if (drainTimer) return;
    drainTimer = setImmediate(() => {
      drainTimer = undefined;
      let left = 0;
      for (const idx of indexes.values()) left += idx.drain(DRAIN_CHUNK);
      if (left > 0) scheduleDrain();
    });
    drainTimer.unref();
  };
  let edits: VecEdit[] = [];
  const fileOf = (ns: string): string | undefined => (path === ':memory:' || path === '' ? undefined : `${path}.${encodeURIComponent(ns)}.hnsw`);

  /** Runs fn in a transaction, then applies (or on failure drops) the vector edits it queued. */
  function tx<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => R {
    const t = db.transaction(fn);
    return (...a: A) => {
      edits = [];
      try {
        const r = t(...a);
        for (const e of edits) {
          const idx = indexes.get(e.ns);
          if (!idx) continue;
          if (e.vec) idx.upsert(e.label, e.vec);
          else idx.remove(e.label);
          if (idx.backlog > 0) scheduleDrain();
        }
        return r;
      } finally {
        edits = [];
      }
    };
  }

  const nsRow = (id: string): NsRow => {
    const r = s.nsGet.get(id) as NsRow | undefined;
    if (!r) throw new AiosError('ENOENT', 'no such namespace', { ns: id });
    return r;
  };
  const bump = (ns: string, dItems: number, dBytes: number, vec: boolean): number =>
    (s.nsBump.get(dItems, dBytes, vec ? 1 : 0, ns) as { seq: number }).seq;

  function ensureIndex(ns: string): NsVectorIndex {
    const have = indexes.get(ns);
    if (have) return have;
    const r = nsRow(ns);
    const file = fileOf(ns);
    let idx: NsVectorIndex | undefined;
    if (file && r.index_seq !== null && r.index_seq === r.vec_seq && existsSync(file)) {
      try {
        idx = NsVectorIndex.load(file, r.dim, hnsw);
      } catch {
        idx = undefined; // unreadable file: rebuild below
      }
    }
    if (!idx) {
      idx = new NsVectorIndex(r.dim, hnsw);
      for (const row of s.vectorsOfNs.iterate(ns) as Iterable<{ rowid: number; embedding: Buffer }>) {
        idx.upsert(row.rowid, blobToVec(row.embedding));
      }
      idx.drain(); // a rebuild completes before the search that asked for it
    }
    indexes.set(ns, idx);
    return idx;
  }

  function putOne(input: ItemInput): PutResult {
    if (input === null || typeof input !== 'object') throw new AiosError('EINVAL', 'item input must be an object', { arg: 'input' });
    checkNsId(input.ns);
    const n = nsRow(input.ns);
    checkItemInput(input, n.dim);
    const data = toJson(input.data, 'data');
    const provenance = toJson(input.provenance ?? {}, 'provenance');
    const tags = input.tags ?? [];
    const existingRow = (input.key !== undefined ? s.itemByKey.get(input.ns, input.key) : undefined) as ItemRow | undefined;
    const next = {
      key: input.key, text: input.text, data: JSON.parse(data) as JsonValue, tags, provenance: JSON.parse(provenance) as JsonValue,
      embedding: input.embedding,
    };
    const size = itemBytes(next);
    if (!existingRow) {
      if (s.itemGet.get(input.ns, input.id)) throw new AiosError('EEXIST', 'an item with this id exists', { ns: input.ns, id: input.id });
      const seq = bump(input.ns, 1, size, input.embedding !== undefined);
      const row = {
        ns: input.ns, id: input.id, key: input.key ?? null, text: input.text, data, tags: JSON.stringify(tags),
        embedding: input.embedding ? vecToBlob(input.embedding) : null, author: input.author, provenance,
        created: input.now, updated: input.now, expires_at: input.expiresAt ?? null, version: 1, seq, bytes: size,
      };
      const rowid = Number(s.itemInsert.run(row).lastInsertRowid);
      s.changeInsert.run(input.ns, seq, 'put', input.id, input.key ?? null, 1, input.now);
      if (input.embedding) edits.push({ ns: input.ns, label: rowid, vec: input.embedding });
      return { item: toItem({ ...row, rowid } as ItemRow), created: true, changed: true };
    }
    const existing = toItem(existingRow);
    if (sameContent(existing, input)) return { item: existing, created: false, changed: false };
    const vecChanged = existingRow.embedding !== null || input.embedding !== undefined;
    const seq = bump(input.ns, 0, size - existingRow.bytes, vecChanged);
    const upd = {
      rowid: existingRow.rowid, text: input.text, data, tags: JSON.stringify(tags),
      embedding: input.embedding ? vecToBlob(input.embedding) : null, author: input.author, provenance, updated: input.now,
      expires_at: input.expiresAt ?? null, version: existingRow.version + 1, seq, bytes: size,
    };
    s.itemUpdate.run(upd);
    s.changeInsert.run(input.ns, seq, 'update', existingRow.id, existingRow.key, upd.version, input.now);
    if (vecChanged) edits.push({ ns: input.ns, label: existingRow.rowid, vec: input.embedding });
    return { item: toItem({ ...existingRow, ...upd }), created: false, changed: true };
  }

  const putMany = tx((inputs: readonly ItemInput[]) => inputs.map(putOne));

  const update = tx((ns: string, id: string, patch: ItemPatch, o: { author: string; now: number; expectedVersion?: number }): MemoryItem => {
    const r = s.itemGet.get(ns, id) as ItemRow | undefined;
    if (!r) throw new AiosError('ENOENT', 'no such item', { ns, id });
    if (o.expectedVersion !== undefined && o.expectedVersion !== r.version) {
      throw new AiosError('ECONFLICT', 'item version changed', { expected: o.expectedVersion, actual: r.version });
    }
    if (patch === null || typeof patch !== 'object') throw new AiosError('EINVAL', 'patch must be an object', { arg: 'patch' });
    const n = nsRow(ns);
    const cur = toItem(r);
    if (patch.text !== undefined && typeof patch.text !== 'string') throw new AiosError('EINVAL', 'text must be a string', { arg: 'text' });
    if (patch.tags !== undefined) checkTags(patch.tags);
    if (patch.embedding !== undefined) checkEmbedding(patch.embedding, n.dim);
    if (patch.expiresAt !== undefined && patch.expiresAt !== null && !Number.isFinite(patch.expiresAt)) {
      throw new AiosError('EINVAL', 'expiresAt must be a number or null', { arg: 'expiresAt' });
    }
    const data = patch.data !== undefined ? toJson(patch.data, 'data') : r.data;
    const provenance = patch.provenance !== undefined ? toJson(patch.provenance, 'provenance') : r.provenance;
    const tags = patch.tags ?? cur.tags;
    const embedding = patch.embedding ?? cur.embedding;
    const text = patch.text ?? cur.text;
    const size = itemBytes({ ...(cur.key !== undefined ? { key: cur.key } : {}), text, data: JSON.parse(data) as JsonValue, tags, provenance: JSON.parse(provenance), ...(embedding ? { embedding } : {}) });
    const seq = bump(ns, 0, size - r.bytes, patch.embedding !== undefined);
    const upd = {
      rowid: r.rowid, text, data, tags: JSON.stringify(tags), embedding: embedding ? vecToBlob(embedding) : null, author: o.author,
      provenance, updated: o.now, expires_at: patch.expiresAt === undefined ? r.expires_at : patch.expiresAt, version: r.version + 1,
      seq, bytes: size,
    };
    s.itemUpdate.run(upd);
    s.changeInsert.run(ns, seq, 'update', id, r.key, upd.version, o.now);
    if (patch.embedding) edits.push({ ns, label: r.rowid, vec: patch.embedding });
    return toItem({ ...r, ...upd });
  });

  const removeRow = (r: ItemRow, op: 'delete' | 'expire', now: number): void => {
    s.itemDelete.run(r.rowid);
    const seq = bump(r.ns, -1, -r.bytes, r.embedding !== null);
    s.changeInsert.run(r.ns, seq, op, r.id, r.key, r.version, now);
    if (r.embedding) edits.push({ ns: r.ns, label: r.rowid, vec: undefined });
  };

  const del = tx((ns: string, id: string, o: { now: number; expectedVersion?: number }): boolean => {
    const r = s.itemGet.get(ns, id) as ItemRow | undefined;
    if (!r) return false;
    if (o.expectedVersion !== undefined && o.expectedVersion !== r.version) {
      throw new AiosError('ECONFLICT', 'item version changed', { expected: o.expectedVersion, actual: r.version });
    }
    removeRow(r, 'delete', o.now);
    return true;
  });

  const sweep = tx((now: number, limit: number): number => {
    const rows = s.expired.all(now, limit) as ItemRow[];
    for (const r of rows) removeRow(r, 'expire', now);
    return rows.length;
  });

  const dropIndex = (ns: string): void => {
    indexes.delete(ns);
    const f = fileOf(ns);
    if (f) NsVectorIndex.removeFile(f);
  };

  const deleteNs = db.transaction((id: string): boolean => {
    s.nsDeleteItems.run(id);
    s.nsDeleteChanges.run(id);
    return s.nsDelete.run(id).changes > 0;
  });

  const setVecs = db.transaction((ns: string, embedder: string, dim: number, vectors: ReadonlyMap<string, Float32Array>): number => {
    const n = nsRow(ns);
    if (typeof embedder !== 'string' || !Number.isInteger(dim) || dim < 1 || dim > 4096) {
      throw new AiosError('EINVAL', 'embedder name and dim 1..4096 required', { arg: 'dim' });
    }
    for (const v of vectors.values()) checkEmbedding(v, dim);
    let count = 0;
    for (const r of s.itemsOfNs.all(ns, 0) as ItemRow[]) {
      const v = vectors.get(r.id);
      const oldBytes = r.embedding ? r.embedding.byteLength : 0;
      if (v) {
        s.itemVec.run(vecToBlob(v), v.byteLength - oldBytes, r.rowid);
        count++;
      } else if (dim !== n.dim && r.embedding) {
        s.itemVec.run(null, -oldBytes, r.rowid);
      }
    }
    s.nsEmbedder.run(embedder, dim, ns);
    s.nsBytes.run(ns, ns);
    return count;
  });

  function checkNsList(ns: readonly string[]): NsRow[] {
    if (!Array.isArray(ns) || ns.length === 0) throw new AiosError('EINVAL', 'ns must be a non-empty array', { arg: 'ns' });
    return ns.map((id) => {
      checkNsId(id);
      return nsRow(id);
    });
  }

  return {
    async createNamespace(ns) {
      checkNamespace(ns);
      if (s.nsGet.get(ns.id)) throw new AiosError('EEXIST', 'namespace exists', { ns: ns.id });
      s.nsInsert.run(ns.id, ns.owner, ns.embedder, ns.dim, ns.created, toJson(ns.meta ?? {}, 'meta'));
    },
    async getNamespace(id) {
      const r = s.nsGet.get(id) as NsRow | undefined;
      return r ? toNs(r) : undefined;
    },
    async listNamespaces(owner) {
      return ((owner === undefined ? s.nsAll.all() : s.nsByOwner.all(owner)) as NsRow[]).map(toNs);
    },
    async updateNamespaceMeta(id, meta) {
      nsRow(id);
      s.nsMeta.run(toJson(meta, 'meta'), id);
    },
    async deleteNamespace(id) {
      const ok = deleteNs(id);
      if (ok) dropIndex(id);
      return ok;
    },
    async putItem(input) {
      return putMany([input])[0]!;
    },
    async putItems(inputs) {
      if (!Array.isArray(inputs)) throw new AiosError('EINVAL', 'inputs must be an array', { arg: 'inputs' });
      return putMany(inputs);
    },
    async getItem(ns, id) {
      const r = s.itemGet.get(ns, id) as ItemRow | undefined;
      return r ? toItem(r) : undefined;
    },
    async getItems(ns, ids) {
      checkItemIds(ids);
      if (ids.length === 0) return [];
      // One statement for the batch (ids as a JSON array: no statement per batch size).
      const rows = s.itemsGet.all(ns, JSON.stringify(ids)) as ItemRow[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => { const r = byId.get(id); return r ? toItem(r) : undefined; });
    },
    async getByKey(ns, key) {
      const r = s.itemByKey.get(ns, key) as ItemRow | undefined;
      return r ? toItem(r) : undefined;
    },
    async updateItem(ns, id, patch, opts) {
      return update(ns, id, patch, opts);
    },
    async deleteItem(ns, id, opts) {
      return del(ns, id, opts);
    },
    async listItems(ns, o = {}) {
      nsRow(ns);
      const limit = o.limit ?? 100;
      let from = 0;
      if (o.after !== undefined) {
        const a = s.itemGet.get(ns, o.after) as ItemRow | undefined;
        if (!a) throw new AiosError('EINVAL', 'cursor item not found', { arg: 'after', id: o.after });
        from = a.rowid;
      }
      const out: MemoryItem[] = [];
      for (const r of s.itemsOfNs.iterate(ns, from) as Iterable<ItemRow>) {
        const it = toItem(r);
        if (!matchesFilter(it, o.filter)) continue;
        out.push(it);
        if (out.length >= limit) break;
      }
      return out;
    },
    async textSearch(ns, query, k, filter) {
      checkNsList(ns);
      checkK(k);
      if (typeof query !== 'string') throw new AiosError('EINVAL', 'query must be a string', { arg: 'query' });
      const q = ftsQuery(query);
      if (q === '') return [];
      const filtered = hasFilter(filter);
      const out: SearchHit[] = [];
      for (const r of s.fts.iterate(q, JSON.stringify(ns), filtered ? -1 : k) as Iterable<FilterRow & { rank: number }>) {
        if (filtered && !passes(r, filter)) continue;
        out.push({ id: r.id, ns: r.ns, score: -r.rank });
        if (out.length >= k) break;
      }
      return out;
    },
    async vectorSearch(ns, query, k, filter) {
      const rows = checkNsList(ns);
      checkK(k);
      const hits: SearchHit[] = [];
      for (const n of rows) {
        checkEmbedding(query, n.dim);
        const idx = ensureIndex(n.id);
        const accept = hasFilter(filter)
          ? (label: number) => {
              const r = s.itemFilterRow.get(label) as FilterRow | undefined;
              return !!r && passes(r, filter);
            }
          : undefined;
        for (const nb of idx.search(query, k, accept)) {
          const r = s.itemFilterRow.get(nb.label) as FilterRow | undefined;
          if (r) hits.push({ id: r.id, ns: r.ns, score: nb.score });
        }
      }
      hits.sort((a, b) => b.score - a.score);
      return hits.slice(0, k);
    },
    async changesSince(ns, since, limit = 1000) {
      nsRow(ns);
      return (s.changes.all(ns, since, limit) as (ChangeRecord & { key: string | null })[]).map((c) => {
        const out: ChangeRecord = { ns: c.ns, seq: c.seq, op: c.op, id: c.id, version: c.version, at: c.at };
        if (c.key !== null) out.key = c.key;
        return out;
      });
    },
    async sweepExpired(now, limit = 10_000) {
      if (!Number.isFinite(now)) throw new AiosError('EINVAL', 'now must be a number', { arg: 'now' });
      return sweep(now, limit);
    },
    async nextExpiry() {
      return (s.nextExpiry.get() as { t: number | null }).t;
    },
    async stats(ns) {
      const r = nsRow(ns);
      return { items: r.items, bytes: r.bytes, seq: r.seq };
    },
    async setEmbeddings(ns, embedder, dim, vectors) {
      const count = setVecs(ns, embedder, dim, vectors);
      dropIndex(ns);
      return count;
    },
    stop() {
      if (drainTimer) clearImmediate(drainTimer);
      drainTimer = undefined;
    },
    flushIndexes() {
      for (const [ns, idx] of indexes) {
        const f = fileOf(ns);
        if (!f || !idx.isAnn || (!idx.dirty && idx.backlog === 0)) continue;
        idx.save(f);
        s.nsIndexed.run(ns);
      }
    },
  };
}
