// Calibrates the router's refusal threshold for whatever embedder a node has: every embedder has its own score
// scale, so a threshold tuned for one refuses too much or too little with another. The procedure is the one that
// produced DEFAULT_THRESHOLD for the offline embedder: register the data set's intents with k examples each, score
// its dev split (in-scope utterances and out-of-scope requests) and take the threshold that maximises in-scope
// accuracy + out-of-scope recall (calibrateThreshold). Never looks at the test split.
import type { EmbedderDriver } from '@aios/abi';
import { IntentRouter } from './router.ts';
import { calibrateThreshold } from './calibrate.ts';
import type { Calibration, CalibrationSample } from './calibrate.ts';
import { splitDataset } from './dataset.ts';
import type { IntentDataset } from './dataset.ts';
import { shippedDataset } from './shipped.ts';

export interface AutotuneOptions {
  /** Data set to calibrate on (default: the shipped one). */
  dataset?: IntentDataset;
  /** Examples registered per intent (default 10, the most the shipped split allows). */
  examples?: number;
}

export interface AutotuneResult extends Calibration {
  /** Dev utterances scored: in-scope and out-of-scope. */
  inScope: number;
  outOfScope: number;
}

/** Embeds the data set once (a few hundred texts, batched by the embedder) and returns the calibrated threshold. */
export async function calibrateForEmbedder(embedder: EmbedderDriver, opts: AutotuneOptions = {}): Promise<AutotuneResult> {
  const ds = opts.dataset ?? shippedDataset();
  const split = splitDataset(ds);
  const k = opts.examples ?? 10;
  // Remote embedders learn their dimension from their first answer.
  if (!(embedder.dim > 0)) await embedder.embed(['probe']);
  // threshold 0 is never used here: calibration reads raw scores through candidatesForVector.
  const router = new IntentRouter({ embedder, threshold: 0 });
  let agent = 1;
  for (const it of ds.intents) await router.register(agent++, { name: it.name, description: it.description, examples: split.examples(it, k) });
  const inTexts = split.dev.map((r) => r.text);
  const vecs = await embedder.embed([...inTexts, ...split.oosDev]);
  const best = (v: Float32Array, text: string) => router.candidatesForVector(v, 1, text)[0]!;
  const inScope: CalibrationSample[] = split.dev.map((r, i) => {
    const c = best(vecs[i]!, r.text);
    return { score: c.score, correct: c.intent === r.intent };
  });
  const outOfScope = split.oosDev.map((t, i) => best(vecs[inTexts.length + i]!, t).score);
  return { ...calibrateThreshold(inScope, outOfScope), inScope: inScope.length, outOfScope: outOfScope.length };
}
