// Scheduling syscalls: SchedSet. SchedYield and Sleep live with the time calls.

import { AiosError, Rights, limits, type SchedHint } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { DeadlineReservation } from '../sched/policy.ts';
import { niceToWeight } from '../sched/weights.ts';
import { argInt, argObject } from './args.ts';

export const HINTS: readonly SchedHint[] = ['interactive', 'batch', 'deadline', 'llm-bound', 'io-bound'];

export function parseHints(value: unknown, name: string): SchedHint[] {
  if (!Array.isArray(value) || value.some((h) => !HINTS.includes(h as SchedHint))) {
    throw new AiosError('EINVAL', `${name} must be a list of ${HINTS.join(', ')}`, { arg: name });
  }
  const hints = [...new Set(value as SchedHint[])];
  if (hints.includes('interactive') && hints.includes('batch')) throw new AiosError('EINVAL', `${name}: interactive and batch exclude each other`, { arg: name });
  return hints;
}

/** Validates a deadline reservation: 0 < budget <= period <= 10 s. */
export function parseDeadline(value: unknown, name: string): DeadlineReservation {
  const o = argObject(value, name, false)!;
  const periodMs = argInt(o.periodMs, `${name}.periodMs`, 1, 10_000);
  const budgetMs = argInt(o.budgetMs, `${name}.budgetMs`, 1, periodMs);
  return new DeadlineReservation(budgetMs, periodMs);
}

/**
 * SchedSet: an agent changes its own nice, hints and 'deadline' reservation. Nice never goes below
 * the spawn value without ADMIN; a new reservation needs REALTIME and passes node-wide admission
 * control (EQUOTA past limits.DEADLINE_UTIL_MAX_PPM); dropping the hint releases it. An agent the
 * behaviour monitor throttled can only lower its own priority (raise nice, same or 'batch' hints)
 * until an operator releases it.
 */
export function sys_schedSet(k: SyscallContext, a: Agent, [params]: unknown[], au: AuditSlot): void {
  const p = argObject(params, 'params', false)!;
  let nice = a.nice;
  if (p.nice !== undefined) {
    nice = argInt(p.nice, 'params.nice', limits.NICE_MIN, limits.NICE_MAX);
    if (nice < a.baseNice && (a.selfNode.rights & Rights.ADMIN) === 0) {
      throw new AiosError('EPERM', `lowering nice below ${a.baseNice} needs the ADMIN privilege`, { arg: 'params.nice', value: nice, floor: a.baseNice });
    }
  }
  const hints = p.hints === undefined ? a.hints : parseHints(p.hints, 'params.hints');
  let deadline = a.deadline;
  if (hints.includes('deadline')) {
    if (p.budgetMs !== undefined || p.periodMs !== undefined) deadline = parseDeadline({ budgetMs: p.budgetMs, periodMs: p.periodMs }, 'params');
    if (deadline === null) throw new AiosError('EINVAL', "the 'deadline' hint needs budgetMs and periodMs", { arg: 'params' });
  } else {
    deadline = null;
  }
  if (deadline !== null && deadline !== a.deadline && (a.selfNode.rights & Rights.REALTIME) === 0) {
    throw new AiosError('EPERM', "a 'deadline' reservation needs the REALTIME privilege", { arg: 'params.hints', needed: 'REALTIME' });
  }
  if (a.behavior.throttled) checkThrottled(a, nice, hints, deadline);
  k.authorize(a, 'SchedSet', { type: 'agent', id: String(a.id), attrs: { nice, hints } });
  // The last step that can fail: admission of the new reservation (the old one is released with it).
  if (deadline !== a.deadline) k.dlAdmission.swap(a.deadline, deadline);
  a.nice = nice;
  a.weight = niceToWeight(nice);
  a.hints = hints;
  a.deadline = deadline;
  k.model?.configureAgent(a.id, { weight: a.weight / 1024 });
  au.label = a.label;
}

/** A throttled agent may not lift its throttle: no lower nice, no hint that runs it sooner. */
function checkThrottled(a: Agent, nice: number, hints: readonly SchedHint[], deadline: DeadlineReservation | null): void {
  const gained = hints.filter((h) => h !== 'batch' && !a.hints.includes(h));
  const leftBatch = a.hints.includes('batch') && !hints.includes('batch');
  if (nice < a.nice || gained.length > 0 || leftBatch || (deadline !== null && deadline !== a.deadline)) {
    throw new AiosError('EPERM', `agent ${a.id} is throttled: it cannot raise its own priority until released`, {
      arg: 'params', throttled: true, nice: a.nice, wanted: { nice, hints: [...hints] }, policyIds: ['behavior'],
    });
  }
}
