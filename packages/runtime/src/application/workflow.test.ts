import { describe, expect, it } from 'vitest';
import { ref, workflow } from './index.ts';

describe('application - workflow builder', () => {
  it('application - step, parallel and branch compile to plan JSON with the right dependencies', () => {
    const plan = workflow('trip')
      .step('weather', 'weather', { city: 'Paris' })
      .parallel([['flights', 'search flights', undefined, { retries: 2 }], ['hotels', 'search hotels']])
      .branch('notify', 'send a note', { text: 'searching' }, { after: ['weather'] })
      .step('book', 'book a trip', { flight: ref('flights'), hotel: ref('hotels') }, { approval: true, timeoutMs: 5_000 })
      .compile();
    expect(plan).toEqual({ goal: 'trip', steps: [
      { id: 'weather', intent: 'weather', input: { city: 'Paris' }, after: [] },
      { id: 'flights', intent: 'search flights', after: ['weather'], retries: 2 },
      { id: 'hotels', intent: 'search hotels', after: ['weather'] },
      { id: 'notify', intent: 'send a note', input: { text: 'searching' }, after: ['weather'] },
      { id: 'book', intent: 'book a trip', input: { flight: { $step: 'flights' }, hotel: { $step: 'hotels' } }, after: ['flights', 'hotels'], approval: true, timeoutMs: 5_000 },
    ] });
  });

  it('application - a duplicate step or an unknown dependency is EINVAL before anything is sent', () => {
    expect(() => workflow('g').step('a', 'x').step('a', 'y').compile()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => workflow('g').step('a', 'x', undefined, { after: ['nope'] }).compile()).toThrow(/unknown step nope/);
    expect(() => workflow('')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
