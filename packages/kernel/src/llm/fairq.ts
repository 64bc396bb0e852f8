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
}

/**
 * Tags are computed when an agent's head is considered for dispatch:
 *   start  S = max(V, lastFinish[agent]),  finish F = S + est / weight.
 * pop() serves the smallest F (ties: earliest arrival), except that an interactive head whose
 * agent is within its fair share (lastFinish <= V: it has not run ahead of virtual time) goes first.
 * On dispatch V = max(V, S) and lastFinish[agent] = F; charge() later replaces the estimate by the
 * actual tokens. An idle agent banks no credit, since S never falls below V.
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
    q.push({ item, seq: this.seq++ });
    this.count++;
  }

  /** Removes a queued item; false when it is not queued (already dispatched or unknown). */
  remove(agentId: AgentId, id: number): boolean {
    const q = this.queues.get(agentId);
    if (q === undefined) return false;
    const i = q.findIndex((e) => e.item.id === id);
    if (i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) this.queues.delete(agentId);
    this.count--;
    return true;
  }

  /** Takes the next item to dispatch, or undefined when empty. */
  pop(): QueueItem | undefined {
    let best: { agent: AgentId; e: Entry; s: number; f: number; pri: boolean } | undefined;
    for (const [agent, q] of this.queues) {
      const e = q[0]!;
      const last = this.lastFinish.get(agent);
      const s = Math.max(this.vtime, last ?? this.vtime);
      const f = s + e.item.est / e.item.weight;
      const pri = this.policy === 'wfq' && e.item.interactive && (last === undefined || last <= this.vtime);
      if (best === undefined || this.before(pri, f, e.seq, best.pri, best.f, best.e.seq)) best = { agent, e, s, f, pri };
    }
    if (best === undefined) return undefined;
    const q = this.queues.get(best.agent)!;
    q.shift();
    if (q.length === 0) this.queues.delete(best.agent);
    this.count--;
    this.vtime = Math.max(this.vtime, best.s);
    this.lastFinish.set(best.agent, best.f);
    return best.e.item;
  }

  /** Corrects the agent's finish tag once the actual tokens of a dispatched item are known. */
  charge(item: QueueItem, actualTokens: number): void {
    const last = this.lastFinish.get(item.agentId);
    if (last === undefined) return;
    this.lastFinish.set(item.agentId, last + (actualTokens - item.est) / item.weight);
  }

  /** Drops an agent's fairness history (after its last request is gone). */
  forget(agentId: AgentId): void {
    if (!this.queues.has(agentId)) this.lastFinish.delete(agentId);
  }

  private before(pa: boolean, fa: number, sa: number, pb: boolean, fb: number, sb: number): boolean {
    if (this.policy === 'fifo') return sa < sb;
    if (pa !== pb) return pa;
    return fa !== fb ? fa < fb : sa < sb;
  }
}
