// Versioned schema of the Postgres storage device, in the driver's own schema (search_path). Migrations are
// an ordered list; each runs once, in one transaction with the bump of schema_version, under an advisory
// lock so nodes opening the same database at once migrate it once. Never edit a shipped migration: append.
import { AiosError } from '@aios/abi';
import type { Sql } from './db.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'durable kernel state: key-value rows and append-only queues',
    // COLLATE "C": keys order by UTF-8 bytes, which is code point order, as in SQLite's BINARY.
    sql: `
      CREATE TABLE kv (key text COLLATE "C" PRIMARY KEY, value bytea NOT NULL);
      CREATE TABLE queue (queue text COLLATE "C" NOT NULL, seq bigint NOT NULL, value bytea NOT NULL, PRIMARY KEY (queue, seq));
      -- last seq per queue, so a seq is never reused after its message is acknowledged
      CREATE TABLE queue_seq (queue text COLLATE "C" PRIMARY KEY, last bigint NOT NULL);
    `,
  },
  {
    version: 2,
    description: 'memory fabric: namespaces, items, change feed',
    sql: `
      CREATE TABLE ns (
        id text COLLATE "C" PRIMARY KEY, owner text NOT NULL, embedder text NOT NULL, dim integer NOT NULL,
        created bigint NOT NULL, meta text NOT NULL,
        seq bigint NOT NULL DEFAULT 0,        -- last change-feed seq
        items bigint NOT NULL DEFAULT 0,      -- running counters for stats and quotas
        bytes bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX ns_owner ON ns (owner);
      CREATE TABLE item (
        rowid bigserial PRIMARY KEY,          -- never reused: it is the ANN label on every node
        ns text COLLATE "C" NOT NULL, id text NOT NULL, key text, text text NOT NULL, data text NOT NULL,
        embedding bytea, tags text NOT NULL, author text NOT NULL, provenance text NOT NULL,
        created bigint NOT NULL, updated bigint NOT NULL, expires_at bigint,
        version integer NOT NULL, seq bigint NOT NULL, bytes bigint NOT NULL
      );
      CREATE UNIQUE INDEX item_ns_id ON item (ns, id);
      CREATE UNIQUE INDEX item_ns_key ON item (ns, key) WHERE key IS NOT NULL;
      CREATE INDEX item_ns_rowid ON item (ns, rowid);
      CREATE INDEX item_expires ON item (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE change (
        ns text COLLATE "C" NOT NULL, seq bigint NOT NULL, op text NOT NULL, id text NOT NULL, key text,
        version integer NOT NULL, at bigint NOT NULL, PRIMARY KEY (ns, seq)
      );
    `,
  },
  {
    version: 3,
    description: 'full-text index: tsvector over text and tags (english snowball stemming, no stopword list)',
    // Stopwords stay in the index (as in SQLite FTS5): the query side drops them unless nothing else is left.
    sql: `
      CREATE TEXT SEARCH DICTIONARY aios_stem (TEMPLATE = snowball, Language = english);
      CREATE TEXT SEARCH CONFIGURATION aios_fts (COPY = pg_catalog.simple);
      ALTER TEXT SEARCH CONFIGURATION aios_fts ALTER MAPPING FOR asciiword, word, hword, hword_part, hword_asciipart, asciihword
        WITH aios_stem;
      ALTER TABLE item ADD COLUMN fts tsvector
        GENERATED ALWAYS AS (to_tsvector('aios_fts'::regconfig, text) || to_tsvector('aios_fts'::regconfig, tags)) STORED;
      CREATE INDEX item_fts ON item USING gin (fts);
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Current schema version (0 for a fresh schema). */
export async function schemaVersion(c: Sql): Promise<number> {
  await c.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
  const r = await c.query<{ version: number }>('SELECT version FROM schema_version');
  return r.rows[0]?.version ?? 0;
}

/**
 * Brings the schema to `target` (default: latest). A schema newer than this code is refused (EIO).
 * Runs inside the caller's transaction, which must hold the schema's advisory lock (see driver.ts).
 */
export async function migrate(c: Sql, target = LATEST_VERSION): Promise<number> {
  let current = await schemaVersion(c);
  if (current > LATEST_VERSION) {
    throw new AiosError('EIO', 'database schema is newer than this driver', { version: current, supported: LATEST_VERSION });
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    await c.query(m.sql);
    await c.query('DELETE FROM schema_version');
    await c.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
    current = m.version;
  }
  return current;
}
