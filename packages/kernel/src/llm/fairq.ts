// The model device's dispatch queue: per-agent FIFO queues served by weighted fair queuing on
// tokens (virtual start/finish tags), or one global FIFO for comparison. Pure and deterministic.
import type { AgentId } from '@aios/abi';

export type LlmQueuePolicy = 'wfq' | 'fifo';

export interface QueueItem {
  readonly id: number;
  readonly agentId: AgentId;
  /** Estimated tokens (prompt + completion) used for the tag. */
  readonly est: number;
  readonly weight: number;
  readonly interactive: boolean;
}

interface Entry {
  item: QueueItem;
  seq: number;
  /** Tags, set while the entry is its agent's head: v0 is V when it became head. */
  v0: number;
  s: number;
  f: number;
}

/**
 * Tags are set when an entry becomes its agent's head (V0 = V at that moment):
 *   start  S = max(V0, lastFinish[agent]),  finish F = S + est / weight.
 * pop() serves the smallest F (ties: earliest arrival), except that an interactive head within its
 * agent's fair share (S <= V: the agent has not run ahead of virtual time) goes first.
 * On dispatch V = max(V, S) and lastFinish[agent] = F; charge() later replaces the estimate by the
 * actual tokens (and re-tags the agent's head). An idle agent banks no credit: S never falls below V.
 */
export class FairQueue {
  private readonly queues = new Map<AgentId, Entry[]>();
  private readonly lastFinish = new Map<AgentId, number>();
  private vtime = 0;
  private seq = 0;
  private count = 0;

  constructor(public policy: LlmQueuePolicy = 'wfq') {}

  get size(): number {
    return this.count;
  }

  get virtualTime(): number {
    return this.vtime;
  }

  queuedOf(agentId: AgentId): number {
    return this.queues.get(agentId)?.length ?? 0;
  }

  push(item: QueueItem): void {
    let q = this.queues.get(item.agentId);
    if (q === undefined) this.queues.set(item.agentId, (q = []));
    q.push({ item, seq: this.seq++, v0: 0, s: 0, f: 0 });
    this.count++;
    if (q.length === 1) this.tagHead(item.agentId, this.vtime);
  }

  /** Removes a queued item; false when it is not queued (already dispatched or unknown). */
  remove(agentId: AgentId, id: number): boolean {
    const q = this.queues.get(agentId);
    if (q === undefined) return false;
    const i = q.findIndex((e) => e.item.id === id);
    if (i < 0) return false;
    q.splice(i, 1);
    this.count--;
    if (q.length === 0) this.queues.delete(agentId);
    else if (i === 0) this.tagHead(agentId, this.vtime);
    return true;
  }

  /** Takes the next item to dispatch, or undefined when empty. */
  pop(): QueueItem | undefined {
    let best: { agent: AgentId; e: Entry; pri: boolean } | undefined;
    for (const [agent, q] of this.queues) {
      const e = q[0]!;
      const pri = this.policy === 'wfq' && e.item.interactive && e.s <= this.vtime;
      if (best === undefined || this.before(pri, e, best.pri, best.e)) best = { agent, e, pri };
    }
    if (best === undefined) return undefined;
    const { agent, e } = best;
    const q = this.queues.get(agent)!;
    q.shift();
    this.count--;
    this.vtime = Math.max(this.vtime, e.s);
    this.lastFinish.set(agent, e.f);
    if (q.length === 0) this.queues.delete(agent);
    else this.tagHead(agent, this.vtime);
    return e.item;
  }

  /** Corrects the agent's finish tag once the actual tokens of a dispatched item are known. */
  charge(item: QueueItem, actualTokens: number): void {
    const last = this.lastFinish.get(item.agentId);
    if (last === undefined) return;
    this.lastFinish.set(item.agentId, last + (actualTokens - item.est) / item.weight);
    const head = this.queues.get(item.agentId)?.[0];
    if (head !== undefined) this.tagHead(item.agentId, head.v0);
  }

  /** Drops an agent's fairness history (after its last request is gone). */
  forget(agentId: AgentId): void {
    if (!this.queues.has(agentId)) this.lastFinish.delete(agentId);
  }

  private tagHead(agentId: AgentId, v0: number): void {
    const e = this.queues.get(agentId)![0]!;
    e.v0 = v0;
    e.s = Math.max(v0, this.lastFinish.get(agentId) ?? v0);
    e.f = e.s + e.item.est / e.item.weight;
  }

  private before(pa: boolean, a: Entry, pb: boolean, b: Entry): boolean {
    if (this.policy === 'fifo') return a.seq < b.seq;
    if (pa !== pb) return pa;
    return a.f !== b.f ? a.f < b.f : a.seq < b.seq;
  }
}
