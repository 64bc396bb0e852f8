// Bench: ANN vector search of the SQLite storage driver (HNSW via hnswlib-node) against exact brute-force
// search measured in the same run. Synthetic clustered unit vectors (dim 128). Prints one JSON object.
// Usage: npx tsx --conditions=aios-source bench/memory-search.ts [--full] [--n=N] [--queries=Q]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ItemInput } from '@aios/abi';
import { createSqliteStorage } from '../packages/drivers/src/storage-sqlite/index.ts';

const args = process.argv.slice(2);
const full = args.includes('--full') || process.env['FULL'] === '1';
const arg = (name: string, dflt: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const N = arg('n', full ? 1_000_000 : 100_000);
const Q = arg('queries', 200);
const DIM = 128;
const K = 10;
const CLUSTERS = Math.max(50, Math.round(N / 100));

let seed = 12345;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
const unit = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
};
// Topic centroids, and items scattered around them (realistic: embeddings cluster by topic).
const centroids = Array.from({ length: CLUSTERS }, () => unit(Float32Array.from({ length: DIM }, gauss)));
const near = (c: Float32Array, spread: number): Float32Array => unit(Float32Array.from(c, (x) => x + spread * gauss()));
const pctl = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const dir = mkdtempSync(join(tmpdir(), 'aios-bench-search-'));
try {
  const s = createSqliteStorage({ path: join(dir, 'bench.db'), synchronous: 'normal' });
  await s.createNamespace({ id: 'bench', owner: 'bench', embedder: 'synthetic', dim: DIM, created: 0, meta: {} });
  const matrix = new Float32Array(N * DIM); // the exact baseline's copy
  const t0 = performance.now();
  const BATCH = 5000;
  for (let start = 0; start < N; start += BATCH) {
    const batch: ItemInput[] = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const v = near(centroids[Math.floor(rnd() * CLUSTERS)]!, 0.08);
      matrix.set(v, i * DIM);
      batch.push({ id: `i${i}`, ns: 'bench', text: '', author: 'bench', now: i, embedding: v });
    }
    await s.putItems(batch);
  }
  const insertS = (performance.now() - t0) / 1000;

  const queries = Array.from({ length: Q }, () => near(centroids[Math.floor(rnd() * CLUSTERS)]!, 0.1));
  const t1 = performance.now();
  await s.vectorSearch(['bench'], queries[0]!, K); // first search builds the HNSW index
  const buildS = (performance.now() - t1) / 1000;

  for (const q of queries.slice(0, 10)) await s.vectorSearch(['bench'], q, K); // warm-up (JIT)
  const annMs: number[] = [];
  const exactMs: number[] = [];
  let hit = 0;
  for (const q of queries) {
    let t = performance.now();
    const ann = await s.vectorSearch(['bench'], q, K);
    annMs.push(performance.now() - t);
    t = performance.now();
    // Exact baseline: brute-force cosine over every vector (all unit length), keep the top K.
    const top: { i: number; s: number }[] = [];
    for (let i = 0; i < N; i++) {
      let d = 0;
      const o = i * DIM;
      for (let j = 0; j < DIM; j++) d += q[j]! * matrix[o + j]!;
      if (top.length < K || d > top[top.length - 1]!.s) {
        top.push({ i, s: d });
        top.sort((a, b) => b.s - a.s);
        if (top.length > K) top.pop();
      }
    }
    exactMs.push(performance.now() - t);
    const truth = new Set(top.map((x) => `i${x.i}`));
    hit += ann.filter((h) => truth.has(h.id)).length;
  }
  const t2 = performance.now();
  await s.close(); // persists the HNSW file beside the database
  const persistS = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  const r = createSqliteStorage({ path: join(dir, 'bench.db'), synchronous: 'normal' });
  await r.vectorSearch(['bench'], queries[0]!, K);
  const reopenS = (performance.now() - t3) / 1000;
  await r.close();

  const recall = hit / (Q * K);
  const p50 = pctl(annMs, 0.5);
  const p99 = pctl(annMs, 0.99);
  const exactP50 = pctl(exactMs, 0.5);
  console.log(JSON.stringify({
    bench: 'memory-search',
    n: N, dim: DIM, k: K, queries: Q, clusters: CLUSTERS,
    index: 'hnswlib-node HNSW via storage-sqlite vectorSearch (M=16, efConstruction=100, efSearch=96)',
    insert_s: +insertS.toFixed(2), index_build_s: +buildS.toFixed(2), index_persist_s: +persistS.toFixed(2), reopen_load_s: +reopenS.toFixed(2),
    ours: { p50_ms: +p50.toFixed(3), p99_ms: +p99.toFixed(3), recall_at_10: +recall.toFixed(4) },
    baseline: { name: 'exact brute-force scan (JS, same vectors)', p50_ms: +exactP50.toFixed(3), p99_ms: +pctl(exactMs, 0.99).toFixed(3), recall_at_10: 1 },
    ratio: { p50_speedup: +(exactP50 / p50).toFixed(1) },
    goal: { at: 1_000_000, p50_ms: 5, recall_at_10: 0.95, measured_at: N, met: N >= 1_000_000 && p50 <= 5 && recall >= 0.95, met_at_this_n: p50 <= 5 && recall >= 0.95 },
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
