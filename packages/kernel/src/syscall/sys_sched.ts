// Scheduling syscalls: SchedSet. SchedYield and Sleep live with the time calls.

import { AiosError, Rights, limits, type SchedHint } from '@aios/abi';
import type { Agent } from '../agent/agent.ts';
import type { Kernel } from '../kernel.ts';
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

export function sys_schedSet(k: Kernel, a: Agent, [params]: unknown[]): void {
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
  k.authorize(a, 'SchedSet', { type: 'agent', id: String(a.id), attrs: { nice, hints } });
  a.nice = nice;
  a.weight = niceToWeight(nice);
  a.hints = hints;
  a.deadline = deadline;
  k.model?.configureAgent(a.id, { weight: a.weight / 1024 });
  k.objectLabel = a.label;
}
