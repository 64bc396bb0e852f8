// Loads an intent data set from a file (benchmarks, tools); agents use the bundled copy in shipped.ts.
import { readFileSync } from 'node:fs';
import { AiosError } from '@aios/abi';
import { parseIntentDataset } from './dataset.ts';
import type { IntentDataset } from './dataset.ts';

export const DATASET_URL = new URL('./data/intents.json', import.meta.url);

/** Reads and checks data/intents.json (or another file in the same format): EIO if unreadable, EINVAL if malformed. */
export function loadIntentDataset(url: URL | string = DATASET_URL): IntentDataset {
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (e) {
    throw new AiosError('EIO', `cannot read the intent data set at ${String(url)}`, { path: String(url) }, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AiosError('EINVAL', `bad intent data set: not JSON (${(e as Error).message})`, { path: String(url) });
  }
  return parseIntentDataset(value);
}
