// The hand-written intent data set shipped in data/intents.json, and its fixed splits (examples / dev / test).
// Trusts the file only after checking its shape (EINVAL otherwise).
import { readFileSync } from 'node:fs';
import { AiosError } from '@aios/abi';

export interface LabelledIntent {
  name: string;
  description: string;
  utterances: string[];
}

export interface IntentDataset {
  intents: LabelledIntent[];
  outOfScope: string[];
  /** utterances[0..examplePool) may be registered as examples; [examplePool, +devPerIntent) is dev; the rest test. */
  split: { examplePool: number; devPerIntent: number; oosDev: number };
}

export interface DatasetSplit {
  /** First k utterances of each intent. */
  examples(intent: LabelledIntent, k: number): string[];
  dev: Array<{ intent: string; text: string }>;
  test: Array<{ intent: string; text: string }>;
  oosDev: string[];
  oosTest: string[];
}

export const DATASET_URL = new URL('./data/intents.json', import.meta.url);

/** Reads and checks data/intents.json (or another file in the same format). */
export function loadIntentDataset(url: URL | string = DATASET_URL): IntentDataset {
  const raw = JSON.parse(readFileSync(url, 'utf8')) as Partial<IntentDataset>;
  const bad = (why: string): never => {
    throw new AiosError('EINVAL', `bad intent data set: ${why}`);
  };
  if (!Array.isArray(raw.intents) || !Array.isArray(raw.outOfScope) || !raw.split) bad('missing intents, outOfScope or split');
  const { examplePool, devPerIntent, oosDev } = raw.split!;
  for (const it of raw.intents!) {
    if (typeof it.name !== 'string' || typeof it.description !== 'string' || !Array.isArray(it.utterances)) bad('intent shape');
    if (it.utterances.length <= examplePool + devPerIntent) bad(`intent ${it.name} has no test utterances`);
  }
  return raw as IntentDataset;
}

/** The fixed splits of a data set. */
export function splitDataset(ds: IntentDataset): DatasetSplit {
  const { examplePool, devPerIntent, oosDev } = ds.split;
  const dev: DatasetSplit['dev'] = [];
  const test: DatasetSplit['test'] = [];
  for (const it of ds.intents) {
    it.utterances.forEach((text, i) => {
      if (i >= examplePool && i < examplePool + devPerIntent) dev.push({ intent: it.name, text });
      else if (i >= examplePool + devPerIntent) test.push({ intent: it.name, text });
    });
  }
  return {
    examples: (intent, k) => intent.utterances.slice(0, Math.min(k, examplePool)),
    dev,
    test,
    oosDev: ds.outOfScope.slice(0, oosDev),
    oosTest: ds.outOfScope.slice(oosDev),
  };
}
