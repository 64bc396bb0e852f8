import { describe, it, expect } from 'vitest';
import { EventBus, BufferedSubscriber, topicMatches, validatePattern } from './bus.ts';

describe('event - bus', () => {
  it('event - wildcards match one segment (*) or the rest (>)', () => {
    const m = (p: string, t: string) => topicMatches(p.split('.'), t.split('.'));
    expect(m('agent.*.exit', 'agent.7.exit')).toBe(true);
    expect(m('agent.*.exit', 'agent.7.trap')).toBe(false);
    expect(m('agent.>', 'agent.7.log')).toBe(true);
    expect(m('agent.>', 'agent')).toBe(false);
    expect(m('a.b', 'a.b.c')).toBe(false);
  });
  it('event - bad patterns are EINVAL', () => {
    for (const p of ['', 'a..b', 'a.>.b', 'a.b*', 5]) expect(() => validatePattern(p)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
  it('event - per-topic order is kept and a full subscriber drops and counts instead of stalling', () => {
    const bus = new EventBus();
    const slow = new BufferedSubscriber('t.>', 3);
    const all = new BufferedSubscriber('>', 100);
    bus.subscribe(slow);
    bus.subscribe(all);
    for (let i = 0; i < 10; i++) bus.publish('t.x', i, { i });
    expect(slow.queue.map((e) => e.data.i)).toEqual([0, 1, 2]);
    expect(slow.dropped).toBe(7);
    expect(all.queue.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
