// The queue of token mints (ML-DSA-65 signing, milliseconds each). One mint runs per host timer
// turn, agents served round robin, so exporters share the loop with everything else instead of
// blocking it in one go; each agent may have TOKEN_MINTS_PENDING_PER_AGENT waiting (EAGAIN beyond).

import { AiosError, limits } from '@aios/abi';

export class MintQueue {
  /** Waiting jobs per agent; the Map's order is the round-robin order. */
  private readonly byAgent = new Map<number, Array<() => void>>();
  private scheduled = false;

  constructor(private readonly schedule: (fn: () => void) => void) {}

  pending(agent: number): number {
    return this.byAgent.get(agent)?.length ?? 0;
  }

  /** EAGAIN when `agent` already has TOKEN_MINTS_PENDING_PER_AGENT mints waiting. */
  checkRoom(agent: number): void {
    if (this.pending(agent) >= limits.TOKEN_MINTS_PENDING_PER_AGENT) {
      throw new AiosError('EAGAIN', `at most ${limits.TOKEN_MINTS_PENDING_PER_AGENT} capability exports may wait to be signed`, { limit: limits.TOKEN_MINTS_PENDING_PER_AGENT });
    }
  }

  /** Queues a mint job of `agent` (EAGAIN as checkRoom). */
  push(agent: number, job: () => void): void {
    this.checkRoom(agent);
    const q = this.byAgent.get(agent) ?? [];
    q.push(job);
    this.byAgent.set(agent, q);
    this.kick();
  }

  private kick(): void {
    if (this.scheduled || this.byAgent.size === 0) return;
    this.scheduled = true;
    this.schedule(this.runOne);
  }

  /** Runs the first agent's oldest job, then moves that agent to the back of the line. */
  private readonly runOne = (): void => {
    this.scheduled = false;
    const first = this.byAgent.entries().next();
    if (first.done === true) return;
    const [agent, q] = first.value;
    const job = q.shift()!;
    this.byAgent.delete(agent);
    if (q.length > 0) this.byAgent.set(agent, q);
    try {
      job();
    } finally {
      this.kick();
    }
  };
}
