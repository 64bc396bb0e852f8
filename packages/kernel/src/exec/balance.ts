// The executor balancer (work stealing at activation boundaries): periodically, when the busiest executor's
// summed runnable weight exceeds the idlest's by more than a margin, it moves one movable agent from the
// busiest to the idlest, the one whose weight brings the two closest. Cheap: one pass over the hosted agents
// per tick, at most one move in flight, and an agent it moved stays put for a cooldown (no ping-pong).
// Agents with an affinity hint, or without serialize/restore hooks, are never moved by it.

import { limits } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { migrationBlocker } from '../agent/migrate.ts';

/** What the balancer needs: the agents each executor hosts, the clock, and the kernel's migration. */
export interface BalanceDeps {
  readonly count: number;
  owners(i: number): Agent[];
  monotonic(): number;
  migrate(a: Agent, index: number): Promise<void>;
}

/** Whether the agent wants the CPU now: running, queued, or with a message waiting. */
export function runnable(a: Agent): boolean {
  if (!a.alive || a.state === 'suspended') return false;
  return a.state === 'running' || a.state === 'ready' || a.pending.length > 0 || a.mailbox.length > 0;
}

export class Balancer {
  private moving = false;
  /** Moves started (tests, bench). */
  moves = 0;

  constructor(private readonly deps: BalanceDeps) {}

  /** Summed weight of the runnable agents executor i hosts. */
  load(i: number): number {
    let w = 0;
    for (const a of this.deps.owners(i)) if (runnable(a)) w += a.weight;
    return w;
  }

  /** One look at the executors; starts at most one move. Returns the agent moved, or null. */
  tick(): Agent | null {
    const n = this.deps.count;
    if (this.moving || n < 2) return null;
    const loads: number[] = [];
    for (let i = 0; i < n; i++) loads.push(this.load(i));
    let hi = 0;
    let lo = 0;
    for (let i = 1; i < n; i++) {
      if (loads[i]! > loads[hi]!) hi = i;
      if (loads[i]! < loads[lo]!) lo = i;
    }
    const gap = loads[hi]! - loads[lo]!;
    if (gap <= 0 || gap * 1_000_000 <= limits.EXEC_BALANCE_MARGIN_PPM * loads[hi]!) return null;
    const now = this.deps.monotonic();
    let best: Agent | null = null;
    let bestGap = gap;
    for (const a of this.deps.owners(hi)) {
      if (!runnable(a) || a.affinity !== null || now - a.migratedAt < limits.EXEC_BALANCE_COOLDOWN_MS) continue;
      if (migrationBlocker(a) !== null) continue;
      // moving weight w leaves a gap of |gap - 2w|: only a move that narrows it counts
      const after = Math.abs(gap - 2 * a.weight);
      if (after < bestGap) {
        best = a;
        bestGap = after;
      }
    }
    if (best === null) return null;
    this.moving = true;
    this.moves++;
    const moved = best;
    this.deps.migrate(moved, lo).then(
      () => (this.moving = false),
      () => {
        // it could not move (it died, or a call was pending at the boundary): it waits a cooldown
        moved.migratedAt = this.deps.monotonic();
        this.moving = false;
      },
    );
    return moved;
  }
}
