// Tests of the wink word-vector parser on small in-memory files (the real 300 MB file is used in embedder.test.ts).
import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { parseWordTable } from './index.ts';
import { tokenize } from './index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const FILE = '{"precision":8,"l2NormIndex":3,"wordIndex":4,"size":3,"dimensions":3,"words":["the","car","\\"q"],' +
  '"vectors":{"the":[1,0,0,1,0],"car":[-0.5,2.5e-1,1E1,10.01,1],"\\"q":[0,1,0,1,2]},"unkVector":[0,0,0,0,-1]}';

describe('embedder-wink vectors', () => {
  it('vectors - parses words, numbers with exponents and escaped keys in rank order', () => {
    const t = parseWordTable(enc(FILE));
    expect(t.dim).toBe(3);
    expect(t.size).toBe(3);
    expect(t.index.get('the')).toBe(0);
    expect(t.index.get('"q')).toBe(2);
    expect(Array.from(t.vectors.slice(3, 6))).toEqual([-0.5, 0.25, 10]);
  });

  it('vectors - maxWords keeps only the most frequent rows', () => {
    const t = parseWordTable(enc(FILE), 2);
    expect(t.size).toBe(2);
    expect(t.index.has('"q')).toBe(false);
  });

  it('vectors - malformed files are EIO', () => {
    for (const bad of ['{}', '{"dimensions":3,"vectors":{"a":[1,2]}}', '{"dimensions":3,"vectors":{"a":[1,x,3,4,5]}}', '{"dimensions":3,"vectors":{}}', '{"dimensions":3,"vectors":{"a":[1,2,3,4,5]']) {
      let err: unknown;
      try { parseWordTable(enc(bad)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(AiosError);
      expect((err as AiosError).code).toBe('EIO');
    }
  });

  it('tokenize - lower-cases and splits on punctuation, keeps digits and non-Latin letters', () => {
    expect(tokenize("What's the Weather, in São Paulo? 42°")).toEqual(['what', 's', 'the', 'weather', 'in', 'são', 'paulo', '42']);
    expect(tokenize('  ...  ')).toEqual([]);
  });
});
