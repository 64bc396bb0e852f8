// The CPU run queue, CFS-like: runnable entities ordered by virtual runtime in a
// binary min-heap. An entity is charged cpuMs * NICE_0_WEIGHT / weight. A waking
// sleeper is placed no earlier than min_vruntime - one target latency.
// Invariant: an entity is in at most one queue at a time; `queue` names it, and
// `heapIndex` is its position there (a kernel with a CFS and an EDF queue relies on it).

import { KernelPanic } from '../panic.ts';
import { NICE_0_WEIGHT } from './weights.ts';

export interface SchedEntity {
  readonly id: number;
  weight: number;
  vruntime: number;
  /** Position in the heap of `queue`, -1 when not queued. */
  heapIndex: number;
  /** The queue holding the entity (null or absent when none); only that queue reads or writes heapIndex. */
  queue?: object | null;
  /** Ordering key for non-CFS queues (arrival order for FIFO, absolute deadline for EDF). */
  key?: number;
}

/** How a queue orders its entities: CFS by virtual runtime, or by `key` (FIFO arrival, EDF deadline). */
export type QueueOrder = 'vruntime' | 'key';

export interface SchedParams {
  /**
   * Period in which every runnable entity should run once (ms); also bounds a waking sleeper's credit.
   * There is no per-entity slice or minimum granularity: an activation cannot be preempted (a native one
   * runs until it returns or awaits; a wasm one is stopped only at the hard `sliceMs` limit), so the
   * kernel decides only which entity runs next, never how long.
   */
  targetLatencyMs: number;
}

export const DEFAULT_SCHED_PARAMS: SchedParams = { targetLatencyMs: 6 };

export class RunQueue<E extends SchedEntity> {
  private readonly heap: E[] = [];
  /** Monotonic floor of vruntime among runnable entities. */
  minVruntime = 0;

  constructor(readonly params: SchedParams = DEFAULT_SCHED_PARAMS, private readonly order: QueueOrder = 'vruntime') {}

  get length(): number {
    return this.heap.length;
  }

  /** Whether this queue (not another one) holds the entity. */
  has(e: E): boolean {
    return e.queue === this;
  }

  /**
   * Queues a waking entity. A long sleeper is placed no earlier than
   * min_vruntime - creditMs: one target latency at most (the default), less for
   * agents that should not jump ahead (batch: 0).
   */
  enqueue(e: E, creditMs: number = this.params.targetLatencyMs): void {
    if (e.queue === this) return;
    if (e.queue != null) throw new KernelPanic(`entity ${e.id} queued in two run queues`);
    const floor = this.minVruntime - Math.min(creditMs, this.params.targetLatencyMs);
    if (e.vruntime < floor) e.vruntime = floor;
    e.queue = this;
    e.heapIndex = this.heap.length;
    this.heap.push(e);
    this.up(e.heapIndex);
  }

  /** Removes and returns the first entity (smallest vruntime, or smallest key). */
  pop(): E | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    if (this.order === 'vruntime' && top.vruntime > this.minVruntime) this.minVruntime = top.vruntime;
    return top;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  /** Removes the entity if this queue holds it; an entity of another queue is left alone. */
  remove(e: E): void {
    if (e.queue === this) this.removeAt(e.heapIndex);
  }

  /** Charges measured CPU time, scaled by weight. */
  static charge(e: SchedEntity, cpuMs: number): void {
    e.vruntime += (cpuMs * NICE_0_WEIGHT) / e.weight;
  }

  private removeAt(i: number): void {
    const removed = this.heap[i];
    if (removed === undefined || removed.queue !== this) throw new KernelPanic(`run queue slot ${i} does not hold a member`);
    removed.heapIndex = -1;
    removed.queue = null;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(i);
    }
  }

  private less(a: E, b: E): boolean {
    if (this.order === 'key') return a.key! < b.key! || (a.key === b.key && a.id < b.id);
    return a.vruntime < b.vruntime || (a.vruntime === b.vruntime && a.id < b.id);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p]!;
      if (!this.less(e, pe)) break;
      h[i] = pe;
      pe.heapIndex = i;
      i = p;
    }
    h[i] = e;
    e.heapIndex = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      const ce = h[c]!;
      if (!this.less(ce, e)) break;
      h[i] = ce;
      ce.heapIndex = i;
      i = c;
    }
    h[i] = e;
    e.heapIndex = i;
  }
}
