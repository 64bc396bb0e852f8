// The SQLite storage device: one better-sqlite3 database file holding durable kernel state and memory items,
// plus one HNSW file per large namespace beside it. Trusts better-sqlite3 and hnswlib-node; checks its callers.
import Database from 'better-sqlite3';
import { AiosError } from '@aios/abi';
import type { StorageDriver } from '@aios/abi';
import { migrate } from './migrations.ts';
import { createSqliteKv } from './kv.ts';
import { createSqliteItems } from './items.ts';
import { DEFAULT_HNSW, type HnswParams } from './vectors.ts';

export interface SqliteStorageOptions {
  /** Database file, or ':memory:' (then ANN indexes are never persisted). */
  path: string;
  /**
   * 'full' (default): in WAL mode every commit fsyncs the WAL, so a resolved write survives a power loss:
   * "acknowledged means durable". 'normal' syncs only at checkpoints: a resolved write survives a process
   * crash but the last commits may be lost on power loss; use it for ephemeral nodes and benches.
   */
  synchronous?: 'full' | 'normal';
  /** ANN tuning; see vectors.ts. */
  hnsw?: Partial<HnswParams>;
}

export function createSqliteStorage(options: SqliteStorageOptions): StorageDriver {
  if (!options || typeof options.path !== 'string') throw new AiosError('EINVAL', 'path required', { arg: 'path' });
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (e) {
    throw new AiosError('EIO', 'cannot open database', { path: options.path }, { cause: e });
  }
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const kv = createSqliteKv(db);
  const items = createSqliteItems(db, options.path, { ...DEFAULT_HNSW, ...options.hnsw });
  let closed = false;
  /** Wraps every method so a call after close() rejects with EBADF instead of touching a closed handle. */
  const guard = <T extends object>(o: T): T => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'function' || k === 'flushIndexes' || k === 'stop') continue;
      out[k] = (...a: unknown[]) => (closed ? Promise.reject(new AiosError('EBADF', 'storage is closed')) : (v as (...x: unknown[]) => unknown)(...a));
    }
    return out as T;
  };

  const driver: StorageDriver = {
    info: { name: 'storage-sqlite', version: '0.1.0', kind: 'storage', description: 'SQLite (WAL, FTS5) with HNSW vector index' },
    ...guard(kv),
    ...guard(items),
    async flush() {
      if (closed) throw new AiosError('EBADF', 'storage is closed');
      items.flushIndexes();
      db.pragma('wal_checkpoint(PASSIVE)');
    },
    async close() {
      if (closed) return;
      items.stop();
      items.flushIndexes();
      closed = true;
      db.close();
    },
  };
  return driver;
}
