import { describe, it, expect } from 'vitest';
import { FairQueue } from './fairq.ts';
import type { QueueItem } from './fairq.ts';

let nextId = 1;
const item = (agentId: number, est: number, weight = 1, interactive = false): QueueItem => ({ id: nextId++, agentId, est, weight, interactive });

/** Serves n items one at a time (charging the estimate) and sums tokens per agent. */
function serve(q: FairQueue, n: number): Map<number, number> {
  const got = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const it = q.pop();
    if (it === undefined) break;
    got.set(it.agentId, (got.get(it.agentId) ?? 0) + it.est);
    q.charge(it, it.est);
  }
  return got;
}

describe('llm fair queue', () => {
  it('llm fairq - equal weights get equal tokens whatever the request sizes', () => {
    const q = new FairQueue('wfq');
    for (let i = 0; i < 200; i++) { q.push(item(1, 100)); q.push(item(2, 10)); }
    const got = serve(q, 110);
    expect(Math.abs(got.get(1)! - got.get(2)!)).toBeLessThanOrEqual(100);
  });

  it('llm fairq - FIFO gives equal requests, so tokens follow request size', () => {
    const q = new FairQueue('fifo');
    for (let i = 0; i < 50; i++) { q.push(item(1, 100)); q.push(item(2, 10)); }
    const got = serve(q, 40);
    expect(got.get(1)).toBe(20 * 100);
    expect(got.get(2)).toBe(20 * 10);
  });

  it('llm fairq - tokens follow weights', () => {
    const q = new FairQueue('wfq');
    for (let i = 0; i < 300; i++) { q.push(item(1, 50, 1)); q.push(item(2, 50, 2)); }
    const got = serve(q, 150);
    expect(got.get(2)! / got.get(1)!).toBeCloseTo(2, 1);
  });

  it('llm fairq - an idle agent banks no credit', () => {
    const q = new FairQueue('wfq');
    for (let i = 0; i < 100; i++) q.push(item(1, 10));
    serve(q, 50);
    for (let i = 0; i < 100; i++) q.push(item(2, 10));
    const got = serve(q, 20);
    expect(Math.abs(got.get(1)! - got.get(2)!)).toBeLessThanOrEqual(20);
  });

  it('llm fairq - actual tokens replace the estimate in the agent tag', () => {
    const q = new FairQueue('wfq');
    for (let i = 0; i < 100; i++) { q.push(item(1, 10)); q.push(item(2, 10)); }
    const got = new Map<number, number>();
    for (let i = 0; i < 60; i++) {
      const it = q.pop()!;
      const actual = it.agentId === 1 ? 50 : 10; // agent 1 underestimates
      got.set(it.agentId, (got.get(it.agentId) ?? 0) + actual);
      q.charge(it, actual);
    }
    expect(Math.abs(got.get(1)! - got.get(2)!)).toBeLessThanOrEqual(60);
  });

  it('llm fairq - an interactive head within its share goes first; a flooding interactive agent only gets its share', () => {
    const q = new FairQueue('wfq');
    for (let i = 0; i < 5; i++) q.push(item(1, 10));
    serve(q, 2);
    const fast = item(9, 50, 1, true);
    q.push(fast);
    expect(q.pop()!.id).toBe(fast.id);
    const f = new FairQueue('wfq');
    for (let i = 0; i < 20; i++) { f.push(item(3, 100, 1, true)); f.push(item(4, 100)); }
    const order = Array.from({ length: 10 }, () => f.pop()!.agentId);
    expect(order.filter((a) => a === 3).length).toBeLessThanOrEqual(6);
  });

  it('llm fairq - remove takes a queued item out; unknown ids give false', () => {
    const q = new FairQueue('wfq');
    const a = item(1, 10);
    q.push(a);
    expect(q.remove(1, a.id)).toBe(true);
    expect(q.remove(1, a.id)).toBe(false);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
  });
});
