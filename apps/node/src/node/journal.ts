// The kernel's journal in the data folder (kernel.db): SQLite through better-sqlite3,
// chosen because its calls are synchronous, so the kernel can make a send durable before
// it returns. WAL with synchronous=FULL: a committed write survives kill -9 and power loss.
// Created 0600 and checked (quick_check) at open: a corrupt kernel.db is EIO, never a silent reset.
import { join } from 'node:path';
import { openCheckedDatabase } from './sqlite.ts';
import type { JournalPort } from '@aios/abi';

export interface Journal extends JournalPort {
  close(): void;
}

/** The kernel database in the data folder: the journal, and the node's state (node-state.ts). */
export const KERNEL_DB = 'kernel.db';

export function openJournal(dataDir: string): Journal {
  const db = openCheckedDatabase(join(dataDir, KERNEL_DB));
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS agents (key TEXT PRIMARY KEY, record TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, message TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS messages_by_key ON messages (key, seq);
  `);
  if (db.prepare('SELECT count(*) AS n FROM schema_version').get() && (db.prepare('SELECT count(*) AS n FROM schema_version').get() as { n: number }).n === 0) {
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
  }
  const save = db.prepare('INSERT INTO agents (key, record) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET record = excluded.record');
  const remove = db.prepare('DELETE FROM agents WHERE key = ?');
  const removeMsgs = db.prepare('DELETE FROM messages WHERE key = ?');
  const all = db.prepare('SELECT key, record FROM agents ORDER BY rowid');
  const append = db.prepare('INSERT INTO messages (key, message) VALUES (?, ?)');
  const ack = db.prepare('DELETE FROM messages WHERE key = ? AND seq = ?');
  const pending = db.prepare('SELECT seq, message FROM messages WHERE key = ? ORDER BY seq');
  const removeAll = db.transaction((key: string) => {
    remove.run(key);
    removeMsgs.run(key);
  });
  return {
    saveAgent: (key, record) => void save.run(key, record),
    removeAgent: (key) => removeAll(key),
    loadAgents: () => all.all() as Array<{ key: string; record: string }>,
    appendMessage: (key, message) => Number(append.run(key, message).lastInsertRowid),
    ackMessage: (key, seq) => void ack.run(key, seq),
    pendingMessages: (key) => pending.all(key) as Array<{ seq: number; message: string }>,
    close: () => db.close(),
  };
}
