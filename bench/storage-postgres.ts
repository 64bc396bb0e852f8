// Bench: the Postgres storage driver against the SQLite one, same run, same data: bulk insert (putItems in
// batches, text + tags + a dim-64 vector) and hybrid search (text BM25/ts_rank + vector kNN, fused by
// reciprocal rank, k=10). Both durable at commit (SQLite synchronous=FULL, Postgres synchronous_commit=on).
// Prints one JSON object; ratio > 1 means Postgres is slower. Postgres: AIOS_TEST_PG_URL or the local server.
// Usage: npx tsx --conditions=aios-source bench/storage-postgres.ts [--full] [--n=N] [--queries=Q]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ItemInput, StorageDriver } from '@aios/abi';
import { createSqliteStorage } from '../packages/drivers/src/storage-sqlite/index.ts';
import { createPostgresStorage } from '../packages/drivers/src/storage-postgres/index.ts';
import { TEST_PG_URL, throwawaySchemas } from '../packages/drivers/src/storage-postgres/testing.ts';

const args = process.argv.slice(2);
const full = args.includes('--full') || process.env['FULL'] === '1';
const arg = (name: string, dflt: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const N = arg('n', full ? 100_000 : 10_000);
const Q = arg('queries', 100);
const DIM = 64;
const K = 10;
const BATCH = 500;

let seed = 4242;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const WORDS = ('agent memory kernel fabric node cluster storage vector search index query planner service message ' +
  'mailbox capability token audit policy schedule budget model embed route intent replica failover network link crypto ' +
  'paris london tokyo river mountain coffee garden music history science ocean forest winter summer travel recipe').split(' ');
const sentence = (n: number): string => Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]!).join(' ');
const vec = (): Float32Array => Float32Array.from({ length: DIM }, () => rnd() * 2 - 1);
const pctl = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const items: ItemInput[] = Array.from({ length: N }, (_, i) => ({
  id: `i${i}`, ns: 'bench', text: sentence(8 + Math.floor(rnd() * 12)), tags: [WORDS[i % WORDS.length]!], author: 'bench', now: i, embedding: vec(),
}));
const queries = Array.from({ length: Q }, () => ({ text: sentence(3), vec: vec() }));

/** Reciprocal-rank fusion of the text and vector hit lists (what a hybrid recall does). */
async function hybrid(s: StorageDriver, q: { text: string; vec: Float32Array }): Promise<string[]> {
  const [t, v] = await Promise.all([s.textSearch(['bench'], q.text, K * 2), s.vectorSearch(['bench'], q.vec, K * 2)]);
  const score = new Map<string, number>();
  t.forEach((h, i) => score.set(h.id, (score.get(h.id) ?? 0) + 1 / (60 + i)));
  v.forEach((h, i) => score.set(h.id, (score.get(h.id) ?? 0) + 1 / (60 + i)));
  return [...score.entries()].sort((a, b) => b[1] - a[1]).slice(0, K).map(([id]) => id);
}

async function run(s: StorageDriver): Promise<{ insert_per_s: number; insert_s: number; first_search_s: number; hybrid_p50_ms: number; hybrid_p99_ms: number; top: string[][] }> {
  await s.open?.();
  await s.createNamespace({ id: 'bench', owner: 'bench', embedder: 'synthetic', dim: DIM, created: 0, meta: {} });
  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) await s.putItems(items.slice(i, i + BATCH));
  const insertS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await hybrid(s, queries[0]!); // builds the in-process vector index
  const firstS = (performance.now() - t1) / 1000;
  for (const q of queries.slice(0, 10)) await hybrid(s, q); // warm-up
  const ms: number[] = [];
  const top: string[][] = [];
  for (const q of queries) {
    const t = performance.now();
    top.push(await hybrid(s, q));
    ms.push(performance.now() - t);
  }
  await s.close();
  return { insert_per_s: Math.round(N / insertS), insert_s: +insertS.toFixed(2), first_search_s: +firstS.toFixed(2), hybrid_p50_ms: +pctl(ms, 0.5).toFixed(3), hybrid_p99_ms: +pctl(ms, 0.99).toFixed(3), top };
}

const dir = mkdtempSync(join(tmpdir(), 'aios-bench-pg-'));
const schemas = throwawaySchemas();
try {
  const sqlite = await run(createSqliteStorage({ path: join(dir, 'bench.db') }));
  // The vector backend is whatever the server allows (pgvector, else in-process HNSW); the output says which.
  let vectors: unknown = null;
  const postgres = await run(createPostgresStorage({ url: TEST_PG_URL, schema: schemas.next(), onVectorBackend: (v) => (vectors = v) }));
  // Same data, same queries: how often the two drivers' hybrid top-10 lists share an id (ranking agreement).
  let shared = 0;
  sqlite.top.forEach((ids, i) => (shared += ids.filter((id) => postgres.top[i]!.includes(id)).length));
  const strip = ({ top: _t, ...rest }: typeof sqlite) => rest;
  console.log(JSON.stringify({
    bench: 'storage-postgres',
    n: N, dim: DIM, k: K, queries: Q, batch: BATCH, mode: full ? 'full' : 'quick',
    ours: { name: 'storage-postgres (pg pool, tsvector + ts_rank)', vectors, ...strip(postgres) },
    baseline: { name: 'storage-sqlite (WAL, synchronous=FULL, FTS5 bm25, HNSW)', ...strip(sqlite) },
    ratio: {
      insert_time: +(postgres.insert_s / sqlite.insert_s).toFixed(2),
      hybrid_p50: +(postgres.hybrid_p50_ms / sqlite.hybrid_p50_ms).toFixed(2),
      hybrid_p99: +(postgres.hybrid_p99_ms / sqlite.hybrid_p99_ms).toFixed(2),
    },
    top10_overlap: +(shared / (Q * K)).toFixed(3),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
  await schemas.cleanup();
}
