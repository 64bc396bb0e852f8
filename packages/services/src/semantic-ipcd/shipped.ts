// The project's labelled intent data set, bundled into whatever imports it (the service image has no file
// system): 46 intents x 22 utterances and 208 out-of-scope requests, written by hand for this project.
import raw from './data/intents.json' with { type: 'json' };
import { parseIntentDataset } from './dataset.ts';
import type { IntentDataset } from './dataset.ts';

let cached: IntentDataset | null = null;

/** The shipped data set, checked once. */
export function shippedDataset(): IntentDataset {
  return (cached ??= parseIntentDataset(raw));
}
