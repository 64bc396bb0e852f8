import { describe, it, expect } from 'vitest';
import { DeadlineReservation, sleeperCreditMs } from './policy.ts';
import { RunQueue, type SchedEntity } from './runqueue.ts';

const ent = (id: number, vruntime = 0, key = 0): SchedEntity => ({ id, weight: 1024, vruntime, heapIndex: -1, key });

describe('sched - hints', () => {
  it('sched - interactive, io-bound and llm-bound wake with full credit, batch with none, others with half', () => {
    expect(sleeperCreditMs(['interactive'], 6)).toBe(6);
    expect(sleeperCreditMs(['io-bound'], 6)).toBe(6);
    expect(sleeperCreditMs(['llm-bound'], 6)).toBe(6);
    expect(sleeperCreditMs(['batch'], 6)).toBe(0);
    expect(sleeperCreditMs([], 6)).toBe(3);
  });
  it('sched - a waking interactive agent is placed ahead of runnable batch agents', () => {
    const q = new RunQueue();
    const busy = ent(1, 100);
    q.enqueue(busy);
    q.pop();
    q.enqueue(busy, 0);
    const batch = ent(2, 0);
    q.enqueue(batch, sleeperCreditMs(['batch'], 6));
    const inter = ent(3, 0);
    q.enqueue(inter, sleeperCreditMs(['interactive'], 6));
    expect(q.pop()!.id).toBe(3);
    expect(batch.vruntime).toBe(100);
  });
  it('sched - the EDF queue orders by absolute deadline and FIFO by arrival', () => {
    const q = new RunQueue(undefined, 'key');
    q.enqueue(ent(1, 0, 30));
    q.enqueue(ent(2, 0, 10));
    q.enqueue(ent(3, 0, 20));
    expect([q.pop()!.id, q.pop()!.id, q.pop()!.id]).toEqual([2, 3, 1]);
  });
  it('sched - a deadline reservation refills each period and runs out within it', () => {
    const r = new DeadlineReservation(2, 10);
    expect(r.refresh(0)).toBe(true);
    r.used += 2.5;
    expect(r.refresh(5)).toBe(false);
    expect(r.refresh(10)).toBe(true);
    expect(r.used).toBe(0);
  });
});
