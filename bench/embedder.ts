// Benchmark of the offline embedder (embedder-wink): load time, single-core throughput on short texts against a
// plain hashed bag-of-words baseline measured in the same run, and a few similarity sanity figures. One JSON object.
import { createWinkEmbedder } from '../packages/drivers/src/embedder-wink/index.ts';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const N = FULL ? 500_000 : 100_000;
const e = createWinkEmbedder();
const t0 = performance.now();
e.open();
const loadMs = performance.now() - t0;

const words = ['schedule', 'meeting', 'weather', 'tomorrow', 'translate', 'french', 'email', 'boss', 'pizza', 'timer',
  'minutes', 'report', 'summarise', 'flight', 'paris', 'stock', 'price', 'alarm', 'lights', 'kitchen', 'please', 'my'];
const texts: string[] = [];
let x = 12345;
for (let i = 0; i < 5000; i++) {
  const n = 4 + (i % 6);
  const w: string[] = [];
  for (let j = 0; j < n; j++) { x = (x * 1103515245 + 12345) >>> 0; w.push(words[x % words.length]!); }
  texts.push(`${w.join(' ')} ${i}`);
}

function run(f: (s: string) => unknown): number {
  for (let i = 0; i < 5000; i++) f(texts[i % texts.length]!);
  const t = performance.now();
  for (let i = 0; i < N; i++) f(texts[i % texts.length]!);
  return N / ((performance.now() - t) / 1000);
}

/** Baseline: hashed bag of words (FNV-1a into 384 buckets), normalised: the cheapest lexical embedder. */
function hashedBow(s: string): Float32Array {
  const v = new Float32Array(384);
  for (const w of s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    v[(h >>> 0) % 384]! += 1;
  }
  let n = 0;
  for (const y of v) n += y * y;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

const ours = run(e.embedSync);
const base = run(hashedBow);
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, y, i) => s + y * b[i]!, 0);
const sim = (a: string, b: string) => Math.round(cos(e.embedSync(a), e.embedSync(b)) * 1000) / 1000;
console.log(JSON.stringify({
  bench: 'embedder',
  embedder: { name: e.info.name, dim: e.dim, description: e.info.description },
  loadMs: Math.round(loadMs),
  texts: N,
  throughputPerSec: Math.round(ours),
  baselineHashedBowPerSec: Math.round(base),
  ratio: Math.round((ours / base) * 1000) / 1000,
  similarity: {
    automobile_car: sim('automobile', 'car'),
    automobile_banana: sim('automobile', 'banana'),
    rainTomorrow_weatherForecast: sim('will it rain tomorrow', 'what is the weather forecast'),
    rainTomorrow_bookTable: sim('will it rain tomorrow', 'book a table for two'),
  },
  goal: { target: 'throughput >= 20000 short texts/s single core', value: Math.round(ours), met: ours >= 20_000 },
}, null, 2));
