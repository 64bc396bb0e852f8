// Versioned schema of the SQLite storage device. Migrations are an ordered list; each runs once,
// inside one transaction together with the bump of schema_version. Never edit a shipped migration: append.
import type Database from 'better-sqlite3';
import { AiosError } from '@aios/abi';

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'durable kernel state: key-value rows and append-only queues',
    up(db) {
      db.exec(`
        CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE queue (queue TEXT NOT NULL, seq INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (queue, seq)) WITHOUT ROWID;
        -- last seq per queue, so a seq is never reused after its message is acknowledged
        CREATE TABLE queue_seq (queue TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'memory fabric: namespaces, items, change feed',
    up(db) {
      db.exec(`
        CREATE TABLE ns (
          id TEXT PRIMARY KEY, owner TEXT NOT NULL, embedder TEXT NOT NULL, dim INTEGER NOT NULL,
          created INTEGER NOT NULL, meta TEXT NOT NULL,
          seq INTEGER NOT NULL DEFAULT 0,        -- last change-feed seq
          items INTEGER NOT NULL DEFAULT 0,      -- running counters for stats and quotas
          bytes INTEGER NOT NULL DEFAULT 0,
          vec_seq INTEGER NOT NULL DEFAULT 0,    -- seq of the last change to any vector
          index_seq INTEGER                      -- vec_seq the persisted ANN file reflects (NULL: none)
        ) WITHOUT ROWID;
        CREATE INDEX ns_owner ON ns (owner);
        CREATE TABLE item (
          rowid INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: it is the ANN label
          ns TEXT NOT NULL, id TEXT NOT NULL, key TEXT, text TEXT NOT NULL, data TEXT NOT NULL,
          embedding BLOB, tags TEXT NOT NULL, author TEXT NOT NULL, provenance TEXT NOT NULL,
          created INTEGER NOT NULL, updated INTEGER NOT NULL, expires_at INTEGER,
          version INTEGER NOT NULL, seq INTEGER NOT NULL, bytes INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX item_ns_id ON item (ns, id);
        CREATE UNIQUE INDEX item_ns_key ON item (ns, key) WHERE key IS NOT NULL;
        CREATE INDEX item_expires ON item (expires_at) WHERE expires_at IS NOT NULL;
        CREATE TABLE change (
          ns TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL, id TEXT NOT NULL, key TEXT,
          version INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (ns, seq)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    description: 'full-text index (FTS5, porter stemming) over item text and tags',
    up(db) {
      db.exec(`
        CREATE VIRTUAL TABLE item_fts USING fts5(text, tags, content='item', content_rowid='rowid', tokenize='porter unicode61');
        CREATE TRIGGER item_fts_ai AFTER INSERT ON item BEGIN
          INSERT INTO item_fts (rowid, text, tags) VALUES (new.rowid, new.text, new.tags);
        END;
        CREATE TRIGGER item_fts_ad AFTER DELETE ON item BEGIN
          INSERT INTO item_fts (item_fts, rowid, text, tags) VALUES ('delete', old.rowid, old.text, old.tags);
        END;
        CREATE TRIGGER item_fts_au AFTER UPDATE OF text, tags ON item BEGIN
          INSERT INTO item_fts (item_fts, rowid, text, tags) VALUES ('delete', old.rowid, old.text, old.tags);
          INSERT INTO item_fts (rowid, text, tags) VALUES (new.rowid, new.text, new.tags);
        END;
        INSERT INTO item_fts (item_fts) VALUES ('rebuild');
      `);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Current schema version of an open database (0 for a fresh file). */
export function schemaVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  return row?.version ?? 0;
}

/**
 * Brings the database to `target` (default: latest). A database newer than this code is refused
 * (EIO) rather than guessed at.
 */
export function migrate(db: Database.Database, target = LATEST_VERSION): number {
  let current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new AiosError('EIO', 'database schema is newer than this driver', { version: current, supported: LATEST_VERSION });
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.prepare('DELETE FROM schema_version').run();
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
    })();
    current = m.version;
  }
  return current;
}
