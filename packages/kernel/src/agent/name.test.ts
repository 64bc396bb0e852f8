import { describe, it, expect } from 'vitest';
import { checkAgentName } from './name.ts';

describe('agent name - what a name may be', () => {
  it('agent name - all digits, control characters, empty and too long names are EINVAL', () => {
    for (const bad of ['7', '0042', '', 'x'.repeat(129), 'evil\x1b[2Jname', 'two\nlines', 'cr\r', 'bidi\u202e']) {
      expect(() => checkAgentName(bad, 'opts.name')).toThrow(expect.objectContaining({ code: 'EINVAL', detail: expect.objectContaining({ arg: 'opts.name' }) }));
    }
    expect(() => checkAgentName(7, 'opts.name')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('agent name - ordinary names, with digits among other characters, are accepted', () => {
    for (const ok of ['worker', 'worker7', '7up', 'a.b-c_d', 'nœud', '1.0']) expect(checkAgentName(ok, 'opts.name')).toBe(ok);
  });
});
