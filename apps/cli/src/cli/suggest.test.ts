import { describe, it, expect } from 'vitest';
import { main } from './main.ts';
import { editDistance, suggest } from './suggest.ts';

describe('cli - did you mean', () => {
  it('cli - an unknown command names the nearest known ones and exits 2', async () => {
    const err: string[] = [];
    const code = await main(['spwan'], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/Did you mean .*'spawn'/);
  });

  it('cli - suggest ranks by edit distance and returns nothing for far names', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggest('lgos', ['logs', 'ps', 'run'])).toEqual(['logs']);
    expect(suggest('zzzzzz', ['logs', 'ps', 'run'])).toEqual([]);
  });
});
