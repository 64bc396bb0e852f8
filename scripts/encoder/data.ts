// The public intent sets (HWU64, BANKING77; CC BY 4.0, see ../shared/datasets/README.md) for training and
// evaluating sentence encoders. Found at $AIOS_DATASETS, else ../shared/datasets from the project root (a
// worktree's root is checked two levels up too).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface IntentSet {
  name: string;
  train: Record<string, string[]>;
  test: Record<string, string[]>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function datasetsDir(): string {
  const cands = [process.env.AIOS_DATASETS, join(root, '..', 'shared', 'datasets'), join(root, '..', '..', 'shared', 'datasets')];
  for (const c of cands) if (c && existsSync(join(c, 'hwu64.json'))) return c;
  throw new Error(`intent data sets not found (tried ${cands.filter(Boolean).join(', ')}); set AIOS_DATASETS`);
}

export function loadSet(name: 'hwu64' | 'banking77'): IntentSet {
  return JSON.parse(readFileSync(join(datasetsDir(), `${name}.json`), 'utf8')) as IntentSet;
}

/** mulberry32: a small seeded PRNG, so every run picks the same batches and examples. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
