import { describe, expect, it } from 'vitest';
import { LinkQueue } from './link-queue.ts';

function drain<T>(q: LinkQueue<T>): Array<[string, T]> {
  const out: Array<[string, T]> = [];
  for (let p = q.peek(); p !== null; p = q.peek()) {
    out.push([p.sender, p.item]);
    q.shift(p.sender);
  }
  return out;
}

describe('link queue - trust-based priority per link', () => {
  it('link queue - higher-trust senders go first, each sender in its own order, equals round-robin', () => {
    const trust: Record<string, number> = { low: 0.2, hi1: 0.9, hi2: 0.9 };
    const q = new LinkQueue<number>((s) => trust[s]!);
    for (let i = 0; i < 3; i++) q.push('low', i);
    for (let i = 0; i < 2; i++) q.push('hi1', i);
    for (let i = 0; i < 2; i++) q.push('hi2', i);
    expect(drain(q)).toEqual([['hi1', 0], ['hi2', 0], ['hi1', 1], ['hi2', 1], ['low', 0], ['low', 1], ['low', 2]]);
  });

  it('link queue - trust is read at dequeue: a sender that falls behind waits; a quarantined one is dropped', () => {
    const trust: Record<string, number | null> = { a: 0.9, b: 0.5, q: 1 };
    const q = new LinkQueue<string>((s) => trust[s]!);
    q.push('a', 'a0');
    q.push('a', 'a1');
    q.push('b', 'b0');
    q.push('q', 'q0');
    trust.a = 0.1;
    trust.q = null;
    expect(drain(q)).toEqual([['b', 'b0'], ['a', 'a0'], ['a', 'a1']]);
    expect(q.dropped).toBe(1);
    expect(q.length).toBe(0);
  });

  it('link queue - bounded: a push past max is refused', () => {
    const q = new LinkQueue<number>(() => 1, 2);
    expect([q.push('a', 1), q.push('a', 2), q.push('b', 3)]).toEqual([true, true, false]);
  });
});
