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

describe('sched - run queue membership', () => {
  it('sched - an entity in the EDF queue is not a member of the CFS queue, and removing it there is harmless', () => {
    const cfs = new RunQueue<SchedEntity>();
    const edf = new RunQueue<SchedEntity>(undefined, 'key');
    const a = ent(1), b = ent(2), c = ent(3);
    cfs.enqueue(a); cfs.enqueue(b);
    c.key = 5;
    edf.enqueue(c);
    // c sits at index 0 of the EDF heap; the CFS queue must not read that index as its own.
    expect(cfs.has(c)).toBe(false);
    expect(edf.has(c)).toBe(true);
    cfs.remove(c);
    expect(cfs.length).toBe(2);
    expect(edf.length).toBe(1);
    expect([cfs.pop()!.id, cfs.pop()!.id]).toEqual([1, 2]);
    edf.remove(c);
    expect(edf.length).toBe(0);
    expect(c.queue).toBeNull();
    expect(c.heapIndex).toBe(-1);
  });
  it('sched - entities moving between the two queues in any order keep both heaps consistent', () => {
    const cfs = new RunQueue<SchedEntity>();
    const edf = new RunQueue<SchedEntity>(undefined, 'key');
    const es = Array.from({ length: 8 }, (_, i) => ({ ...ent(i + 1, 1024, i), key: 100 - i }));
    for (let round = 0; round < 200; round++) {
      const e = es[(round * 5) % es.length]!;
      cfs.remove(e);
      edf.remove(e);
      if (round % 3 === 0) edf.enqueue(e);
      else cfs.enqueue(e);
    }
    const inCfs = es.filter((e) => cfs.has(e)).length;
    const inEdf = es.filter((e) => edf.has(e)).length;
    expect(cfs.length).toBe(inCfs);
    expect(edf.length).toBe(inEdf);
    const seen = new Set<number>();
    for (let e = edf.pop(); e !== undefined; e = edf.pop()) seen.add(e.id);
    for (let e = cfs.pop(); e !== undefined; e = cfs.pop()) seen.add(e.id);
    expect(seen.size).toBe(inCfs + inEdf);
  });
  it('sched - queueing an entity held by another queue is a kernel panic, never silent corruption', () => {
    const cfs = new RunQueue<SchedEntity>();
    const edf = new RunQueue<SchedEntity>(undefined, 'key');
    const e = { ...ent(1), key: 1 };
    edf.enqueue(e);
    expect(() => cfs.enqueue(e)).toThrow(/kernel panic/);
    expect(cfs.length).toBe(0);
    expect(edf.pop()).toBe(e);
  });
});
