// The Postgres storage device: durable kernel state and memory items in one schema of a Postgres database,
// shared by every node that opens the same URL and schema (one memory fabric for a cluster). Vectors live in
// pgvector when the server has the extension (pgvector.ts), else they are indexed in-process and kept current
// across nodes by LISTEN/NOTIFY (sync.ts); open() decides and vectorBackend() tells. Trusts pg and hnswlib-node.
// Lifecycle: create (no I/O) -> open() (connect, migrate, LISTEN) -> calls -> close() (drains the pool).
import { randomUUID } from 'node:crypto';
import { AiosError } from '@aios/abi';
import type { StorageDriver } from '@aios/abi';
import { DEFAULT_HNSW, type HnswParams } from '../storage-sqlite/vectors.ts';
import { checkSchemaName, Db, toAios } from './db.ts';
import { migrate } from './migrations.ts';
import { createPostgresKv } from './kv.ts';
import { createPostgresItems } from './items.ts';
import { PgVectorIndexes } from './vectors.ts';
import { channelOf, VectorListener } from './sync.ts';
import { detectPgvector, PgvectorSql, vectorText, type VectorBackendInfo, type VectorsOption } from './pgvector.ts';
import { blobToVec } from '../storage-memory/shared.ts';

/** Rows whose pgvector column is filled per statement when a schema switches to pgvector. */
const BACKFILL_CHUNK = 1_000;

export interface PostgresStorageOptions {
  /** postgres://user:pass@host:port/db (any pg connection string). */
  url: string;
  /** Schema holding the tables (default "aios"); nodes that share a schema share state. [a-z_][a-z0-9_]{0,54}. */
  schema?: string;
  /** Most pooled connections (default 8); the driver holds one more for LISTEN. */
  poolSize?: number;
  /** application_name of its connections (default "aios-storage"). */
  appName?: string;
  /** ANN tuning of the in-process indexes; see storage-sqlite/vectors.ts. */
  hnsw?: Partial<HnswParams>;
  /** `auto` (default): pgvector when the server has (or lets us create) the extension, else in-process. */
  vectors?: VectorsOption;
  /** Called once open() has chosen the vector backend (boot records it). */
  onVectorBackend?: (info: VectorBackendInfo) => void;
}

/** The Postgres driver: a StorageDriver plus what tests and operators of a cluster need. */
export interface PostgresStorage extends StorageDriver {
  readonly schema: string;
  /** Resolves when every vector change committed by any node before the call is applied to this node's indexes. */
  syncBarrier(): Promise<void>;
  /** Index builds from the database, remote changes applied, LISTEN (re)connects. */
  syncStats(): { builds: number; remoteApplied: number; listenerConnects: number };
  /** The vector backend open() chose and why; null before open(). */
  vectorBackend(): VectorBackendInfo | null;
}

/**
 * Creates the driver without touching the network; open() connects (EIO if the server cannot be reached)
 * and every other call first waits for open() (calling it if the bus did not).
 */
export function createPostgresStorage(options: PostgresStorageOptions): PostgresStorage {
  if (!options || typeof options.url !== 'string' || options.url === '') throw new AiosError('EINVAL', 'url required', { arg: 'url' });
  const schema = options.schema ?? 'aios';
  checkSchemaName(schema);
  const config = { url: options.url, schema, max: options.poolSize ?? 8, appName: options.appName ?? 'aios-storage' };
  const db = new Db(config);
  const indexes = new PgVectorIndexes(db, { ...DEFAULT_HNSW, ...options.hnsw });
  if (options.vectors !== undefined && !['auto', 'pgvector', 'in-process'].includes(options.vectors)) {
    throw new AiosError('EINVAL', 'vectors must be auto, pgvector or in-process', { arg: 'vectors', value: String(options.vectors) });
  }
  const origin = randomUUID();
  const channel = channelOf(schema);
  const listener = new VectorListener(config, channel, origin, indexes);
  const kv = createPostgresKv(db);
  const hnsw = { ...DEFAULT_HNSW, ...options.hnsw };
  let backend: VectorBackendInfo | null = null;
  let pgv: PgvectorSql | null = null;
  const items = createPostgresItems({ db, indexes, channel, origin, pgvector: () => pgv, lockKey: `aios-storage-vec:${schema}` });
  const info = { name: 'storage-postgres', version: '0.1.0', kind: 'storage' as const, description: 'PostgreSQL (tsvector FTS); vectors: not yet chosen (before open)' };

  let opening: Promise<void> | undefined;
  let closed = false;
  const open = (): Promise<void> => {
    opening ??= (async () => {
      await db.write('open', async (c) => {
        // One node migrates at a time; the others wait, then find the schema current.
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`aios-storage:${schema}`]);
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await migrate(c);
        const chosen = await detectPgvector(c, schema, options.vectors ?? 'auto');
        if (chosen.mode === 'pgvector') {
          const sql = new PgvectorSql(chosen.extschema!, hnsw);
          await c.query(sql.addColumns());
          // A schema that had its vectors in-process until now: fill the pgvector column from `embedding`.
          for (;;) {
            const r = await c.query<{ rowid: number; embedding: Buffer }>(sql.backlog(), [BACKFILL_CHUNK]);
            if (r.rows.length === 0) break;
            const vecs = r.rows.map((x) => blobToVec(x.embedding));
            await c.query(sql.setVectors(), [r.rows.map((x) => x.rowid), vecs.map(vectorText), vecs.map((v) => v.length)]);
          }
          const dims = await c.query<{ dim: number }>('SELECT DISTINCT dim FROM ns');
          for (const { dim } of dims.rows) {
            const text = sql.createIndex(dim);
            if (text) await c.query(text);
          }
          pgv = sql;
        }
        backend = chosen;
      });
      info.description = backend!.mode === 'pgvector'
        ? `PostgreSQL (tsvector FTS); vectors: pgvector ${backend!.extversion} (HNSW, cosine)`
        : `PostgreSQL (tsvector FTS); vectors: in-process HNSW kept in sync by LISTEN/NOTIFY (${backend!.reason})`;
      options.onVectorBackend?.(backend!);
      // The change feed only serves in-process indexes: with pgvector every search reads the database.
      if (pgv === null) {
        try {
          await listener.start();
        } catch (e) {
          throw toAios(e, 'listen');
        }
      }
    })();
    opening.catch(() => (opening = undefined)); // a failed open may be tried again
    return opening;
  };

  /** Every method: EBADF after close, otherwise waits for open(). */
  const guard = <T extends object>(o: T): T => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'function') continue;
      out[k] = async (...a: unknown[]) => {
        if (closed) throw new AiosError('EBADF', 'storage is closed');
        await open();
        return (v as (...x: unknown[]) => unknown)(...a);
      };
    }
    return out as T;
  };

  return {
    info,
    schema,
    ...guard(kv),
    ...guard(items),
    open,
    async syncBarrier() {
      if (closed) throw new AiosError('EBADF', 'storage is closed');
      await open();
      if (pgv !== null) return; // pgvector: nothing is cached, every search reads the committed state
      await listener.barrier((ch, payload) => db.write('barrier', async (c) => void (await c.query('SELECT pg_notify($1, $2)', [ch, payload]))));
    },
    vectorBackend() {
      return backend;
    },
    syncStats() {
      return { ...indexes.stats, listenerConnects: listener.connects };
    },
    async flush() {
      if (closed) throw new AiosError('EBADF', 'storage is closed');
      // Every write is durable at COMMIT and the indexes live in memory: nothing to write.
    },
    async close() {
      if (closed) return;
      closed = true;
      indexes.stop();
      await opening?.catch(() => {});
      await listener.close();
      await db.end();
    },
  };
}
