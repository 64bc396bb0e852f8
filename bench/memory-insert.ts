// Bench: memory-fabric insert rate including embedding with the default offline embedder (embedder-wink),
// through createFabric().putMany over storage-sqlite (file, WAL, synchronous=FULL, batched transactions),
// with the namespace's vector index live. Baseline, same run: plain better-sqlite3 INSERTs of the same texts.
// Usage: npx tsx --conditions=aios-source bench/memory-insert.ts [--full] [--n=N] [--batch=B]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../packages/drivers/src/storage-sqlite/index.ts';
import { createWinkEmbedder } from '../packages/drivers/src/embedder-wink/index.ts';
import { createFabric } from '../packages/services/src/memoryd/index.ts';

const args = process.argv.slice(2);
const full = args.includes('--full') || process.env['FULL'] === '1';
const arg = (name: string, dflt: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const N = arg('n', full ? 200_000 : 30_000);
const BATCH = arg('batch', 1000);

// Synthetic but sentence-like notes from a vocabulary of common words.
const words = ('agent memory plan meeting project budget travel paris flight hotel recipe garden weather storm code bug release ' +
  'server database query index cache network latency user customer invoice payment order shipping warehouse doctor health ' +
  'exercise music concert movie book library school exam science physics chemistry river mountain city train car bicycle ' +
  'coffee breakfast dinner friend family birthday gift email report deadline review design test deploy kernel scheduler').split(' ');
let seed = 7;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const sentence = (i: number): string =>
  `note ${i}: ` + Array.from({ length: 8 + Math.floor(rnd() * 10) }, () => words[Math.floor(rnd() * words.length)]).join(' ');
const texts = Array.from({ length: N }, (_, i) => sentence(i));

const dir = mkdtempSync(join(tmpdir(), 'aios-bench-insert-'));
try {
  const embedder = createWinkEmbedder();
  embedder.open(); // load word vectors outside the timed part
  const storage = createSqliteStorage({ path: join(dir, 'fabric.db') });
  let t = 0;
  const fabric = createFabric({ storage, embedder, clock: { now: () => ++t } });
  const who = { actor: 'bench' };
  await fabric.createNamespace(who, { id: 'bench' });
  await fabric.search(who, { ns: ['bench'], query: 'warm', mode: 'vector' }); // index live from the start

  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    await fabric.putMany(who, 'bench', texts.slice(i, i + BATCH).map((text) => ({ text, tags: ['bench'] })));
  }
  const oursS = (performance.now() - t0) / 1000;
  // Items are durable and searchable (graph + exact write buffer) when putMany resolves; the HNSW graph
  // catches up in the background. Time the rest of that catch-up (drain + write of the .hnsw file).
  const tc = performance.now();
  await storage.flush();
  const catchUpS = (performance.now() - tc) / 1000;

  // Where the time goes: embedding alone over the same texts.
  const t1 = performance.now();
  for (let i = 0; i < N; i += BATCH) await embedder.embed(texts.slice(i, i + BATCH));
  const embedS = (performance.now() - t1) / 1000;

  // Baseline: the bare storage floor, plain INSERTs of text in the same-size transactions, same pragmas.
  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const ins = raw.prepare('INSERT INTO t (text) VALUES (?)');
  const tx = raw.transaction((xs: string[]) => { for (const x of xs) ins.run(x); });
  const t2 = performance.now();
  for (let i = 0; i < N; i += BATCH) tx(texts.slice(i, i + BATCH));
  const rawS = (performance.now() - t2) / 1000;
  raw.close();
  const stats = await fabric.stats(who, 'bench');
  await storage.close();

  const rate = N / oursS;
  console.log(JSON.stringify({
    bench: 'memory-insert',
    n: N, batch: BATCH, embedder: `${embedder.info.name} (dim ${embedder.dim})`, storage: 'storage-sqlite file, WAL, synchronous=FULL, FTS5 + HNSW live',
    ours: { items_per_s: Math.round(rate), seconds: +oursS.toFixed(2), bytes_stored: stats.bytes },
    breakdown: { embed_only_items_per_s: Math.round(N / embedS), hnsw_catch_up_after_last_insert_s: +catchUpS.toFixed(2) },
    baseline: { name: 'plain better-sqlite3 INSERT of the text, same transactions', items_per_s: Math.round(N / rawS) },
    ratio: { ours_vs_baseline: +(rate / (N / rawS)).toFixed(3) },
    goal: { items_per_s: 5000, met: rate >= 5000 },
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
