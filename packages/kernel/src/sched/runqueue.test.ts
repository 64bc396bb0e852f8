import { describe, it, expect } from 'vitest';
import { RunQueue, type SchedEntity } from './runqueue.ts';
import { niceToWeight } from './weights.ts';

const ent = (id: number, weight = 1024, vruntime = 0): SchedEntity => ({ id, weight, vruntime, heapIndex: -1 });

describe('sched - run queue', () => {
  it('sched - picks the smallest virtual runtime, ties by id', () => {
    const q = new RunQueue();
    const a = ent(1, 1024, 5), b = ent(2, 1024, 1), c = ent(3, 1024, 1);
    q.enqueue(a); q.enqueue(b); q.enqueue(c);
    expect([q.pop()!.id, q.pop()!.id, q.pop()!.id]).toEqual([2, 3, 1]);
  });
  it('sched - charge divides CPU time by weight, so shares follow weights', () => {
    const q = new RunQueue();
    const heavy = ent(1, niceToWeight(-5)), light = ent(2, niceToWeight(5));
    const cpu = new Map([[1, 0], [2, 0]]);
    q.enqueue(heavy); q.enqueue(light);
    for (let i = 0; i < 10_000; i++) {
      const e = q.pop()!;
      RunQueue.charge(e, 1);
      cpu.set(e.id, cpu.get(e.id)! + 1);
      q.enqueue(e);
    }
    const ratio = cpu.get(1)! / cpu.get(2)!;
    expect(ratio).toBeCloseTo(niceToWeight(-5) / niceToWeight(5), 0);
  });
  it('sched - a waking sleeper gets at most one latency period of credit', () => {
    const q = new RunQueue({ targetLatencyMs: 6 });
    const busy = ent(1, 1024, 1000);
    q.enqueue(busy);
    q.pop();
    const sleeper = ent(2, 1024, 0);
    q.enqueue(sleeper);
    expect(sleeper.vruntime).toBe(1000 - 6);
  });
  it('sched - nice weights follow the Linux table', () => {
    expect(niceToWeight(0)).toBe(1024);
    expect(niceToWeight(-20)).toBe(88761);
    expect(niceToWeight(19)).toBe(15);
  });
});
