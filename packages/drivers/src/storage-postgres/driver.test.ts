// Postgres driver specifics beyond the conformance suite: two driver instances on one schema share state
// (one memory fabric), LISTEN/NOTIFY keeps their vector indexes in sync (exact and HNSW), a connection the
// server drops is replaced (pool and listener), migrations run once and refuse a newer schema.
import { describe, it, expect, afterAll } from 'vitest';
import pg from 'pg';
import { createPostgresStorage, LATEST_VERSION, type PostgresStorage } from './index.ts';
import { TEST_PG_URL, throwawaySchemas } from './testing.ts';

const schemas = throwawaySchemas();
afterAll(() => schemas.cleanup());
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const v = (...xs: number[]): Float32Array => new Float32Array(xs);

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Two drivers (two "nodes") on one fresh schema, with a namespace of dim 3. */
async function pair(opts: { exactLimit?: number; appName?: string } = {}): Promise<[PostgresStorage, PostgresStorage]> {
  const schema = schemas.next();
  const mk = (node: string) =>
    createPostgresStorage({ url: TEST_PG_URL, schema, poolSize: 2, appName: `${opts.appName ?? 'aios-test'}-${node}`, hnsw: { exactLimit: opts.exactLimit ?? 5000 } });
  const a = mk('a');
  const b = mk('b');
  await a.open!();
  await b.open!();
  await a.createNamespace({ id: 'mem', owner: 'a1', embedder: 'test', dim: 3, created: 1, meta: {} });
  return [a, b];
}

/** Waits (bounded) until cond() holds; a contract check, not a timing one. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

/** Deterministic pseudo-random vectors (mulberry32). */
function vectors(n: number, dim: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => rnd() * 2 - 1));
}

describe('storage-postgres', () => {
  it('postgres - two drivers on one schema share kv, queues and items (one memory fabric)', async () => {
    const [a, b] = await pair();
    await a.put('agent/1', enc('manifest'));
    expect(new TextDecoder().decode(await b.get('agent/1'))).toBe('manifest');
    // Appends from both nodes at once: every seq handed out once, in one sequence.
    const seqs = await Promise.all([...Array(10)].map((_, i) => (i % 2 ? a : b).append('mbox/x', enc(String(i)))));
    expect([...seqs].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await a.pending('mbox/x')).length).toBe(10);
    await b.putItem({ id: 'i1', ns: 'mem', key: 'k', text: 'paris is the capital of france', author: 'b', now: 1 });
    expect((await a.getByKey('mem', 'k'))!.id).toBe('i1');
    expect((await a.textSearch(['mem'], 'capital', 5)).map((h) => h.id)).toEqual(['i1']);
    // Concurrent puts of one key from both nodes: one creates, the other updates or is a no-op; never two items.
    await Promise.all([
      a.putItem({ id: 'x1', ns: 'mem', key: 'same', text: 'from a', author: 'a', now: 2 }),
      b.putItem({ id: 'x2', ns: 'mem', key: 'same', text: 'from b', author: 'b', now: 2 }),
    ]);
    expect((await a.listItems('mem')).filter((i) => i.key === 'same').length).toBe(1);
    expect((await b.changesSince('mem', 0)).map((c) => c.seq)).toEqual([1, 2, 3]);
    await a.close();
    await b.close();
  });

  it('postgres - LISTEN/NOTIFY brings another node\'s vector puts, updates and deletes into this node\'s index', async () => {
    const [a, b] = await pair();
    await a.putItem({ id: 'x', ns: 'mem', text: 'x', author: 'a', now: 1, embedding: v(1, 0, 0) });
    expect((await a.vectorSearch(['mem'], v(0, 1, 0), 1))[0]!.id).toBe('x'); // a builds its index now
    const builds = a.syncStats().builds;
    await b.putItem({ id: 'y', ns: 'mem', text: 'y', author: 'b', now: 2, embedding: v(0, 1, 0) });
    await a.syncBarrier();
    expect((await a.vectorSearch(['mem'], v(0, 1, 0), 1))[0]!.id).toBe('y');
    await b.updateItem('mem', 'x', { embedding: v(0, 0.9, 0.1) }, { author: 'b', now: 3 });
    await b.deleteItem('mem', 'y', { now: 4 });
    await a.syncBarrier();
    expect((await a.vectorSearch(['mem'], v(0, 1, 0), 5)).map((h) => h.id)).toEqual(['x']);
    // Kept current, not rebuilt: the index a built first took every change by notification.
    expect(a.syncStats().builds).toBe(builds);
    expect(a.syncStats().remoteApplied).toBeGreaterThanOrEqual(3);
    // Re-embedding on b (new dim) makes a drop its index and rebuild at the new dim.
    await b.setEmbeddings('mem', 'test2', 2, new Map([['x', v(1, 0)]]));
    await a.syncBarrier();
    expect((await a.vectorSearch(['mem'], v(1, 0), 5)).map((h) => h.id)).toEqual(['x']);
    await a.close();
    await b.close();
  });

  it('postgres - HNSW indexes on two nodes agree after the other node\'s batch insert', async () => {
    const [a, b] = await pair({ exactLimit: 32 });
    const vs = vectors(200, 3, 7);
    await a.putItems(vs.slice(0, 100).map((e, i) => ({ id: `a${i}`, ns: 'mem', text: `a ${i}`, author: 'a', now: 1, embedding: e })));
    await a.vectorSearch(['mem'], vs[0]!, 1);
    await b.vectorSearch(['mem'], vs[0]!, 1); // both hold an HNSW index of 100 vectors
    await b.putItems(vs.slice(100).map((e, i) => ({ id: `b${i}`, ns: 'mem', text: `b ${i}`, author: 'b', now: 2, embedding: e })));
    await a.syncBarrier();
    for (const q of [vs[150]!, vs[199]!, vs[120]!]) {
      const fromA = (await a.vectorSearch(['mem'], q, 1))[0]!;
      const fromB = (await b.vectorSearch(['mem'], q, 1))[0]!;
      expect(fromA.id).toBe(fromB.id);
      expect(fromA.score).toBeCloseTo(1, 4); // the query is itself an item
    }
    await a.close();
    await b.close();
  });

  it('postgres - a connection the server terminates is replaced: calls go on and sync resumes', async () => {
    const app = `aios-term-${process.pid}`;
    const [a, b] = await pair({ appName: app });
    await a.put('k', enc('before'));
    await a.putItem({ id: 'x', ns: 'mem', text: 'x', author: 'a', now: 1, embedding: v(1, 0, 0) });
    await a.vectorSearch(['mem'], v(1, 0, 0), 1);
    const before = a.syncStats().listenerConnects;
    const killed = await sql<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()',
      [`${app}-a%`],
    );
    expect(killed.length).toBeGreaterThanOrEqual(2); // a's pooled connection(s) and its listener
    expect(new TextDecoder().decode(await a.get('k'))).toBe('before');
    await a.put('k', enc('after'));
    expect(new TextDecoder().decode(await b.get('k'))).toBe('after');
    await until(() => a.syncStats().listenerConnects > before, 'listener reconnect');
    await b.putItem({ id: 'y', ns: 'mem', text: 'y', author: 'b', now: 2, embedding: v(0, 1, 0) });
    await a.syncBarrier();
    expect((await a.vectorSearch(['mem'], v(0, 1, 0), 1))[0]!.id).toBe('y');
    await a.close();
    await b.close();
  });

  it('postgres - the schema is migrated once to the latest version; a newer schema is refused with EIO', async () => {
    const [a, b] = await pair();
    expect(await sql(`SELECT version FROM ${a.schema}.schema_version`)).toEqual([{ version: LATEST_VERSION }]);
    await a.close();
    await b.close();
    const schema = schemas.next();
    await sql(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.schema_version (version integer NOT NULL); INSERT INTO ${schema}.schema_version VALUES (999)`);
    const s = createPostgresStorage({ url: TEST_PG_URL, schema });
    await expect(s.open!()).rejects.toMatchObject({ code: 'EIO', detail: { version: 999 } });
    await s.close();
  });

  it('postgres - bad options get EINVAL; an unreachable server EIO; calls after close EBADF', async () => {
    expect(() => createPostgresStorage({ url: '' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createPostgresStorage({ url: TEST_PG_URL, schema: 'Bad-Name' })).toThrow(expect.objectContaining({ code: 'EINVAL', detail: { arg: 'schema', value: 'Bad-Name' } }));
    const down = createPostgresStorage({ url: 'postgres://postgres@127.0.0.1:1/none', schema: schemas.next() });
    await expect(down.get('k')).rejects.toMatchObject({ code: 'EIO' });
    await down.close();
    await expect(down.get('k')).rejects.toMatchObject({ code: 'EBADF' });
  });
});
