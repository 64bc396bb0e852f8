// Durable kernel state on SQLite: the kv table and the append-only queues (DurableStore).
// Every public call is one SQLite transaction; it resolves only after the commit (durable per the
// connection's synchronous setting). Trusts migrations.ts for the schema.
import type Database from 'better-sqlite3';
import { AiosError } from '@aios/abi';
import type { DurableStore, KvEntry, KvOp, KvOpResult, KvScanOptions, QueueEntry, QueueInfo } from '@aios/abi';
import { checkBytes, checkKey, checkSeq } from '../storage-memory/shared.ts';

/** The highest code point: every string with prefix p sorts (as UTF-8 bytes) before p + MAX_CHAR + more. */
const MAX_CHAR = '\u{10FFFF}';

function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function checkOp(op: KvOp): void {
  switch (op?.op) {
    case 'put':
      checkKey(op.key);
      checkBytes(op.value);
      return;
    case 'delete':
      checkKey(op.key);
      return;
    case 'append':
      checkKey(op.queue, 'queue');
      checkBytes(op.value);
      return;
    case 'ack':
      checkKey(op.queue, 'queue');
      checkSeq(op.seq);
      return;
    default:
      throw new AiosError('EINVAL', 'unknown batch op', { arg: 'op', value: String((op as { op?: unknown })?.op) });
  }
}

export function createSqliteKv(db: Database.Database): DurableStore {
  const s = {
    get: db.prepare('SELECT value FROM kv WHERE key = ?'),
    put: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    del: db.prepare('DELETE FROM kv WHERE key = ?'),
    scanAll: db.prepare('SELECT key, value FROM kv WHERE key > ? ORDER BY key LIMIT ?'),
    scanPrefix: db.prepare(
      'SELECT key, value FROM kv WHERE key >= ? AND key < ? AND key > ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT ?',
    ),
    nextSeq: db.prepare(
      'INSERT INTO queue_seq (queue, last) VALUES (?, 1) ON CONFLICT (queue) DO UPDATE SET last = last + 1 RETURNING last',
    ),
    append: db.prepare('INSERT INTO queue (queue, seq, value) VALUES (?, ?, ?)'),
    ack: db.prepare('DELETE FROM queue WHERE queue = ? AND seq = ?'),
    pending: db.prepare('SELECT seq, value FROM queue WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?'),
    queues: db.prepare(`
      SELECT q.queue AS queue, count(*) AS pending, s.last AS lastSeq FROM queue q JOIN queue_seq s ON s.queue = q.queue
      WHERE q.queue >= ? AND q.queue < ? AND substr(q.queue, 1, ?) = ? GROUP BY q.queue ORDER BY q.queue`),
  };

  const scan = (prefix: string, o: KvScanOptions = {}): KvEntry[] => {
    if (typeof prefix !== 'string') throw new AiosError('EINVAL', 'prefix must be a string', { arg: 'prefix' });
    const limit = o.limit ?? -1;
    const after = o.after ?? '';
    const rows = (
      prefix === ''
        ? s.scanAll.all(after, limit)
        : s.scanPrefix.all(prefix, prefix + MAX_CHAR, after, [...prefix].length, prefix, limit)
    ) as { key: string; value: Buffer }[];
    return rows.map((r) => ({ key: r.key, value: bytes(r.value) }));
  };

  const apply = (op: KvOp): KvOpResult => {
    switch (op.op) {
      case 'put':
        s.put.run(op.key, op.value);
        return null;
      case 'delete':
        return s.del.run(op.key).changes > 0;
      case 'append': {
        const { last } = s.nextSeq.get(op.queue) as { last: number };
        s.append.run(op.queue, last, op.value);
        return last;
      }
      case 'ack':
        return s.ack.run(op.queue, op.seq).changes > 0;
    }
  };
  const runBatch = db.transaction((ops: readonly KvOp[]) => ops.map(apply));

  return {
    async get(key) {
      checkKey(key);
      const row = s.get.get(key) as { value: Buffer } | undefined;
      return row ? bytes(row.value) : undefined;
    },
    async put(key, value) {
      checkKey(key);
      checkBytes(value);
      s.put.run(key, value);
    },
    async delete(key) {
      checkKey(key);
      return s.del.run(key).changes > 0;
    },
    async scan(prefix, options) {
      return scan(prefix, options);
    },
    async batch(ops) {
      if (!Array.isArray(ops)) throw new AiosError('EINVAL', 'ops must be an array', { arg: 'ops' });
      ops.forEach(checkOp);
      return runBatch(ops);
    },
    async append(queue, value) {
      checkKey(queue, 'queue');
      checkBytes(value);
      return runBatch([{ op: 'append', queue, value }])[0] as number;
    },
    async ack(queue, seq) {
      checkKey(queue, 'queue');
      checkSeq(seq);
      return s.ack.run(queue, seq).changes > 0;
    },
    async pending(queue, options = {}): Promise<QueueEntry[]> {
      checkKey(queue, 'queue');
      const rows = s.pending.all(queue, options.after ?? 0, options.limit ?? -1) as { seq: number; value: Buffer }[];
      return rows.map((r) => ({ queue, seq: r.seq, value: bytes(r.value) }));
    },
    async queues(prefix): Promise<QueueInfo[]> {
      if (typeof prefix !== 'string') throw new AiosError('EINVAL', 'prefix must be a string', { arg: 'prefix' });
      return s.queues.all(prefix, prefix + MAX_CHAR, [...prefix].length, prefix) as QueueInfo[];
    },
  };
}
