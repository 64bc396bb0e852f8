// Vectors in Postgres itself through the pgvector extension, when the server has it: the choice (detect), the
// schema step (a `vec` column beside `embedding`, one partial HNSW index per dimension), and the SQL of writes
// and searches (cosine distance `<=>`). Without the extension the driver keeps its in-process indexes
// (vectors.ts, sync.ts). Every SQL text is built here from checked integers and quoted identifiers only.
// Trusts the server's catalogs (pg_extension, pg_available_extensions).
import { AiosError } from '@aios/abi';
import type { HnswParams } from '../storage-sqlite/vectors.ts';

/** How the driver indexes vectors: in the database (pgvector) or in each node's process (HNSW + LISTEN/NOTIFY). */
export type VectorMode = 'pgvector' | 'in-process';
/** The `vectors` option: `auto` (default) uses pgvector when the server has it and it may be created. */
export type VectorsOption = 'auto' | VectorMode;

export interface VectorBackendInfo {
  mode: VectorMode;
  /** Why: one line for operators (driver status, the boot audit record). */
  reason: string;
  /** The installed extension's version and schema (pgvector mode). */
  extversion?: string;
  extschema?: string;
}

/** The part of a pg client detection needs (a pool client, or a fake in unit tests). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** pgvector's HNSW and ivfflat indexes take at most this many dimensions; wider namespaces are searched exactly. */
export const PGVECTOR_INDEX_MAX_DIM = 2000;

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function checkDim(dim: number): number {
  if (!Number.isInteger(dim) || dim < 1 || dim > 16_000) throw new AiosError('EINVAL', 'vector dim must be an integer 1..16000', { arg: 'dim', value: dim });
  return dim;
}

/**
 * Decides the vector backend while opening (inside the open transaction, under the schema's advisory lock).
 * A schema whose `item` table already has the `vec` column uses pgvector for good: every node must keep that
 * column current, so `in-process` is then refused (EINVAL). `pgvector` without the extension is EIO.
 */
export async function detectPgvector(c: Queryable, schema: string, want: VectorsOption = 'auto'): Promise<VectorBackendInfo> {
  const installed = async (): Promise<{ extversion: string; extschema: string } | undefined> =>
    (await c.query<{ extversion: string; extschema: string }>(
      `SELECT e.extversion, n.nspname AS extschema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'`,
    )).rows[0];
  const used = (await c.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'item' AND column_name = 'vec'`, [schema])).rows.length > 0;
  let ext = await installed();
  if (used) {
    if (want === 'in-process') throw new AiosError('EINVAL', `schema ${schema} already keeps its vectors in pgvector; every node on it must use pgvector`, { arg: 'vectors', schema });
    if (ext === undefined) throw new AiosError('EIO', `schema ${schema} has a pgvector column but the vector extension is gone`, { schema });
    return { mode: 'pgvector', reason: 'schema already uses pgvector', ...ext };
  }
  if (want === 'in-process') return { mode: 'in-process', reason: 'configured (vectors: in-process)' };
  const refuse = (reason: string): VectorBackendInfo => {
    if (want === 'pgvector') throw new AiosError('EIO', `pgvector required but ${reason}`, { arg: 'vectors', reason });
    return { mode: 'in-process', reason };
  };
  if (ext === undefined) {
    const avail = await c.query<{ default_version: string }>(`SELECT default_version FROM pg_available_extensions WHERE name = 'vector'`);
    if (avail.rows.length === 0) return refuse('the server has no vector extension (not in pg_available_extensions)');
    // Creating an extension may need privileges this role lacks: a savepoint keeps the open transaction usable.
    await c.query('SAVEPOINT aios_pgvector');
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public');
      await c.query('RELEASE SAVEPOINT aios_pgvector');
    } catch (e) {
      await c.query('ROLLBACK TO SAVEPOINT aios_pgvector');
      return refuse(`CREATE EXTENSION vector was not permitted: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
    }
    ext = await installed();
    if (ext === undefined) return refuse('CREATE EXTENSION vector did not install it');
  }
  return { mode: 'pgvector', reason: `the server has the vector extension ${ext.extversion}`, ...ext };
}

/** SQL texts of the pgvector path for one extension schema (where the `vector` type and `<=>` live). */
export class PgvectorSql {
  private readonly type: string;
  private readonly op: string;
  private readonly ops: string;

  constructor(extschema: string, private readonly hnsw: Pick<HnswParams, 'm' | 'efConstruction'> = { m: 16, efConstruction: 100 }) {
    const s = quoteIdent(extschema);
    this.type = `${s}.vector`;
    this.op = `OPERATOR(${s}.<=>)`;
    this.ops = `${s}.vector_cosine_ops`;
  }

  /** The schema step: the `vec` column (untyped dimension, so namespaces of any dim share it) and its dim. */
  addColumns(): string {
    return `ALTER TABLE item ADD COLUMN IF NOT EXISTS vec ${this.type}, ADD COLUMN IF NOT EXISTS vdim integer`;
  }

  /** One partial HNSW index per dimension (cosine), or null past PGVECTOR_INDEX_MAX_DIM (searched exactly). */
  createIndex(dim: number): string | null {
    checkDim(dim);
    if (dim > PGVECTOR_INDEX_MAX_DIM) return null;
    const m = Math.trunc(this.hnsw.m);
    const ef = Math.trunc(this.hnsw.efConstruction);
    return `CREATE INDEX IF NOT EXISTS item_vec_hnsw_${dim} ON item USING hnsw ((vec::${this.type}(${dim})) ${this.ops}) WITH (m = ${m}, ef_construction = ${ef}) WHERE vdim = ${dim}`;
  }

  /** Sets (or clears, for a null text) the vectors of rows: $1 rowids, $2 vector texts, $3 dims. */
  setVectors(): string {
    return `UPDATE item i SET vec = v.t::${this.type}, vdim = v.d FROM unnest($1::bigint[], $2::text[], $3::integer[]) AS v(rowid, t, d) WHERE i.rowid = v.rowid`;
  }

  /** Sets the vectors of a namespace's items by id: $1 ns, $2 ids, $3 vector texts, $4 dim. */
  setVectorsById(): string {
    return `UPDATE item i SET vec = v.t::${this.type}, vdim = $4 FROM unnest($2::text[], $3::text[]) AS v(id, t) WHERE i.ns = $1 AND i.id = v.id`;
  }

  /** Clears `vec` where the stored embedding is gone: $1 ns. */
  clearMissing(): string {
    return 'UPDATE item SET vec = NULL, vdim = NULL WHERE ns = $1 AND embedding IS NULL AND vec IS NOT NULL';
  }

  /** Rows whose `vec` is behind their `embedding` (a schema switched to pgvector): $1 limit. */
  backlog(): string {
    return 'SELECT rowid, embedding FROM item WHERE embedding IS NOT NULL AND vec IS NULL ORDER BY rowid LIMIT $1';
  }

  /**
   * Nearest items by cosine among namespaces $2 (one dim), query vector text $1, filter conditions `where`
   * (on alias i, parameters from $3), limit `$limit`. `exact` orders by an expression the index cannot serve,
   * so every row is considered (the fallback when the index's post-filtering returned fewer than k).
   */
  search(dim: number, where: string, limitParam: number, exact = false): string {
    checkDim(dim);
    const t = `${this.type}(${dim})`;
    const dist = `(i.vec::${t} ${this.op} $1::${t})`;
    return `SELECT i.rowid, i.id, i.ns, 1 - ${dist} AS score FROM item i WHERE i.vdim = ${dim} AND i.ns = ANY($2::text[])${where}
      ORDER BY ${exact ? `${dist} + 0` : dist} LIMIT $${limitParam}`;
  }
}

/** pgvector's text form of a vector: [x1,x2,...] (float32 values print exactly as JS numbers). */
export function vectorText(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i > 0 ? ',' : '') + String(v[i]);
  return `${s}]`;
}
