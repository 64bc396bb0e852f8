// Benchmark of semantic intent routing (AIOS issue 18): for the node's embedder and each scorer (hybrid: lexical +
// embedding; embedding only; lexical only), best-intent-first, in-scope accuracy and out-of-scope recall at the
// threshold the router derives from its own registry (no tuning on test data), on HWU64 and BANKING77 (a fixed-seed
// fifth of the intents held out as out-of-scope) with 5 and 10 examples per intent; a TF-IDF centroid baseline in
// the same run; whether refusal holds from 10 to ~110 registered intents; what a model judge would change on close
// calls (scripted model); routing p50 with 1,000 intents; the hand-written shipped set as a smoke test.
// Prints one JSON object with `met` computed from the goals. The embedder is embedder-wink unless AIOS_EMBED_*
// configure a server (then every text is embedded once, up front, and latency excludes the server's time).
// Data: ../shared/datasets (or AIOS_DATASETS_DIR); the data set parts are skipped with a note when absent.
import { embedderFromEnv } from '../packages/drivers/src/embedder-openai/index.ts';
import {
  IntentRouter, DEFAULT_SCORER_WEIGHTS, evaluateThreshold, calibrateThreshold, loadIntentDataset, splitDataset, termCounts,
  LexicalVocabulary, sparseDot, RouteJudge,
} from '../packages/services/src/semantic-ipcd/index.ts';
import type { ScorerWeights } from '../packages/services/src/semantic-ipcd/index.ts';
import { fewShot, loadIntentSet, type FewShotSplit, type IntentSet } from './lib/intent-sets.ts';
import { isFull, round } from './lib/stats.ts';
import { loadavg } from 'node:os';
import { dotAt } from '../packages/services/src/semantic-ipcd/scorer.ts';

const SEED = 42;
const driver = embedderFromEnv(process.env);
const local = driver as Partial<{ open(): void; embedSync(text: string): Float32Array }>;
let t0 = performance.now();
local.open?.();
const vectors = new Map<string, Float32Array>();
/** Embeds texts not seen yet (a remote embedder: in batches of 256, once). */
async function prefetch(texts: string[]): Promise<void> {
  if (local.embedSync !== undefined) return;
  const missing = [...new Set(texts.filter((t) => !vectors.has(t)))];
  for (let i = 0; i < missing.length; i += 256) {
    const part = missing.slice(i, i + 256);
    (await driver.embed(part)).forEach((v, j) => vectors.set(part[j]!, v));
  }
}
const embedSync = (text: string): Float32Array => {
  const hit = vectors.get(text);
  if (hit) return hit;
  if (local.embedSync === undefined) throw new Error(`text not embedded up front: ${text}`);
  return local.embedSync(text);
};
const embedder = { info: driver.info, dim: driver.dim, embed: async (texts: string[]) => { await prefetch(texts); return texts.map(embedSync); }, embedSync };
if (!(embedder.dim > 0)) { await driver.embed(['probe']); embedder.dim = driver.dim; }
const loadMs = performance.now() - t0;

const SCORERS: Record<string, ScorerWeights> = {
  hybrid: DEFAULT_SCORER_WEIGHTS,
  embeddingOnly: { lexCentroid: 0, lexNearest: 0, vecCentroid: 0.4, vecNearest: 0.6 },
  lexicalOnly: { lexCentroid: 0.55, lexNearest: 0.45, vecCentroid: 0, vecNearest: 0 },
};

interface Top { intent: string; score: number; candidates: Array<{ intent: string; score: number }> }

async function buildRouter(registered: FewShotSplit['registered'], weights: ScorerWeights): Promise<IntentRouter> {
  await prefetch(registered.flatMap((it) => [it.description, ...it.examples]));
  const router = new IntentRouter({ embedder, embedSync, weights });
  let agent = 1;
  for (const it of registered) await router.register(agent++, it);
  return router;
}

function topOf(router: IntentRouter, text: string, k = 1): Top {
  const c = router.candidatesForVector(embedSync(text), k, text);
  return { intent: c[0]!.intent, score: c[0]!.score, candidates: c };
}

/** In-scope accuracy (right intent and accepted), OOS recall (refused) at the router's own threshold. */
function measure(router: IntentRouter, split: FewShotSplit) {
  const info = router.thresholdInfo();
  const inS = split.inScope.map((r) => { const t = topOf(router, r.text); return { score: t.score, correct: t.intent === r.intent }; });
  const oos = split.outOfScope.map((t) => topOf(router, t).score);
  const at = evaluateThreshold(inS, oos, info.threshold);
  const oracle = calibrateThreshold(inS, oos);
  return {
    bestIntentFirst: round(inS.filter((s) => s.correct).length / inS.length, 4),
    threshold: round(info.threshold, 4),
    thresholdSource: info.source,
    inScopeAccuracy: round(at.inScopeAccuracy, 4),
    oosRecall: round(at.oosRecall, 4),
    /** For reference only: the best threshold chosen on the test data itself (not available to a router). */
    oracle: { threshold: round(oracle.threshold, 4), inScopeAccuracy: round(oracle.inScopeAccuracy, 4), oosRecall: round(oracle.oosRecall, 4) },
  };
}

/** The baseline: cosine to a TF-IDF centroid over words, bigrams and char 4-grams (idf on the examples). */
function tfidfBaseline(split: FewShotSplit) {
  const feats = (s: string): Map<string, number> => {
    const w = s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const m = new Map<string, number>();
    const add = (k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    w.forEach((x, i) => { add(`0\u0001${x}`); if (i > 0) add(`1\u0001${w[i - 1]} ${x}`); });
    const p = ` ${w.join(' ')} `;
    for (let i = 0; i + 4 <= p.length; i++) add(`2\u0001${p.slice(i, i + 4)}`);
    return m;
  };
  const vocab = new LexicalVocabulary({ word: 1 / 3, bigram: 1 / 3, char: 1 / 3 });
  const ex = split.registered.map((it) => it.examples.map(feats));
  ex.flat().forEach((c) => vocab.add(c));
  const cents = ex.map((cs) => {
    const acc = new Map<string, number>();
    for (const c of cs) for (const [k, v] of c) acc.set(k, (acc.get(k) ?? 0) + v);
    return vocab.vectorise(acc);
  });
  const top = (t: string) => {
    const q = vocab.vectorise(feats(t));
    let best = { i: 0, score: -Infinity };
    cents.forEach((c, i) => { const s = sparseDot(q, c); if (s > best.score) best = { i, score: s }; });
    return { intent: split.registered[best.i]!.name, score: best.score };
  };
  const inS = split.inScope.map((r) => { const t = top(r.text); return { score: t.score, correct: t.intent === r.intent }; });
  const oos = split.outOfScope.map((t) => top(t).score);
  const oracle = calibrateThreshold(inS, oos);
  return { bestIntentFirst: round(inS.filter((s) => s.correct).length / inS.length, 4), oracle: { threshold: round(oracle.threshold, 4), inScopeAccuracy: round(oracle.inScopeAccuracy, 4), oosRecall: round(oracle.oosRecall, 4) } };
}

/**
 * The judge with a scripted model that knows the answers (picks the right intent when it is shown, else "none"):
 * an upper bound of what a model can change on close calls, and what it costs (calls, tokens) per request.
 */
async function judgeEffect(router: IntentRouter, split: FewShotSplit) {
  const truth = new Map<string, string | null>();
  for (const r of split.inScope) truth.set(r.text, r.intent);
  for (const t of split.outOfScope) truth.set(t, null);
  const judge = new RouteJudge({}, async (messages) => {
    const text = JSON.parse(messages[1]!.content.split('\n')[0]!.slice('Request: '.length)) as string;
    const shown = [...messages[1]!.content.matchAll(/^- ([^:]+):/gm)].map((m) => m[1]!);
    const want = truth.get(text);
    return { text: want && shown.includes(want) ? want : 'none', tokens: Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4) + 3 };
  }, () => 0);
  (judge.config as { maxCallsPerMinute: number }).maxCallsPerMinute = 1e9;
  (judge.config as { maxTokensPerMinute: number }).maxTokensPerMinute = 1e12;
  const threshold = router.threshold;
  const decide = async (text: string): Promise<string | null> => {
    const t = topOf(router, text, judge.config.k);
    const v = await judge.judge(text, t.candidates.map((c) => ({ ...c, description: c.intent.replace(/_/g, ' ') })), threshold);
    if (v === undefined) return t.score >= threshold ? t.intent : null;
    return 'pick' in v ? v.pick : null;
  };
  let ok = 0;
  for (const r of split.inScope) if ((await decide(r.text)) === r.intent) ok++;
  let refused = 0;
  for (const t of split.outOfScope) if ((await decide(t)) === null) refused++;
  const n = split.inScope.length + split.outOfScope.length;
  return {
    margin: judge.config.margin, k: judge.config.k,
    touchedShare: round(judge.stats.consulted / n, 4), calls: judge.stats.calls, tokensPerRequest: round(judge.stats.tokens / n, 1),
    inScopeAccuracy: round(ok / split.inScope.length, 4), oosRecall: round(refused / split.outOfScope.length, 4),
  };
}

/** Refusal as the registry grows: both sets' held-out fifths are out of scope; register 10 vs all the others. */
async function scaling(sets: IntentSet[]) {
  const splits = sets.map((s) => fewShot(s, 10, SEED));
  const all: FewShotSplit = {
    registered: splits.flatMap((s) => s.registered),
    inScope: splits.flatMap((s) => s.inScope),
    outOfScope: splits.flatMap((s) => s.outOfScope),
  };
  const small: FewShotSplit = { ...all, registered: all.registered.filter((_, i) => i % Math.floor(all.registered.length / 10) === 0).slice(0, 10) };
  const names = new Set(small.registered.map((r) => r.name));
  small.inScope = all.inScope.filter((r) => names.has(r.intent));
  await prefetch([...all.inScope.map((r) => r.text), ...all.outOfScope]);
  const out: Record<string, unknown> = {};
  for (const sp of [small, all]) {
    const m = measure(await buildRouter(sp.registered, DEFAULT_SCORER_WEIGHTS), sp);
    out[`intents${sp.registered.length}`] = { threshold: m.threshold, inScopeAccuracy: m.inScopeAccuracy, oosRecall: m.oosRecall };
  }
  return out;
}

/** 1,000 intents: 10-example chunks of the training utterances of both sets' intents. */
async function latency(sets: IntentSet[], total: number, nQueries: number) {
  const intents: FewShotSplit['registered'] = [];
  for (let chunk = 0; intents.length < total; chunk++) {
    let added = 0;
    for (const s of sets) for (const [name, utts] of Object.entries(s.train)) {
      if (intents.length >= total) break;
      const ex = utts.slice(chunk * 10, chunk * 10 + 10);
      if (ex.length < 10) continue;
      intents.push({ name: `${name}#${chunk}`, description: name.replace(/_/g, ' '), examples: ex });
      added++;
    }
    if (added === 0) break;
  }
  const tReg = performance.now();
  const router = await buildRouter(intents, DEFAULT_SCORER_WEIGHTS);
  const registerMs = performance.now() - tReg;
  const queries = sets.flatMap((s) => Object.values(s.test).flat());
  await prefetch(queries.slice(0, nQueries));
  // Incremental refit: registering one more intent into the 1,000 (the classifier refits only its neighbourhood).
  const extra = intents[0]!;
  const tOne = performance.now();
  await router.register(1_000_000, { ...extra, name: `${extra.name}+1`, examples: extra.examples.slice(1) });
  const registerOneMs = round(performance.now() - tOne, 2);
  const tPack = performance.now();
  const threshold = router.threshold; // packs and derives the threshold (once per registry change)
  const packMs = performance.now() - tPack;
  for (let i = 0; i < 200; i++) { try { router.routeSync(queries[i % queries.length]!); } catch { /* ENOROUTE */ } }
  const times: number[] = [];
  for (let i = 0; i < nQueries; i++) {
    const q = queries[i % queries.length]!;
    const t = performance.now();
    try { router.routeSync(q); } catch { /* ENOROUTE is a routing answer too */ }
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => round(times[Math.min(times.length - 1, Math.floor(p * times.length))]!, 3);
  // The machine's speed in the same run: one pass of 640k multiply-adds (1,000 centroids of 639 dimensions).
  const M = new Float32Array(1000 * 639).map((_, i) => ((i * 7919) % 1000) / 1000);
  const v = M.subarray(0, 639);
  const tRef = performance.now();
  let acc = 0;
  for (let rep = 0; rep < 50; rep++) for (let i = 0; i < 1000; i++) acc += dotAt(v, M, i * 639, 639);
  const reference640kMacMs = round((performance.now() - tRef) / 50, 3);
  return { intents: router.size, queries: nQueries, threshold: round(threshold, 4), reference640kMacMs: acc > 0 ? reference640kMacMs : NaN, loadAverage1m: round(loadavg()[0]!, 2), registerMs: Math.round(registerMs), registerOneMoreMs: registerOneMs, packAndThresholdMs: Math.round(packMs), p50Ms: pct(0.5), p90Ms: pct(0.9), p99Ms: pct(0.99), note: local.embedSync ? 'includes embedding the request (embedder-wink)' : 'excludes the embedding server' };
}

/** The hand-written shipped set (smoke test): its test split, the router's own threshold. */
async function smoke() {
  const ds = loadIntentDataset();
  const split = splitDataset(ds);
  const sp: FewShotSplit = {
    registered: ds.intents.map((it) => ({ name: it.name, description: it.description, examples: split.examples(it, 10) })),
    inScope: split.test,
    outOfScope: split.oosTest,
  };
  await prefetch([...sp.inScope.map((r) => r.text), ...sp.outOfScope]);
  const m = measure(await buildRouter(sp.registered, DEFAULT_SCORER_WEIGHTS), sp);
  return { intents: sp.registered.length, bestIntentFirst: m.bestIntentFirst, threshold: m.threshold, inScopeAccuracy: m.inScopeAccuracy, oosRecall: m.oosRecall };
}

const result: Record<string, unknown> = {
  bench: 'semantic-routing',
  embedder: { name: embedder.info.name, dim: embedder.dim, loadMs: Math.round(loadMs) },
  protocol: `seed ${SEED}; a fifth of the intents held out as out-of-scope; k examples sampled from train, description = humanised intent name; scored on test; threshold derived by the router from its registry (leave-one-out)`,
};
const sets: IntentSet[] = [];
const goals: Record<string, { target: number; value: number; met: boolean }> = {};
for (const name of ['hwu64', 'banking77']) {
  const set = loadIntentSet(name);
  if (set === null) { result[name] = { skipped: 'data set not found in ../shared/datasets (set AIOS_DATASETS_DIR)' }; continue; }
  sets.push(set);
  const per: Record<string, unknown> = {};
  for (const k of [5, 10]) {
    const split = fewShot(set, k, SEED);
    await prefetch([...split.inScope.map((r) => r.text), ...split.outOfScope]);
    const row: Record<string, unknown> = {};
    for (const [sname, w] of Object.entries(SCORERS)) row[sname] = measure(await buildRouter(split.registered, w), split);
    row.baselineTfidfCentroid = tfidfBaseline(split);
    if (k === 10) {
      row.hybridWithJudge = await judgeEffect(await buildRouter(split.registered, DEFAULT_SCORER_WEIGHTS), split);
      const h = row.hybrid as { inScopeAccuracy: number; oosRecall: number; bestIntentFirst: number };
      const b = row.baselineTfidfCentroid as { bestIntentFirst: number };
      goals[`${name}K10InScopeAccuracy`] = { target: 0.8, value: h.inScopeAccuracy, met: h.inScopeAccuracy >= 0.8 };
      goals[`${name}K10OosRecall`] = { target: 0.6, value: h.oosRecall, met: h.oosRecall >= 0.6 };
      goals[`${name}K10BestFirstOverBaseline`] = { target: 1.05, value: round(h.bestIntentFirst / b.bestIntentFirst, 3), met: h.bestIntentFirst >= 1.05 * b.bestIntentFirst };
    }
    per[`k${k}`] = row;
  }
  result[name] = per;
}
if (sets.length > 0) {
  const sc = await scaling(sets);
  result.scaling = sc;
  for (const [n, v] of Object.entries(sc)) goals[`oosRecallWith${n}`] = { target: 0.6, value: (v as { oosRecall: number }).oosRecall, met: (v as { oosRecall: number }).oosRecall >= 0.6 };
  t0 = performance.now();
  const lat = await latency(sets, 1000, isFull() ? 20000 : 4000);
  result.latency1000 = lat;
  goals.p50LatencyMs1000Intents = { target: 1, value: lat.p50Ms, met: lat.p50Ms < 1 };
}
result.smokeShipped = await smoke();
result.goal = goals;
result.met = Object.keys(goals).length > 0 && Object.values(goals).every((g) => g.met);
console.log(JSON.stringify(result, null, 2));
