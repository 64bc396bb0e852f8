// `npm run train:encoder`: trains the project's own sentence encoder (embedder-trained) and evaluates it across
// sets. For each direction (train on BANKING77 -> evaluate on HWU64, and the reverse) it learns a linear
// projection W (OUT × 100) of the word-vector block of the offline wink feature vector with an in-batch contrastive loss (two texts of
// the same intent are a positive pair; the other intents in the batch are negatives), picks the mix weight of
// projected vs raw features on held-out intents OF THE TRAINING SET, retrains on the whole training set, and
// evaluates on the OTHER set only (never on data it was trained on), against plain wink in the same run.
// Deterministic (seeded), one core, no workers. Writes packages/drivers/src/embedder-trained/weights/<set>.{bin,json}
// and prints one JSON object. Options: --steps N (default 1500), --quick (300 steps, for a smoke run).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWinkEmbedder } from '../packages/drivers/src/embedder-wink/index.ts';
import { combine } from '../packages/drivers/src/embedder-trained/projection.ts';
import { loadSet, rng, shuffle, type IntentSet } from './encoder/data.ts';
import { evaluateRouting } from './encoder/eval.ts';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const STEPS = Number(arg('--steps') ?? (args.includes('--quick') ? 300 : 2000));
const OUT = 128;
const PAIRS = 48;
const TAU = 0.05;
const LR = 2e-3;
const SEED = 20240518;
const MIXES = [0.5, 1, 2];
const weightsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'drivers', 'src', 'embedder-trained', 'weights');

const wink = createWinkEmbedder();
wink.open();
/** Projection input: the word-vector block of the wink features (its first 100 coordinates). */
const IN = 100;
const FULL_DIM = wink.dim;
const cache = new Map<string, Float32Array>();
const feat = (t: string): Float32Array => { let v = cache.get(t); if (!v) { v = wink.embedSync(t); cache.set(t, v); } return v; };

/** Trains W on the given intents (name -> texts) and returns it. In-batch softmax, symmetric, Adam. */
function train(byIntent: Record<string, string[]>, steps: number, seed: number): Float32Array {
  const rand = rng(seed);
  const names = Object.keys(byIntent).filter((n) => byIntent[n]!.length >= 2).sort();
  const X = names.map((n) => byIntent[n]!.map(feat));
  const W = new Float32Array(OUT * IN);
  // Gaussian init (Box-Muller), scale 1/sqrt(IN).
  for (let i = 0; i < W.length; i++) W[i] = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()) / Math.sqrt(IN);
  const m = new Float32Array(W.length), v = new Float32Array(W.length), G = new Float32Array(W.length);
  const P = Math.min(PAIRS, names.length);
  const U = new Float64Array(2 * P * OUT), Z = new Float64Array(2 * P * OUT), N = new Float64Array(2 * P), GZ = new Float64Array(2 * P * OUT);
  const xs: Float32Array[] = new Array(2 * P);
  for (let step = 1; step <= steps; step++) {
    const picked = shuffle(names.map((_, i) => i), rand).slice(0, P);
    picked.forEach((ci, p) => {
      const texts = X[ci]!;
      const a = Math.floor(rand() * texts.length);
      let b = Math.floor(rand() * (texts.length - 1));
      if (b >= a) b++;
      xs[p] = texts[a]!;
      xs[P + p] = texts[b]!;
    });
    // Forward: z = normalize(W x).
    for (let i = 0; i < 2 * P; i++) {
      const x = xs[i]!;
      let n2 = 0;
      for (let r = 0; r < OUT; r++) {
        let s = 0;
        const off = r * IN;
        for (let c = 0; c < IN; c++) s += W[off + c]! * x[c]!;
        U[i * OUT + r] = s;
        n2 += s * s;
      }
      N[i] = Math.sqrt(n2) || 1;
      for (let r = 0; r < OUT; r++) Z[i * OUT + r] = U[i * OUT + r]! / N[i]!;
    }
    // Loss gradients on z: rows anchors (0..P-1) vs positives (P..2P-1), both directions.
    GZ.fill(0);
    const S = new Float64Array(P * P);
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) {
      let s = 0;
      for (let r = 0; r < OUT; r++) s += Z[i * OUT + r]! * Z[(P + j) * OUT + r]!;
      S[i * P + j] = s / TAU;
    }
    const softmaxGrad = (get: (i: number, j: number) => number, apply: (i: number, j: number, g: number) => void) => {
      for (let i = 0; i < P; i++) {
        let mx = -Infinity;
        for (let j = 0; j < P; j++) mx = Math.max(mx, get(i, j));
        let sum = 0;
        for (let j = 0; j < P; j++) sum += Math.exp(get(i, j) - mx);
        for (let j = 0; j < P; j++) apply(i, j, (Math.exp(get(i, j) - mx) / sum - (i === j ? 1 : 0)) / (2 * P * TAU));
      }
    };
    const addTo = (dst: number, src: number, g: number) => { for (let r = 0; r < OUT; r++) GZ[dst * OUT + r]! += g * Z[src * OUT + r]!; };
    softmaxGrad((i, j) => S[i * P + j]!, (i, j, g) => { addTo(i, P + j, g); addTo(P + j, i, g); });
    softmaxGrad((i, j) => S[j * P + i]!, (i, j, g) => { addTo(P + i, j, g); addTo(j, P + i, g); });
    // Back through the normalisation and the projection.
    G.fill(0);
    for (let i = 0; i < 2 * P; i++) {
      let zg = 0;
      for (let r = 0; r < OUT; r++) zg += Z[i * OUT + r]! * GZ[i * OUT + r]!;
      const x = xs[i]!;
      for (let r = 0; r < OUT; r++) {
        const du = (GZ[i * OUT + r]! - Z[i * OUT + r]! * zg) / N[i]!;
        if (du === 0) continue;
        const off = r * IN;
        for (let c = 0; c < IN; c++) G[off + c]! += du * x[c]!;
      }
    }
    // Adam with a cosine learning-rate decay.
    const lr = LR * 0.5 * (1 + Math.cos(Math.PI * step / steps));
    const b1 = 0.9, b2 = 0.999;
    const c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
    for (let k = 0; k < W.length; k++) {
      const g = G[k]!;
      m[k] = b1 * m[k]! + (1 - b1) * g;
      v[k] = b2 * v[k]! + (1 - b2) * g * g;
      W[k]! -= lr * (m[k]! / c1) / (Math.sqrt(v[k]! / c2) + 1e-8);
    }
  }
  return W;
}

const embedWith = (W: Float32Array, mix: number) => {
  const memo = new Map<string, Float32Array>();
  return (t: string): Float32Array => {
    let y = memo.get(t);
    if (!y) { y = combine(W, OUT, IN, feat(t), 1, mix, new Float32Array(FULL_DIM + OUT)); memo.set(t, y); }
    return y;
  };
};

/** Picks the mix weight on a fifth of the training set's intents held out from a first training run. */
function pickMix(set: IntentSet): { mix: number; dev: Record<string, unknown> } {
  const names = shuffle(Object.keys(set.train).sort(), rng(SEED + 1));
  const nDev = Math.round(names.length / 5);
  const devNames = new Set(names.slice(0, nDev));
  const trainPart = Object.fromEntries(Object.entries(set.train).filter(([n]) => !devNames.has(n)));
  const W = train(trainPart, Math.max(100, Math.round(STEPS / 2)), SEED);
  const dev: IntentSet = { name: `${set.name}-dev`, train: Object.fromEntries(Object.entries(set.train).filter(([n]) => devNames.has(n))), test: Object.fromEntries(Object.entries(set.test).filter(([n]) => devNames.has(n))) };
  const dev5 = { ...dev };
  let bestMix = MIXES[0]!, bestScore = -1;
  const figures: Record<string, unknown> = { wink: evaluateRouting(dev5, feat) };
  for (const mix of MIXES) {
    const f = evaluateRouting(dev5, embedWith(W, mix));
    figures[`mix${mix}`] = f;
    const score = f.top1 + f.inScopeAtOos60;
    if (score > bestScore) { bestScore = score; bestMix = mix; }
  }
  return { mix: bestMix, dev: figures };
}

const sets = { banking77: loadSet('banking77'), hwu64: loadSet('hwu64') } as const;
const report: Record<string, unknown> = { script: 'train-encoder', steps: STEPS, out: OUT, in: IN, seed: SEED, directions: {} };
const started = performance.now();
for (const [trainName, evalName] of [['banking77', 'hwu64'], ['hwu64', 'banking77']] as const) {
  const t0 = performance.now();
  const trainSet = sets[trainName];
  const evalSet = sets[evalName];
  const { mix, dev } = pickMix(trainSet);
  const W = train(trainSet.train, STEPS, SEED);
  const trained = embedWith(W, mix);
  const result = {
    trainedOn: trainName,
    evaluatedOn: evalName,
    mix,
    devOfTrainingSet: dev,
    wink: { k10: evaluateRouting(evalSet, feat, 10), k5: evaluateRouting(evalSet, feat, 5) },
    trained: { k10: evaluateRouting(evalSet, trained, 10), k5: evaluateRouting(evalSet, trained, 5) },
    projectionOnly: { k10: evaluateRouting(evalSet, (t) => { const y = trained(t); const p = y.subarray(FULL_DIM); const n = Math.hypot(...p) || 1; return p.map((x) => x / n); }, 10) },
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  (report.directions as Record<string, unknown>)[`${trainName}->${evalName}`] = result;
  writeFileSync(join(weightsDir, `${trainName}.bin`), new Uint8Array(W.buffer));
  writeFileSync(join(weightsDir, `${trainName}.json`), JSON.stringify({
    format: 'aios-trained-encoder/1', weights: `${trainName}.bin`, dtype: 'float32', rows: OUT, cols: IN, mixRaw: 1, mixProjected: mix,
    input: 'embedder-wink default features', trainedOn: trainName, notEvaluatedOn: trainName, evaluatedOn: evalName,
    steps: STEPS, seed: SEED, tau: TAU, pairsPerBatch: PAIRS, crossSet: { wink: result.wink.k10, trained: result.trained.k10 },
  }, null, 2) + '\n');
}
report.seconds = Math.round((performance.now() - started) / 100) / 10;
console.log(JSON.stringify(report, null, 2));
