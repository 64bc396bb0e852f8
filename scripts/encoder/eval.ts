// Few-shot routing evaluation of an embedder on one intent set, with the plain nearest-centroid router:
// k examples per intent from `train` (seeded), a fifth of the intents held out as out-of-scope, scored on `test`.
//  - top1: best-intent-first accuracy of in-scope test texts among the registered intents (no threshold);
//  - auroc: how well the best centroid score separates in-scope from out-of-scope texts (threshold-free);
//  - inScopeAtOos60: in-scope accuracy (right intent and above threshold) at the threshold where out-of-scope
//    recall is 0.60. That threshold is read off the held-out scores (an oracle operating point, the same rule for
//    every embedder): it compares embedders, it is not a deployable threshold.
import { rng, shuffle, type IntentSet } from './data.ts';

export type EmbedFn = (text: string) => Float32Array;

export interface RoutingFigures { top1: number; auroc: number; inScopeAtOos60: number; intents: number; inScopeTexts: number; oosTexts: number }

const dot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };

export function evaluateRouting(set: IntentSet, embed: EmbedFn, k = 10, seed = 7): RoutingFigures {
  const rand = rng(seed);
  const names = shuffle(Object.keys(set.train).sort(), rand);
  const nOut = Math.round(names.length / 5);
  const outNames = new Set(names.slice(0, nOut));
  const inNames = names.slice(nOut);
  const centroids = inNames.map((n) => {
    const ex = shuffle(set.train[n]!, rand).slice(0, k);
    const c = new Float32Array(embed(ex[0]!).length);
    for (const t of ex) { const v = embed(t); for (let i = 0; i < c.length; i++) c[i]! += v[i]!; }
    const norm = Math.sqrt(dot(c, c)) || 1;
    for (let i = 0; i < c.length; i++) c[i]! /= norm;
    return c;
  });
  const best = (text: string): [number, number] => {
    const v = embed(text);
    let bi = -1;
    let bs = -Infinity;
    centroids.forEach((c, i) => { const s = dot(v, c); if (s > bs) { bs = s; bi = i; } });
    return [bi, bs];
  };
  const inS: { score: number; ok: boolean }[] = [];
  const outS: number[] = [];
  for (const [n, texts] of Object.entries(set.test)) {
    for (const t of texts) {
      const [i, s] = best(t);
      if (outNames.has(n)) outS.push(s);
      else inS.push({ score: s, ok: inNames[i] === n });
    }
  }
  const top1 = inS.filter((x) => x.ok).length / inS.length;
  // AUROC by ranks: P(score of a random in-scope text > score of a random out-of-scope text).
  const sortedOut = outS.slice().sort((a, b) => a - b);
  let wins = 0;
  for (const x of inS) {
    let lo = 0, hi = sortedOut.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (sortedOut[m]! < x.score) lo = m + 1; else hi = m; }
    wins += lo;
  }
  const auroc = wins / (inS.length * outS.length);
  const thr = sortedOut[Math.floor(0.6 * sortedOut.length)]!;
  const inScopeAtOos60 = inS.filter((x) => x.ok && x.score > thr).length / inS.length;
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return { top1: r(top1), auroc: r(auroc), inScopeAtOos60: r(inScopeAtOos60), intents: inNames.length, inScopeTexts: inS.length, oosTexts: outS.length };
}
