// The format of the hand-written intent data set (data/intents.json) and its fixed splits (examples / dev /
// test). Pure: trusts a parsed value only after checking its shape (EINVAL otherwise). The file loader is in
// dataset-file.ts, the copy bundled into the service in shipped.ts.
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

/** Checks a parsed data set (EINVAL naming what is wrong) and returns it typed. */
export function parseIntentDataset(value: unknown): IntentDataset {
  const raw = (value ?? {}) as Partial<IntentDataset>;
  const bad = (why: string): never => {
    throw new AiosError('EINVAL', `bad intent data set: ${why}`);
  };
  if (!Array.isArray(raw.intents) || !Array.isArray(raw.outOfScope) || typeof raw.split !== 'object' || raw.split === null) bad('missing intents, outOfScope or split');
  if (raw.outOfScope!.some((u) => typeof u !== 'string')) bad('outOfScope must be strings');
  const { examplePool, devPerIntent, oosDev } = raw.split!;
  if (![examplePool, devPerIntent, oosDev].every((n) => Number.isInteger(n) && n >= 0)) bad('split counts must be non-negative integers');
  for (const it of raw.intents!) {
    if (typeof it !== 'object' || it === null || typeof it.name !== 'string' || typeof it.description !== 'string' || !Array.isArray(it.utterances)) bad('each intent must be { name, description, utterances }');
    if (it.utterances.some((u) => typeof u !== 'string')) bad(`intent ${it.name}: utterances must be strings`);
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
