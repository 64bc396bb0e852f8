// Benchmark of semantic intent routing (AIOS issue "Semantic IPC"): in-scope accuracy and out-of-scope recall
// on the hand-written data set with 5 and 10 examples per intent, against a TF-IDF nearest-example baseline
// calibrated the same way, plus routing latency with 1,000 registered intents. Prints one JSON object.
// The embedder is the node's: the offline embedder-wink, or an OpenAI-compatible embeddings server when
// AIOS_EMBED_BASE_URL/MODEL (/API_KEY/DIM) are set (then every text is embedded once, up front, in batches, and
// the latency figure counts routing on the precomputed query vectors: the server's embedding time is not in it).
import { embedderFromEnv } from '../packages/drivers/src/embedder-openai/index.ts';
import {
  IntentRouter, DEFAULT_THRESHOLD, calibrateThreshold, evaluateThreshold, loadIntentDataset, splitDataset,
} from '../packages/services/src/semantic-ipcd/index.ts';
import type { CalibrationSample, IntentDataset, DatasetSplit } from '../packages/services/src/semantic-ipcd/index.ts';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const ds = loadIntentDataset();
const split = splitDataset(ds);
const driver = embedderFromEnv(process.env);
const local = driver as Partial<{ open(): void; embedSync(text: string): Float32Array }>;
let t0 = performance.now();
local.open?.();
/** Every text the bench scores, embedded once (synchronously for the offline embedder, in one batch otherwise). */
const vectors = new Map<string, Float32Array>();
const allTexts = [...new Set([...ds.intents.flatMap((it) => [it.description, ...it.utterances]), ...ds.outOfScope])];
if (local.embedSync === undefined) {
  const vs = await driver.embed(allTexts);
  allTexts.forEach((t, i) => vectors.set(t, vs[i]!));
}
const loadMs = performance.now() - t0;
const embedSync = (text: string): Float32Array => {
  const hit = vectors.get(text);
  if (hit) return hit;
  if (local.embedSync === undefined) throw new Error(`text not embedded up front: ${text}`);
  return local.embedSync(text);
};
async function embed(texts: string[]): Promise<Float32Array[]> {
  const missing = local.embedSync === undefined ? [...new Set(texts.filter((t) => !vectors.has(t)))] : [];
  if (missing.length > 0) (await driver.embed(missing)).forEach((v, i) => vectors.set(missing[i]!, v));
  return texts.map(embedSync);
}
const embedder = { info: driver.info, dim: driver.dim, embed, embedSync };

interface Scorer {
  /** Best intent and its score for a text. */
  top(text: string): { intent: string; score: number };
}

function evaluate(scorer: Scorer, defaultThreshold?: number) {
  const samples = (rows: DatasetSplit['dev']): CalibrationSample[] =>
    rows.map((r) => { const t = scorer.top(r.text); return { score: t.score, correct: t.intent === r.intent }; });
  const devIn = samples(split.dev);
  const devOut = split.oosDev.map((t) => scorer.top(t).score);
  const cal = calibrateThreshold(devIn, devOut);
  const testIn = samples(split.test);
  const testOut = split.oosTest.map((t) => scorer.top(t).score);
  const atCal = evaluateThreshold(testIn, testOut, cal.threshold);
  const top1 = testIn.filter((s) => s.correct).length / testIn.length;
  const r = (x: number) => Math.round(x * 10000) / 10000;
  const out: Record<string, unknown> = {
    threshold: r(cal.threshold),
    dev: { inScopeAccuracy: r(cal.inScopeAccuracy), oosRecall: r(cal.oosRecall) },
    test: { inScopeAccuracy: r(atCal.inScopeAccuracy), oosRecall: r(atCal.oosRecall), top1NoThreshold: r(top1) },
  };
  if (defaultThreshold !== undefined) {
    const d = evaluateThreshold(testIn, testOut, defaultThreshold);
    out.testAtDefaultThreshold = { threshold: defaultThreshold, inScopeAccuracy: r(d.inScopeAccuracy), oosRecall: r(d.oosRecall) };
  }
  return out;
}

async function routerScorer(k: number): Promise<Scorer> {
  const router = new IntentRouter({ embedder, embedSync: embedder.embedSync });
  let agent = 1;
  for (const it of ds.intents) await router.register(agent++, { name: it.name, description: it.description, examples: split.examples(it, k) });
  return {
    top(text) {
      const c = router.candidatesForVector(embedder.embedSync(text), 1)[0]!;
      return { intent: c.intent, score: c.score };
    },
  };
}

/** Baseline: TF-IDF (log idf over the registered examples, sublinear tf) cosine to the nearest example. */
function tfidfScorer(k: number): Scorer {
  const tok = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const docs: Array<{ intent: string; terms: string[] }> = [];
  for (const it of ds.intents) for (const e of split.examples(it, k)) docs.push({ intent: it.name, terms: tok(e) });
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log((docs.length + 1) / ((df.get(t) ?? 0) + 1)) + 1;
  const vec = (terms: string[]) => {
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    const v = new Map<string, number>();
    let n2 = 0;
    for (const [t, c] of tf) { const w = (1 + Math.log(c)) * idf(t); v.set(t, w); n2 += w * w; }
    const n = Math.sqrt(n2) || 1;
    for (const [t, w] of v) v.set(t, w / n);
    return v;
  };
  const vecs = docs.map((d) => ({ intent: d.intent, v: vec(d.terms) }));
  return {
    top(text) {
      const q = vec(tok(text));
      let best = { intent: '', score: -1 };
      for (const d of vecs) {
        let s = 0;
        for (const [t, w] of q) s += w * (d.v.get(t) ?? 0);
        if (s > best.score) best = { intent: d.intent, score: s };
      }
      return best;
    },
  };
}

/** 1,000 intents: the real ones plus synthetic ones mixing two real intents' phrasing (first half of one, second of another). */
function synthIntents(data: IntentDataset, total: number) {
  const out = data.intents.map((it) => ({ name: it.name, description: it.description, examples: it.utterances.slice(0, 10) }));
  const n = data.intents.length;
  for (let j = 0; out.length < total; j++) {
    const a = data.intents[j % n]!;
    const b = data.intents[(j * 7 + 3 + Math.floor(j / n)) % n]!;
    if (a === b) continue;
    const examples = a.utterances.slice(0, 10).map((u, i) => {
      const wa = u.split(' ');
      const wb = b.utterances[(i + j) % 10]!.split(' ');
      return [...wa.slice(0, Math.ceil(wa.length / 2)), ...wb.slice(Math.floor(wb.length / 2))].join(' ');
    });
    out.push({ name: `synthetic_${j}_${a.name}_${b.name}`, description: `${a.description} ${b.description}`, examples });
  }
  return out;
}

async function latency(nIntents: number, nQueries: number) {
  const router = new IntentRouter({ embedder, embedSync: embedder.embedSync });
  const intents = synthIntents(ds, nIntents);
  await embed(intents.flatMap((it) => [it.description, ...it.examples])); // a remote embedder: once, up front
  const tReg = performance.now();
  for (let i = 0; i < intents.length; i++) await router.register(1000 + i, intents[i]!);
  const registerMs = performance.now() - tReg;
  const queries = [...split.test.map((r) => r.text), ...split.oosTest];
  // Warm-up (also packs the matrices once).
  for (let i = 0; i < 200; i++) { try { router.routeSync(queries[i % queries.length]!); } catch { /* ENOROUTE */ } }
  const times: number[] = [];
  for (let i = 0; i < nQueries; i++) {
    const q = queries[i % queries.length]!;
    const t = performance.now();
    try { router.routeSync(q); } catch { /* ENOROUTE is a routing answer too */ }
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 1000) / 1000;
  return { intents: router.size, queries: nQueries, registerMs: Math.round(registerMs), p50Ms: pct(0.5), p90Ms: pct(0.9), p99Ms: pct(0.99) };
}

const result: Record<string, unknown> = {
  bench: 'semantic-routing',
  dataset: { intents: ds.intents.length, devInScope: split.dev.length, testInScope: split.test.length, oosDev: split.oosDev.length, oosTest: split.oosTest.length },
  embedder: { name: embedder.info.name, dim: embedder.dim, description: embedder.info.description, loadMs: Math.round(loadMs) },
};
for (const k of [5, 10]) {
  result[`k${k}`] = {
    ours: evaluate(await routerScorer(k), k === 10 ? DEFAULT_THRESHOLD : undefined),
    baselineTfidf: evaluate(tfidfScorer(k)),
  };
}
t0 = performance.now();
const lat = await latency(1000, FULL ? 20000 : 4000);
const k10 = result.k10 as { ours: { test: { inScopeAccuracy: number; oosRecall: number } }; baselineTfidf: { test: { inScopeAccuracy: number; oosRecall: number } } };
result.latency1000 = lat;
result.ratio = {
  inScopeAccuracyOursOverBaselineK10: Math.round((k10.ours.test.inScopeAccuracy / k10.baselineTfidf.test.inScopeAccuracy) * 1000) / 1000,
  oosRecallOursOverBaselineK10: Math.round((k10.ours.test.oosRecall / Math.max(1e-9, k10.baselineTfidf.test.oosRecall)) * 1000) / 1000,
};
result.goal = {
  k10InScopeAccuracy: { target: 0.9, value: k10.ours.test.inScopeAccuracy, met: k10.ours.test.inScopeAccuracy >= 0.9 },
  k10OosRecall: { target: 0.7, value: k10.ours.test.oosRecall, met: k10.ours.test.oosRecall >= 0.7 },
  p50LatencyMs1000Intents: { target: 1, value: lat.p50Ms, met: lat.p50Ms <= 1 },
};
result.met = Object.values(result.goal as Record<string, { met: boolean }>).every((g) => g.met);
console.log(JSON.stringify(result, null, 2));
