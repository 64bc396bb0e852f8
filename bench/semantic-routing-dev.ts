// Development protocol for the intent router (AIOS issue 18): never touches the `test` split. For dev seeds other
// than the bench's, a fifth of the intents is held out; registered intents get k examples from `train`, and the
// dev requests are OTHER `train` utterances (up to DEV_PER_INTENT per intent) of the registered intents (in scope)
// and of the held-out ones (out of scope). Prints best-first / in-scope accuracy / OOS recall at the router's own
// threshold, per set and k, plus the 10-vs-all scaling check. Used to choose scorer, classifier and refusal rule.
import { embedderFromEnv } from '../packages/drivers/src/embedder-openai/index.ts';
import { IntentRouter, evaluateThreshold } from '../packages/services/src/semantic-ipcd/index.ts';
import { loadIntentSet, rng, type FewShotSplit, type IntentSet } from './lib/intent-sets.ts';
import { round } from './lib/stats.ts';

const DEV_SEEDS = (process.env.DEV_SEEDS ?? '7,11').split(',').map(Number);
const DEV_PER_INTENT = 8;
const driver = embedderFromEnv(process.env) as unknown as { info: { name: string; version: string; kind: 'embedder'; description: string }; dim: number; open?(): void; embedSync(t: string): Float32Array; embed(t: string[]): Promise<Float32Array[]> };
driver.open?.();
const cache = new Map<string, Float32Array>();
const embedSync = (t: string) => { let v = cache.get(t); if (!v) cache.set(t, (v = driver.embedSync(t))); return v; };
const embedder = { info: driver.info, dim: driver.dim, embed: async (ts: string[]) => ts.map(embedSync), embedSync };

function shuffle<T>(xs: T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a;
}

/** Dev split: train utterances only. */
export function devSplit(set: IntentSet, k: number, seed: number): FewShotSplit {
  const r = rng(seed);
  const names = shuffle(Object.keys(set.train).sort(), r);
  const out = new Set(names.slice(0, Math.round(names.length * 0.2)));
  const registered: FewShotSplit['registered'] = [];
  const inScope: FewShotSplit['inScope'] = [];
  const outOfScope: string[] = [];
  for (const name of Object.keys(set.train).sort()) {
    const utts = shuffle(set.train[name]!, rng(seed * 7919 + name.length));
    if (out.has(name)) { outOfScope.push(...utts.slice(0, DEV_PER_INTENT)); continue; }
    registered.push({ name, description: name.replace(/[_\-.]+/g, ' '), examples: utts.slice(0, k) });
    for (const text of utts.slice(k, k + DEV_PER_INTENT)) inScope.push({ intent: name, text });
  }
  return { registered, inScope, outOfScope };
}

async function build(reg: FewShotSplit['registered']): Promise<IntentRouter> {
  const router = new IntentRouter({ embedder, embedSync });
  let a = 1;
  for (const it of reg) await router.register(a++, it);
  return router;
}

function measure(router: IntentRouter, sp: FewShotSplit) {
  const info = router.thresholdInfo();
  const top = (t: string) => router.candidatesForVector(embedSync(t), 1, t)[0]!;
  const inS = sp.inScope.map((r) => { const c = top(r.text); return { score: c.score, correct: c.intent === r.intent }; });
  const oos = sp.outOfScope.map((t) => top(t).score);
  const at = evaluateThreshold(inS, oos, info.threshold);
  return { best: inS.filter((s) => s.correct).length / inS.length, acc: at.inScopeAccuracy, rec: at.oosRecall, thr: info.threshold };
}

const sets = ['hwu64', 'banking77'].map((n) => loadIntentSet(n)!).map((s, i) => ({ ...s, name: ['hwu64', 'banking77'][i]! }));
const rows: Record<string, string> = {};
const sum = { best: 0, acc: 0, rec: 0, n: 0 };
for (const set of sets) for (const k of [5, 10]) {
  const ms: Array<ReturnType<typeof measure>> = [];
  for (const seed of DEV_SEEDS) ms.push(measure(await build(devSplit(set, k, seed).registered), devSplit(set, k, seed)));
  const avg = (f: (m: typeof ms[0]) => number) => round(ms.reduce((a, m) => a + f(m), 0) / ms.length, 3);
  rows[`${set.name} k${k}`] = `${avg((m) => m.best)} / ${avg((m) => m.acc)} / ${avg((m) => m.rec)} (thr ${avg((m) => m.thr)})`;
  if (k === 10) { sum.best += avg((m) => m.best); sum.acc += avg((m) => m.acc); sum.rec += avg((m) => m.rec); sum.n++; }
}
// Scaling: both sets, 10 registered intents vs all registered, the same out-of-scope requests.
for (const seed of DEV_SEEDS.slice(0, 1)) {
  const sp = sets.map((s) => devSplit(s, 10, seed));
  const all: FewShotSplit = { registered: sp.flatMap((s) => s.registered), inScope: sp.flatMap((s) => s.inScope), outOfScope: sp.flatMap((s) => s.outOfScope) };
  const small = all.registered.filter((_, i) => i % Math.floor(all.registered.length / 10) === 0).slice(0, 10);
  const names = new Set(small.map((r) => r.name));
  for (const [label, reg] of [['10', small], ['all', all.registered]] as const) {
    const m = measure(await build(reg), { ...all, registered: reg, inScope: all.inScope.filter((r) => label === 'all' || names.has(r.intent)) });
    rows[`scaling ${label} (seed ${seed})`] = `${round(m.best, 3)} / ${round(m.acc, 3)} / ${round(m.rec, 3)} (thr ${round(m.thr, 3)})`;
  }
}
console.log(JSON.stringify({ devSeeds: DEV_SEEDS, rows, k10mean: { best: round(sum.best / sum.n, 3), acc: round(sum.acc / sum.n, 3), rec: round(sum.rec / sum.n, 3) } }, null, 1));
