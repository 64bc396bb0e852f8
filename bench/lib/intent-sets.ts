// The few-shot protocol of the public intent sets in ../shared/datasets (HWU64, BANKING77; CC BY 4.0, see their
// README): a fixed-seed fifth of the intents is held out as out-of-scope, the others are registered with k
// examples sampled from `train`, and everything is scored on `test`. Deterministic for a given seed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IntentSet {
  name: string;
  train: Record<string, string[]>;
  test: Record<string, string[]>;
}

export interface FewShotSplit {
  /** Registered intents: name, a description (the humanised intent name) and k training examples. */
  registered: Array<{ name: string; description: string; examples: string[] }>;
  inScope: Array<{ intent: string; text: string }>;
  outOfScope: string[];
}

/** AIOS_DATASETS_DIR, else ../shared/datasets from the project root (or ../../ from a git worktree under it). */
export const DATASETS_DIR =
  process.env.AIOS_DATASETS_DIR ??
  [join(process.cwd(), '..', 'shared', 'datasets'), join(process.cwd(), '..', '..', 'shared', 'datasets')].find((d) => existsSync(d)) ??
  join(process.cwd(), '..', 'shared', 'datasets');

/** Loads `<name>.json` from the shared data sets folder; null when absent. */
export function loadIntentSet(file: string, dir = DATASETS_DIR): IntentSet | null {
  const p = join(dir, `${file}.json`);
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as IntentSet;
}

// One seeded generator and shuffle for benchmarks and the encoder's training (same sequences as before).
export { rng } from '../../scripts/encoder/data.ts';
import { rng, shuffle } from '../../scripts/encoder/data.ts';

/** The split: `oosShare` of the intents held out (0 keeps all in scope), k examples per registered intent. */
export function fewShot(set: IntentSet, k: number, seed = 42, oosShare = 0.2): FewShotSplit {
  const r = rng(seed);
  const names = shuffle(Object.keys(set.train).sort(), r);
  const nOut = Math.round(names.length * oosShare);
  const out = new Set(names.slice(0, nOut));
  const registered = names
    .filter((n) => !out.has(n))
    .sort()
    .map((name) => ({ name, description: name.replace(/[_\-.]+/g, ' '), examples: shuffle(set.train[name]!, rng(seed ^ hash(name))).slice(0, k) }));
  const inScope: FewShotSplit['inScope'] = [];
  const outOfScope: string[] = [];
  for (const [intent, texts] of Object.entries(set.test)) {
    for (const text of texts) (out.has(intent) ? outOfScope.push(text) : inScope.push({ intent, text }));
  }
  return { registered, inScope, outOfScope };
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
