// Durable kernel state on Postgres: the kv table and the append-only queues (DurableStore). Every write is
// one transaction that resolves after COMMIT. Queue seqs come from an upsert on queue_seq, which row-locks
// the queue, so concurrent appenders (several nodes) never get the same seq. Trusts migrations.ts.
import { AiosError } from '@aios/abi';
import type { DurableStore, KvEntry, KvOp, KvOpResult, KvScanOptions, QueueEntry, QueueInfo } from '@aios/abi';
import { checkBytes, checkKey, checkSeq } from '../storage-memory/shared.ts';
import type { Db, Sql } from './db.ts';

function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

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

function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new AiosError('EINVAL', 'prefix must be a string', { arg: 'prefix' });
}

// starts_with() is exact for any prefix; the range on key lets the planner use the primary key.
const SCAN = `SELECT key, value FROM kv WHERE key >= $1 AND starts_with(key, $1) AND key > $2 ORDER BY key LIMIT $3`;

async function apply(c: Sql, op: KvOp): Promise<KvOpResult> {
  switch (op.op) {
    case 'put':
      await c.query('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [op.key, buf(op.value)]);
      return null;
    case 'delete':
      return ((await c.query('DELETE FROM kv WHERE key = $1', [op.key])).rowCount ?? 0) > 0;
    case 'append': {
      const r = await c.query<{ last: number }>(
        'INSERT INTO queue_seq (queue, last) VALUES ($1, 1) ON CONFLICT (queue) DO UPDATE SET last = queue_seq.last + 1 RETURNING last',
        [op.queue],
      );
      const last = r.rows[0]!.last;
      await c.query('INSERT INTO queue (queue, seq, value) VALUES ($1, $2, $3)', [op.queue, last, buf(op.value)]);
      return last;
    }
    case 'ack':
      return ((await c.query('DELETE FROM queue WHERE queue = $1 AND seq = $2', [op.queue, op.seq])).rowCount ?? 0) > 0;
  }
}

export function createPostgresKv(db: Db): DurableStore {
  const one = (what: string, op: KvOp): Promise<KvOpResult> => db.write(what, (c) => apply(c, op));
  return {
    async get(key) {
      checkKey(key);
      const r = await db.read('get', (c) => c.query<{ value: Buffer }>('SELECT value FROM kv WHERE key = $1', [key]));
      return r.rows[0] ? bytes(r.rows[0].value) : undefined;
    },
    async put(key, value) {
      checkKey(key);
      checkBytes(value);
      await one('put', { op: 'put', key, value });
    },
    async delete(key) {
      checkKey(key);
      return (await one('delete', { op: 'delete', key })) as boolean;
    },
    async scan(prefix, o: KvScanOptions = {}): Promise<KvEntry[]> {
      checkPrefix(prefix);
      const r = await db.read('scan', (c) => c.query<{ key: string; value: Buffer }>(SCAN, [prefix, o.after ?? '', o.limit ?? null]));
      return r.rows.map((row) => ({ key: row.key, value: bytes(row.value) }));
    },
    async batch(ops) {
      if (!Array.isArray(ops)) throw new AiosError('EINVAL', 'ops must be an array', { arg: 'ops' });
      ops.forEach(checkOp);
      return db.write('batch', async (c) => {
        const out: KvOpResult[] = [];
        for (const op of ops) out.push(await apply(c, op));
        return out;
      });
    },
    async append(queue, value) {
      checkKey(queue, 'queue');
      checkBytes(value);
      return (await one('append', { op: 'append', queue, value })) as number;
    },
    async ack(queue, seq) {
      checkKey(queue, 'queue');
      checkSeq(seq);
      return (await one('ack', { op: 'ack', queue, seq })) as boolean;
    },
    async pending(queue, options = {}): Promise<QueueEntry[]> {
      checkKey(queue, 'queue');
      const r = await db.read('pending', (c) =>
        c.query<{ seq: number; value: Buffer }>('SELECT seq, value FROM queue WHERE queue = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
          queue, options.after ?? 0, options.limit ?? null,
        ]),
      );
      return r.rows.map((row) => ({ queue, seq: row.seq, value: bytes(row.value) }));
    },
    async queues(prefix): Promise<QueueInfo[]> {
      checkPrefix(prefix);
      const r = await db.read('queues', (c) =>
        c.query<QueueInfo>(
          `SELECT q.queue AS queue, count(*) AS pending, s.last AS "lastSeq" FROM queue q JOIN queue_seq s ON s.queue = q.queue
           WHERE q.queue >= $1 AND starts_with(q.queue, $1) GROUP BY q.queue, s.last ORDER BY q.queue`,
          [prefix],
        ),
      );
      return r.rows;
    },
  };
}
