// embedder-trained: the shipped weights load, outputs are unit vectors whose cosine mixes wink's and the
// projection's as the header says, selection from the environment, and errors.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createWinkEmbedder } from '../embedder-wink/index.ts';
import { embedderFromEnv } from '../embedder-openai/index.ts';
import { createTrainedEmbedder, weightsDir } from './index.ts';

const e = createTrainedEmbedder();
const wink = createWinkEmbedder();
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('embedder-trained', () => {
  it('embedder-trained - shipped weights for both sets exist, each naming the set it was trained on and the other it was evaluated on', () => {
    for (const set of ['banking77', 'hwu64']) {
      const h = JSON.parse(readFileSync(join(weightsDir(), `${set}.json`), 'utf8'));
      expect(h).toMatchObject({ format: 'aios-trained-encoder/1', trainedOn: set, dtype: 'float32' });
      expect(h.evaluatedOn).not.toBe(set);
    }
  });

  it('embedder-trained - unit vectors of dim = wink dim + projection rows; the wink part is wink\'s vector scaled by a/√(a²+b²)', async () => {
    e.open();
    expect(e.info).toMatchObject({ name: 'embedder-trained', kind: 'embedder', model: 'aios-trained-banking77' });
    const h = JSON.parse(readFileSync(join(weightsDir(), 'banking77.json'), 'utf8'));
    expect(e.dim).toBe(wink.dim + h.rows);
    const [v] = await e.embed(['I lost my card, please block it']);
    expect(Math.sqrt(cos(v!, v!))).toBeCloseTo(1, 5);
    const w = wink.embedSync('I lost my card, please block it');
    const sa = h.mixRaw / Math.hypot(h.mixRaw, h.mixProjected);
    Array.from(w).forEach((x, i) => expect(v![i]).toBeCloseTo(sa * x, 5));
    expect(Array.from(e.embedSync('hello'))).toEqual(Array.from(createTrainedEmbedder().embedSync('hello')));
  });

  it('embedder-trained - the empty text is still a unit vector', () => {
    const z = e.embedSync('');
    expect(Math.sqrt(cos(z, z))).toBeCloseTo(1, 5);
  });

  it('embedder-trained - AIOS_EMBED_TRAINED selects it; other values, bad options and missing weights are errors', () => {
    expect(embedderFromEnv({ AIOS_EMBED_TRAINED: 'hwu64' }).info.model).toBe('aios-trained-hwu64');
    expect(() => embedderFromEnv({ AIOS_EMBED_TRAINED: 'clinc' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createTrainedEmbedder({ trainedOn: 'x' as 'hwu64' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createTrainedEmbedder({ headerPath: '/nonexistent/w.json' }).embedSync('x')).toThrow(expect.objectContaining({ code: 'EIO' }));
  });
});
