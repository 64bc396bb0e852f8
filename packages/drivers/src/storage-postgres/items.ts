// Memory items on Postgres (MemoryStore): namespaces, items, tsvector text search, change feed, and vector
// search over the in-process indexes (vectors.ts) kept current across nodes (sync.ts). Each write is one
// transaction that first row-locks its namespace (SELECT ... FOR UPDATE), so writers on several nodes are
// serialised per namespace and every read inside sees the latest committed state. Filters run in SQL.
import { AiosError, hasCode } from '@aios/abi';
import type {
  ChangeRecord, ItemFilter, ItemInput, ItemPatch, JsonValue, MemoryItem, MemoryStore, NamespaceRecord, PutResult, SearchHit,
} from '@aios/abi';
import {
  checkItemIds,
  blobToVec, checkEmbedding, checkItemInput, checkK, checkNamespace, checkNsId, checkTags, hasFilter, itemBytes, queryTerms,
  sameContent, toJson, vecToBlob,
} from '../storage-memory/shared.ts';
import type { Db, Sql } from './db.ts';
import { notifyChanges, notifyReset } from './sync.ts';
import type { PgVectorIndexes, VecChange } from './vectors.ts';
import { vectorText, type PgvectorSql } from './pgvector.ts';

interface NsRow { id: string; owner: string; embedder: string; dim: number; created: number; meta: string; seq: number; items: number; bytes: number }
interface ItemRow {
  rowid: number; ns: string; id: string; key: string | null; text: string; data: string; embedding: Buffer | null;
  tags: string; author: string; provenance: string; created: number; updated: number; expires_at: number | null;
  version: number; seq: number; bytes: number;
}
const ITEM_COLS = 'rowid, ns, id, key, text, data, embedding, tags, author, provenance, created, updated, expires_at, version, seq, bytes';

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

/** tsquery text from free text: every distinct non-stopword, quoted, OR-ed (ranked by ts_rank). */
export function tsQuery(text: string): string {
  return queryTerms(text).map((t) => `'${t}'`).join(' | ');
}

/**
 * SQL conditions (on alias i) for an ItemFilter, with the exact semantics of matchesFilter: all tags,
 * any tag, top-level data fields equal (present, same JSON value), author, not expired at `now`.
 */
export function filterSql(f: ItemFilter | undefined, params: unknown[]): string {
  if (!f) return '';
  const out: string[] = [];
  const p = (v: unknown): string => `$${params.push(v)}`;
  if (f.now !== undefined) out.push(`(i.expires_at IS NULL OR i.expires_at > ${p(f.now)})`);
  if (f.author !== undefined) out.push(`i.author = ${p(f.author)}`);
  if (f.tags?.length) out.push(`i.tags::jsonb @> ${p(JSON.stringify(f.tags))}::jsonb`);
  if (f.anyTags?.length) out.push(`i.tags::jsonb ?| ${p(f.anyTags)}::text[]`);
  if (f.where) {
    out.push(`jsonb_typeof(i.data::jsonb) = 'object'`);
    for (const [k, v] of Object.entries(f.where)) out.push(`(i.data::jsonb -> ${p(k)}) = ${p(JSON.stringify(v))}::jsonb`);
  }
  return out.map((c) => ` AND ${c}`).join('');
}

export interface PgItemsDeps {
  db: Db;
  indexes: PgVectorIndexes;
  /** NOTIFY channel and this driver's origin id (its own notifications are ignored on receipt). */
  channel: string;
  origin: string;
  /** The pgvector SQL once open() chose pgvector (pgvector.ts); null: vectors are indexed in-process. */
  pgvector: () => PgvectorSql | null;
  /** Serialises index creation across nodes (CREATE INDEX IF NOT EXISTS races otherwise). */
  lockKey: string;
}

export function createPostgresItems({ db, indexes, channel, origin, pgvector, lockKey }: PgItemsDeps): MemoryStore {
  /** Edits of the running transaction, by namespace; applied locally after COMMIT, notified inside it. */
  type Edits = Map<string, VecChange[]>;
  const tx = async <T>(what: string, fn: (c: Sql, edits: Edits, resets: Set<string>) => Promise<T>): Promise<T> => {
    const edits: Edits = new Map();
    const resets = new Set<string>();
    const pgv = pgvector();
    const r = await db.write(what, async (c) => {
      const out = await fn(c, edits, resets);
      if (pgv !== null) {
        // pgvector: the vectors change in the same transaction; nothing to tell other nodes.
        const all = [...edits.values()].flat();
        if (all.length > 0) await c.query(pgv.setVectors(), [all.map((e) => e.label), all.map((e) => (e.vec ? vectorText(e.vec) : null)), all.map((e) => e.vec?.length ?? null)]);
        return out;
      }
      for (const [ns, ch] of edits) if (!resets.has(ns)) await notifyChanges(c, channel, origin, ns, ch);
      for (const ns of resets) await notifyReset(c, channel, origin, ns);
      return out;
    });
    if (pgv !== null) return r;
    for (const [ns, ch] of edits) if (!resets.has(ns)) indexes.applyLocal(ns, ch);
    for (const ns of resets) indexes.reset(ns);
    return r;
  };
  const edit = (edits: Edits, ns: string, e: VecChange): void => {
    const l = edits.get(ns);
    if (l) l.push(e);
    else edits.set(ns, [e]);
  };

  const nsRow = async (c: Sql, id: string, lock = false): Promise<NsRow> => {
    const r = await c.query<NsRow>(`SELECT * FROM ns WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!r.rows[0]) throw new AiosError('ENOENT', 'no such namespace', { ns: id });
    return r.rows[0];
  };
  const bump = async (c: Sql, ns: string, dItems: number, dBytes: number): Promise<number> =>
    (await c.query<{ seq: number }>('UPDATE ns SET seq = seq + 1, items = items + $2, bytes = bytes + $3 WHERE id = $1 RETURNING seq', [ns, dItems, dBytes]))
      .rows[0]!.seq;
  const change = (c: Sql, ns: string, seq: number, op: string, id: string, key: string | null, version: number, at: number) =>
    c.query('INSERT INTO change (ns, seq, op, id, key, version, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [ns, seq, op, id, key, version, at]);
  const itemBy = async (c: Sql, ns: string, col: 'id' | 'key', v: string): Promise<ItemRow | undefined> =>
    (await c.query<ItemRow>(`SELECT ${ITEM_COLS} FROM item WHERE ns = $1 AND ${col} = $2`, [ns, v])).rows[0];
  const saveRow = (c: Sql, u: { rowid: number; text: string; data: string; embedding: Buffer | null; tags: string; author: string; provenance: string; updated: number; expires_at: number | null; version: number; seq: number; bytes: number }) =>
    c.query(
      `UPDATE item SET text = $2, data = $3, embedding = $4, tags = $5, author = $6, provenance = $7, updated = $8, expires_at = $9,
       version = $10, seq = $11, bytes = $12 WHERE rowid = $1`,
      [u.rowid, u.text, u.data, u.embedding, u.tags, u.author, u.provenance, u.updated, u.expires_at, u.version, u.seq, u.bytes],
    );

  async function putOne(c: Sql, input: ItemInput, edits: Edits, locked: Map<string, NsRow>): Promise<PutResult> {
    if (input === null || typeof input !== 'object') throw new AiosError('EINVAL', 'item input must be an object', { arg: 'input' });
    checkNsId(input.ns);
    // The namespace row is locked once per transaction (its dim cannot change while we hold the lock).
    let n = locked.get(input.ns);
    if (!n) locked.set(input.ns, (n = await nsRow(c, input.ns, true)));
    checkItemInput(input, n.dim);
    const data = toJson(input.data, 'data');
    const provenance = toJson(input.provenance ?? {}, 'provenance');
    const tags = input.tags ?? [];
    const existingRow = input.key !== undefined ? await itemBy(c, input.ns, 'key', input.key) : undefined;
    const size = itemBytes({
      ...(input.key !== undefined ? { key: input.key } : {}), text: input.text, data: JSON.parse(data) as JsonValue, tags,
      provenance: JSON.parse(provenance) as JsonValue, ...(input.embedding ? { embedding: input.embedding } : {}),
    });
    if (!existingRow) {
      // One statement: bump the namespace seq, insert the item and its change record (a duplicate id aborts
      // it with a unique violation, reported as EEXIST; the transaction rolls back as a whole).
      const row = {
        ns: input.ns, id: input.id, key: input.key ?? null, text: input.text, data, tags: JSON.stringify(tags),
        embedding: input.embedding ? vecToBlob(input.embedding) : null, author: input.author, provenance,
        created: input.now, updated: input.now, expires_at: input.expiresAt ?? null, version: 1, bytes: size,
      };
      let ins;
      try {
        ins = await c.query<{ rowid: number; seq: number }>({
          name: 'aios_item_insert', // prepared once per connection: the hot path of bulk puts
          text: `WITH b AS (UPDATE ns SET seq = seq + 1, items = items + 1, bytes = bytes + $14 WHERE id = $1 RETURNING seq),
           i AS (INSERT INTO item (ns, id, key, text, data, embedding, tags, author, provenance, created, updated, expires_at, version, seq, bytes)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, b.seq, $14 FROM b RETURNING rowid, seq),
           ch AS (INSERT INTO change (ns, seq, op, id, key, version, at) SELECT $1, b.seq, 'put', $2, $3, 1, $10 FROM b)
           SELECT rowid, seq FROM i`,
          values: [row.ns, row.id, row.key, row.text, row.data, row.embedding, row.tags, row.author, row.provenance, row.created, row.updated, row.expires_at, row.version, row.bytes],
        });
      } catch (e) {
        if (hasCode(e, '23505')) throw new AiosError('EEXIST', 'an item with this id exists', { ns: input.ns, id: input.id });
        throw e;
      }
      const { rowid, seq } = ins.rows[0]!;
      if (input.embedding) edit(edits, input.ns, { label: rowid, seq, vec: input.embedding });
      return { item: toItem({ ...row, rowid, seq }), created: true, changed: true };
    }
    const existing = toItem(existingRow);
    if (sameContent(existing, input)) return { item: existing, created: false, changed: false };
    const seq = await bump(c, input.ns, 0, size - existingRow.bytes);
    const upd = {
      rowid: existingRow.rowid, text: input.text, data, tags: JSON.stringify(tags),
      embedding: input.embedding ? vecToBlob(input.embedding) : null, author: input.author, provenance, updated: input.now,
      expires_at: input.expiresAt ?? null, version: existingRow.version + 1, seq, bytes: size,
    };
    await saveRow(c, upd);
    await change(c, input.ns, seq, 'update', existingRow.id, existingRow.key, upd.version, input.now);
    if (existingRow.embedding !== null || input.embedding !== undefined) edit(edits, input.ns, { label: existingRow.rowid, seq, vec: input.embedding });
    return { item: toItem({ ...existingRow, ...upd }), created: false, changed: true };
  }

  /** Locks the namespaces of rows about to be removed, in id order (no deadlock between sweepers), then removes them. */
  async function removeRows(c: Sql, rows: ItemRow[], op: 'delete' | 'expire', now: number, edits: Edits): Promise<number> {
    let n = 0;
    for (const r of rows) {
      const del = await c.query('DELETE FROM item WHERE rowid = $1', [r.rowid]);
      if ((del.rowCount ?? 0) === 0) continue; // another node removed it first
      const seq = await bump(c, r.ns, -1, -r.bytes);
      await change(c, r.ns, seq, op, r.id, r.key, r.version, now);
      if (r.embedding) edit(edits, r.ns, { label: r.rowid, seq, vec: undefined });
      n++;
    }
    return n;
  }

  /** pgvector: the HNSW index of a dimension exists (created once, nodes serialised by an advisory lock). */
  async function ensureIndex(c: Sql, dim: number): Promise<void> {
    const pgv = pgvector();
    const text = pgv?.createIndex(dim);
    if (!text) return;
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    await c.query(text);
  }

  /** pgvector: the k nearest by cosine, in SQL; falls back to an exact scan when the index's post-filter left fewer than k. */
  async function sqlVectorSearch(pgv: PgvectorSql, rows: NsRow[], query: Float32Array, k: number, filter: ItemFilter | undefined): Promise<SearchHit[]> {
    const params: unknown[] = [vectorText(query), rows.map((n) => n.id)];
    const where = filterSql(filter, params);
    const limit = params.push(k);
    const run = (exact: boolean) => db.read('vectorSearch', (c) => c.query<{ rowid: number; id: string; ns: string; score: number }>(pgv.search(query.length, where, limit, exact), params));
    let r = await run(false);
    if (r.rows.length < k) r = await run(true);
    return r.rows
      .map((x) => ({ rowid: x.rowid, hit: { id: x.id, ns: x.ns, score: Number.isFinite(x.score) ? x.score : 0 } }))
      .sort((a, b) => b.hit.score - a.hit.score || a.rowid - b.rowid)
      .map((x) => x.hit);
  }

  async function checkNsList(ns: readonly string[]): Promise<NsRow[]> {
    if (!Array.isArray(ns) || ns.length === 0) throw new AiosError('EINVAL', 'ns must be a non-empty array', { arg: 'ns' });
    ns.forEach((id) => checkNsId(id));
    const r = await db.read('namespaces', (c) => c.query<NsRow>('SELECT * FROM ns WHERE id = ANY($1::text[])', [ns]));
    const byId = new Map(r.rows.map((row) => [row.id, row]));
    return ns.map((id) => {
      const row = byId.get(id);
      if (!row) throw new AiosError('ENOENT', 'no such namespace', { ns: id });
      return row;
    });
  }

  return {
    async createNamespace(ns) {
      checkNamespace(ns);
      const meta = toJson(ns.meta ?? {}, 'meta');
      await db.write('createNamespace', async (c) => {
        const r = await c.query('INSERT INTO ns (id, owner, embedder, dim, created, meta) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING', [
          ns.id, ns.owner, ns.embedder, ns.dim, ns.created, meta,
        ]);
        if ((r.rowCount ?? 0) === 0) throw new AiosError('EEXIST', 'namespace exists', { ns: ns.id });
        await ensureIndex(c, ns.dim);
      });
    },
    async getNamespace(id) {
      const r = await db.read('getNamespace', (c) => c.query<NsRow>('SELECT * FROM ns WHERE id = $1', [id]));
      return r.rows[0] ? toNs(r.rows[0]) : undefined;
    },
    async listNamespaces(owner) {
      const r = await db.read('listNamespaces', (c) =>
        owner === undefined ? c.query<NsRow>('SELECT * FROM ns ORDER BY id') : c.query<NsRow>('SELECT * FROM ns WHERE owner = $1 ORDER BY id', [owner]),
      );
      return r.rows.map(toNs);
    },
    async updateNamespaceMeta(id, meta) {
      const text = toJson(meta, 'meta');
      await db.write('updateNamespaceMeta', async (c) => {
        const r = await c.query('UPDATE ns SET meta = $2 WHERE id = $1', [id, text]);
        if ((r.rowCount ?? 0) === 0) throw new AiosError('ENOENT', 'no such namespace', { ns: id });
      });
    },
    async deleteNamespace(id) {
      return tx('deleteNamespace', async (c, _e, resets) => {
        const r = await c.query('SELECT id FROM ns WHERE id = $1 FOR UPDATE', [id]);
        if (r.rows.length === 0) return false;
        await c.query('DELETE FROM item WHERE ns = $1', [id]);
        await c.query('DELETE FROM change WHERE ns = $1', [id]);
        await c.query('DELETE FROM ns WHERE id = $1', [id]);
        resets.add(id);
        return true;
      });
    },
    async putItem(input) {
      return tx('putItem', async (c, edits) => putOne(c, input, edits, new Map()));
    },
    async putItems(inputs) {
      if (!Array.isArray(inputs)) throw new AiosError('EINVAL', 'inputs must be an array', { arg: 'inputs' });
      return tx('putItems', async (c, edits) => {
        const out: PutResult[] = [];
        const locked = new Map<string, NsRow>();
        for (const input of inputs) out.push(await putOne(c, input, edits, locked));
        return out;
      });
    },
    async getItem(ns, id) {
      const r = await db.read('getItem', (c) => itemBy(c, ns, 'id', id));
      return r ? toItem(r) : undefined;
    },
    async getItems(ns, ids) {
      checkItemIds(ids);
      if (ids.length === 0) return [];
      const rows = await db.read('getItems', async (c) => (await c.query<ItemRow>(`SELECT ${ITEM_COLS} FROM item WHERE ns = $1 AND id = ANY($2::text[])`, [ns, [...ids]])).rows);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => { const r = byId.get(id); return r ? toItem(r) : undefined; });
    },
    async getByKey(ns, key) {
      const r = await db.read('getByKey', (c) => itemBy(c, ns, 'key', key));
      return r ? toItem(r) : undefined;
    },
    async updateItem(ns, id, patch, o) {
      return tx('updateItem', async (c, edits) => {
        checkNsId(ns);
        const n = await nsRow(c, ns, true);
        const r = await itemBy(c, ns, 'id', id);
        if (!r) throw new AiosError('ENOENT', 'no such item', { ns, id });
        if (o.expectedVersion !== undefined && o.expectedVersion !== r.version) {
          throw new AiosError('ECONFLICT', 'item version changed', { expected: o.expectedVersion, actual: r.version });
        }
        if (patch === null || typeof patch !== 'object') throw new AiosError('EINVAL', 'patch must be an object', { arg: 'patch' });
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
        const seq = await bump(c, ns, 0, size - r.bytes);
        const upd = {
          rowid: r.rowid, text, data, tags: JSON.stringify(tags), embedding: embedding ? vecToBlob(embedding) : null, author: o.author,
          provenance, updated: o.now, expires_at: patch.expiresAt === undefined ? r.expires_at : patch.expiresAt, version: r.version + 1,
          seq, bytes: size,
        };
        await saveRow(c, upd);
        await change(c, ns, seq, 'update', id, r.key, upd.version, o.now);
        if (patch.embedding) edit(edits, ns, { label: r.rowid, seq, vec: patch.embedding });
        return toItem({ ...r, ...upd });
      });
    },
    async deleteItem(ns, id, o) {
      return tx('deleteItem', async (c, edits) => {
        checkNsId(ns);
        await nsRow(c, ns, true);
        const r = await itemBy(c, ns, 'id', id);
        if (!r) return false;
        if (o.expectedVersion !== undefined && o.expectedVersion !== r.version) {
          throw new AiosError('ECONFLICT', 'item version changed', { expected: o.expectedVersion, actual: r.version });
        }
        await removeRows(c, [r], 'delete', o.now, edits);
        return true;
      });
    },
    async listItems(ns, o = {}) {
      checkNsId(ns);
      return db.read('listItems', async (c) => {
        await nsRow(c, ns);
        let from = 0;
        if (o.after !== undefined) {
          const a = await itemBy(c, ns, 'id', o.after);
          if (!a) throw new AiosError('EINVAL', 'cursor item not found', { arg: 'after', id: o.after });
          from = a.rowid;
        }
        const params: unknown[] = [ns, from];
        const where = filterSql(o.filter, params);
        const r = await c.query<ItemRow>(
          `SELECT ${ITEM_COLS.replace(/(\w+)/g, 'i.$1')} FROM item i WHERE i.ns = $1 AND i.rowid > $2${where} ORDER BY i.rowid LIMIT $${params.push(o.limit ?? 100)}`,
          params,
        );
        return r.rows.map(toItem);
      });
    },
    async textSearch(ns, query, k, filter) {
      await checkNsList(ns);
      checkK(k);
      if (typeof query !== 'string') throw new AiosError('EINVAL', 'query must be a string', { arg: 'query' });
      const q = tsQuery(query);
      if (q === '') return [];
      const params: unknown[] = [q, ns];
      const where = filterSql(filter, params);
      const r = await db.read('textSearch', (c) =>
        c.query<{ id: string; ns: string; rank: number }>(
          `SELECT i.id, i.ns, ts_rank(i.fts, q) AS rank FROM item i, to_tsquery('aios_fts'::regconfig, $1) q
           WHERE i.fts @@ q AND i.ns = ANY($2::text[])${where} ORDER BY rank DESC, i.rowid LIMIT $${params.push(k)}`,
          params,
        ),
      );
      return r.rows.map((row) => ({ id: row.id, ns: row.ns, score: row.rank }));
    },
    async vectorSearch(ns, query, k, filter) {
      const rows = await checkNsList(ns);
      checkK(k);
      for (const n of rows) checkEmbedding(query, n.dim);
      const pgv = pgvector();
      if (pgv !== null) return sqlVectorSearch(pgv, rows, query, k, filter);
      const found: Array<{ label: number; score: number }> = [];
      for (const n of rows) {
        const idx = await indexes.ensure(n.id, n.dim);
        let accept: ((label: number) => boolean) | undefined;
        if (hasFilter(filter)) {
          const params: unknown[] = [n.id];
          const where = filterSql(filter, params);
          const ok = await db.read('vectorSearch filter', (c) =>
            c.query<{ rowid: number }>(`SELECT i.rowid FROM item i WHERE i.ns = $1 AND i.embedding IS NOT NULL${where}`, params),
          );
          const allowed = new Set(ok.rows.map((x) => x.rowid));
          accept = (label) => allowed.has(label);
        }
        found.push(...idx.search(query, k, accept));
      }
      found.sort((a, b) => b.score - a.score || a.label - b.label);
      const top = found.slice(0, k);
      if (top.length === 0) return [];
      const r = await db.read('vectorSearch ids', (c) =>
        c.query<{ rowid: number; id: string; ns: string }>('SELECT rowid, id, ns FROM item WHERE rowid = ANY($1::bigint[])', [top.map((t) => t.label)]),
      );
      const byLabel = new Map(r.rows.map((x) => [x.rowid, x]));
      const hits: SearchHit[] = [];
      for (const t of top) {
        const row = byLabel.get(t.label);
        if (row) hits.push({ id: row.id, ns: row.ns, score: t.score }); // a label deleted meanwhile is dropped
      }
      return hits;
    },
    async changesSince(ns, since, limit = 1000) {
      checkNsId(ns);
      return db.read('changesSince', async (c) => {
        await nsRow(c, ns);
        const r = await c.query<ChangeRecord & { key: string | null }>('SELECT * FROM change WHERE ns = $1 AND seq > $2 ORDER BY seq LIMIT $3', [ns, since, limit]);
        return r.rows.map((x) => {
          const out: ChangeRecord = { ns: x.ns, seq: x.seq, op: x.op, id: x.id, version: x.version, at: x.at };
          if (x.key !== null) out.key = x.key;
          return out;
        });
      });
    },
    async sweepExpired(now, limit = 10_000) {
      if (!Number.isFinite(now)) throw new AiosError('EINVAL', 'now must be a number', { arg: 'now' });
      return tx('sweepExpired', async (c, edits) => {
        const due = await c.query<ItemRow>(`SELECT ${ITEM_COLS} FROM item WHERE expires_at IS NOT NULL AND expires_at <= $1 ORDER BY ns, rowid LIMIT $2`, [now, limit]);
        const nss = [...new Set(due.rows.map((r) => r.ns))].sort();
        if (nss.length > 0) await c.query('SELECT id FROM ns WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [nss]);
        return removeRows(c, due.rows, 'expire', now, edits);
      });
    },
    async nextExpiry() {
      const r = await db.read('nextExpiry', (c) => c.query<{ t: string | null }>('SELECT MIN(expires_at) AS t FROM item WHERE expires_at IS NOT NULL'));
      const t = r.rows[0]?.t;
      return t === null || t === undefined ? null : Number(t);
    },
    async stats(ns) {
      checkNsId(ns);
      const r = await db.read('stats', (c) => nsRow(c, ns));
      return { items: r.items, bytes: r.bytes, seq: r.seq };
    },
    async setEmbeddings(ns, embedder, dim, vectors) {
      return tx('setEmbeddings', async (c, _e, resets) => {
        checkNsId(ns);
        const n = await nsRow(c, ns, true);
        if (typeof embedder !== 'string' || !Number.isInteger(dim) || dim < 1 || dim > 4096) {
          throw new AiosError('EINVAL', 'embedder name and dim 1..4096 required', { arg: 'dim' });
        }
        if (!(vectors instanceof Map)) throw new AiosError('EINVAL', 'vectors must be a Map', { arg: 'vectors' });
        for (const v of vectors.values()) checkEmbedding(v, dim);
        const ids = [...vectors.keys()];
        if (dim !== n.dim) {
          await c.query(
            `UPDATE item SET embedding = NULL, bytes = bytes - length(embedding) WHERE ns = $1 AND embedding IS NOT NULL AND NOT (id = ANY($2::text[]))`,
            [ns, ids],
          );
        }
        const upd = await c.query(
          `UPDATE item i SET embedding = v.e, bytes = i.bytes + length(v.e) - coalesce(length(i.embedding), 0)
           FROM unnest($2::text[], $3::bytea[]) AS v(id, e) WHERE i.ns = $1 AND i.id = v.id`,
          [ns, ids, [...vectors.values()].map(vecToBlob)],
        );
        await c.query('UPDATE ns SET embedder = $2, dim = $3 WHERE id = $1', [ns, embedder, dim]);
        await c.query('UPDATE ns SET bytes = (SELECT coalesce(sum(bytes), 0) FROM item WHERE ns = $1) WHERE id = $1', [ns]);
        const pgv = pgvector();
        if (pgv !== null) {
          await c.query(pgv.setVectorsById(), [ns, ids, [...vectors.values()].map(vectorText), dim]);
          await c.query(pgv.clearMissing(), [ns]);
          await ensureIndex(c, dim);
        }
        resets.add(ns);
        return upd.rowCount ?? 0;
      });
    },
  };
}
