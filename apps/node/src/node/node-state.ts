// The node's own small state in the kernel database (kernel.db, table node_state): values that must
// outlive the files they vouch for, such as the audit log's anchored head and the applied policy's
// hash. A second connection to the journal's database (WAL allows it); every set is committed with
// synchronous=FULL before it returns.
import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_DB } from './journal.ts';
import { openCheckedDatabase } from './sqlite.ts';

export interface NodeState {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  close(): void;
}

const TABLE = 'CREATE TABLE IF NOT EXISTS node_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

function wrap(db: Database.Database, writable: boolean): NodeState {
  const hasTable = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'node_state'").get() as { n: number };
  if (!writable && hasTable.n === 0) return { get: () => undefined, set: () => {}, delete: () => {}, close: () => db.close() };
  const get = db.prepare('SELECT value FROM node_state WHERE key = ?');
  const set = writable ? db.prepare('INSERT INTO node_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value') : null;
  const del = writable ? db.prepare('DELETE FROM node_state WHERE key = ?') : null;
  return {
    get: (key) => (get.get(key) as { value: string } | undefined)?.value,
    set: (key, value) => void set?.run(key, value),
    delete: (key) => void del?.run(key),
    close: () => db.close(),
  };
}

/** Opens (creating 0600 if needed) the node state in <dataDir>/kernel.db. EIO when the database is corrupt. */
export function openNodeState(dataDir: string): NodeState {
  const db = openCheckedDatabase(join(dataDir, KERNEL_DB));
  db.exec(TABLE);
  return wrap(db, true);
}

/** Read-only view for offline tools (safe while the node runs); null when there is no kernel.db. */
export function readNodeState(dataDir: string): NodeState | null {
  const file = join(dataDir, KERNEL_DB);
  if (!existsSync(file)) return null;
  return wrap(openCheckedDatabase(file, { readonly: true }), false);
}
