// --cpus / AIOS_CPUS resolution: the flag wins, then the variable, then the machine's cores; bad values are EINVAL.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveCpus } from './cpus.ts';

describe('node cpus', () => {
  it('node cpus - flag, then AIOS_CPUS, then the available parallelism', () => {
    expect(resolveCpus(3, { AIOS_CPUS: '1' })).toBe(3);
    expect(resolveCpus('0', {})).toBe(0);
    expect(resolveCpus(undefined, { AIOS_CPUS: '2' })).toBe(2);
    expect(resolveCpus(undefined, { AIOS_CPUS: ' ' })).toBe(availableParallelism());
    expect(resolveCpus(undefined, {})).toBe(availableParallelism());
  });

  it('node cpus - negative, fractional, huge or non-numeric values are EINVAL naming the setting', () => {
    for (const bad of ['-1', '1.5', 'two', '100000', -2]) {
      expect(() => resolveCpus(bad, {})).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(() => resolveCpus(undefined, { AIOS_CPUS: 'x' })).toThrow(/AIOS_CPUS/);
  });
});
