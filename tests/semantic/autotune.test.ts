// calibrateForEmbedder: reproduces the offline default for the offline embedder, reads only the dev split, and
// works with an embedder that learns its dimension late.
import { describe, expect, it } from 'vitest';
import type { EmbedderDriver } from '@aios/abi';
import { createWinkEmbedder } from '@aios/drivers/embedder-wink';
import { DEFAULT_THRESHOLD, calibrateForEmbedder, parseIntentDataset, shippedDataset } from '@aios/services/semantic-ipcd';

describe('semantic-ipcd - threshold calibration for an embedder', () => {
  it('semantic-ipcd - the offline embedder calibrates to DEFAULT_THRESHOLD on the shipped dev split', async () => {
    const c = await calibrateForEmbedder(createWinkEmbedder());
    const ds = shippedDataset();
    expect(c.inScope).toBe(ds.intents.length * ds.split.devPerIntent);
    expect(c.outOfScope).toBe(ds.split.oosDev);
    expect(Math.abs(c.threshold - DEFAULT_THRESHOLD)).toBeLessThan(0.01);
    expect(c.inScopeAccuracy).toBeGreaterThan(0);
    expect(c.oosRecall).toBeGreaterThan(0);
  }, 30_000);

  it('semantic-ipcd - the test split never matters, and a late-dimension embedder is probed first', async () => {
    const wink = createWinkEmbedder();
    let dim = 0;
    const late: EmbedderDriver = {
      info: { name: 'late', version: '1', kind: 'embedder', description: 'wink vectors, dimension known after the first call' },
      get dim() { return dim; },
      async embed(texts) { const v = await wink.embed(texts); dim = v[0]!.length; return v; },
    };
    const ds = shippedDataset();
    const garbled = parseIntentDataset({ ...ds, intents: ds.intents.map((it) => ({ ...it, utterances: it.utterances.map((u, i) => (i >= ds.split.examplePool + ds.split.devPerIntent ? 'zzz qqq' : u)) })) });
    const a = await calibrateForEmbedder(late, { dataset: ds });
    const b = await calibrateForEmbedder(late, { dataset: garbled });
    expect(b).toEqual(a);
  }, 30_000);
});
