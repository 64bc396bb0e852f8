// What the scheduling hints change (the contract documented in docs/scheduler.md):
//   interactive  full sleeper credit on wake (one target latency), so it runs ahead of queued work
//   io-bound     the same credit: it mostly waits on I/O and should run promptly when woken
//   llm-bound    the same credit on CPU; its model requests are marked interactive while within its share
//   batch        no sleeper credit: it never jumps ahead of agents that are already runnable
//   deadline     earliest-deadline-first ahead of every CFS agent while within its reserved budget per period
// Agents without hints get half a latency period of credit (Linux's GENTLE_FAIR_SLEEPERS).

import type { SchedHint } from '@aios/abi';

export function sleeperCreditMs(hints: readonly SchedHint[], targetLatencyMs: number): number {
  if (hints.includes('batch')) return 0;
  if (hints.includes('interactive') || hints.includes('io-bound') || hints.includes('llm-bound')) return targetLatencyMs;
  return targetLatencyMs / 2;
}

/** A 'deadline' reservation: budgetMs of CPU every periodMs, each activation due one period after it wakes. */
export class DeadlineReservation {
  periodStart = -Infinity;
  used = 0;
  constructor(readonly budgetMs: number, readonly periodMs: number) {}

  /** Rolls the period forward at `now`; returns whether budget remains. */
  refresh(now: number): boolean {
    if (now >= this.periodStart + this.periodMs) {
      this.periodStart = now;
      this.used = 0;
    }
    return this.used < this.budgetMs;
  }
}
