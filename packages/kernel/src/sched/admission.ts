// Admission control of 'deadline' reservations: the sum of budgetMs/periodMs of every
// reservation on the node stays within a limit (limits.DEADLINE_UTIL_MAX_PPM), so EDF
// agents can never take the whole CPU from CFS agents. Counted in integer parts per million.

import { AiosError } from '@aios/abi';
import type { DeadlineReservation } from './policy.ts';

/** A reservation's share of one CPU in parts per million, rounded up (never under-counted). */
export function utilPpm(r: DeadlineReservation): number {
  return Math.ceil((r.budgetMs * 1_000_000) / r.periodMs);
}

export class DeadlineAdmission {
  /** Sum of the admitted reservations' shares (ppm). */
  usedPpm = 0;
  constructor(readonly limitPpm: number) {}

  /**
   * Replaces reservation `old` (null: none) by `next` (null: none), or throws EQUOTA
   * { resource: 'cpuReservation', limit, used, requested } and changes nothing.
   */
  swap(old: DeadlineReservation | null, next: DeadlineReservation | null): void {
    const used = this.usedPpm - (old === null ? 0 : utilPpm(old));
    const requested = next === null ? 0 : utilPpm(next);
    if (requested > 0 && used + requested > this.limitPpm) {
      throw new AiosError('EQUOTA', `deadline reservation of ${requested} ppm of the CPU refused: ${used} of ${this.limitPpm} ppm already reserved`, {
        resource: 'cpuReservation', limit: this.limitPpm, used, requested,
      });
    }
    this.usedPpm = used + requested;
  }
}
