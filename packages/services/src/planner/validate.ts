// Plan validation (pure): a plan is checked whole before anything starts. A malformed plan, a duplicate or unknown
// step, a cycle, or a `$step` reference to a step that is not an ancestor is EINVAL naming the step and the reason.

import { AiosError, limits, type PlanJson, type PlanStep } from '@aios/abi';

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function bad(reason: string, detail: Record<string, unknown> = {}): never {
  throw new AiosError('EINVAL', `invalid plan: ${reason}`, { reason, ...detail });
}

/** The ids named by `{ "$step": ID }` objects anywhere inside `v`. */
export function stepRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) stepRefs(x, out);
  else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && '$step' in o) out.push(String(o.$step));
    else for (const x of Object.values(o)) stepRefs(x, out);
  }
  return out;
}

/** Checks a plan; returns it normalized (after: [] filled in). Throws EINVAL with the reason. */
export function validatePlan(raw: unknown): PlanJson {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('a plan must be an object { goal, steps }');
  const p = raw as Record<string, unknown>;
  if (typeof p.goal !== 'string' || p.goal.trim().length === 0) bad('goal must be a non-empty string', { arg: 'goal' });
  if ((p.goal as string).length > limits.PLAN_GOAL_MAX_CHARS) bad(`goal is longer than ${limits.PLAN_GOAL_MAX_CHARS} characters`, { arg: 'goal' });
  if (!Array.isArray(p.steps) || p.steps.length === 0) bad('steps must be a non-empty list', { arg: 'steps' });
  if ((p.steps as unknown[]).length > limits.PLAN_STEPS_MAX) bad(`a plan has at most ${limits.PLAN_STEPS_MAX} steps`, { arg: 'steps', max: limits.PLAN_STEPS_MAX });
  const steps: PlanStep[] = [];
  const ids = new Set<string>();
  for (const [i, s] of (p.steps as unknown[]).entries()) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) bad(`steps[${i}] must be an object`, { step: i });
    const o = s as Record<string, unknown>;
    if (typeof o.id !== 'string' || !ID_RE.test(o.id)) bad(`steps[${i}].id must match [A-Za-z0-9_.-]{1,64}`, { step: i, arg: 'id' });
    const id = o.id as string;
    if (ids.has(id)) bad(`step ${id} is defined twice`, { step: id });
    ids.add(id);
    if (typeof o.intent !== 'string' || o.intent.trim().length === 0 || o.intent.length > 1_000) bad(`step ${id}: intent must be an intent name or text`, { step: id, arg: 'intent' });
    const after = o.after === undefined ? [] : o.after;
    if (!Array.isArray(after) || after.some((a) => typeof a !== 'string')) bad(`step ${id}: after must be a list of step ids`, { step: id, arg: 'after' });
    if (o.retries !== undefined && (!Number.isInteger(o.retries) || (o.retries as number) < 0 || (o.retries as number) > limits.PLAN_STEP_RETRIES_MAX)) {
      bad(`step ${id}: retries must be an integer 0..${limits.PLAN_STEP_RETRIES_MAX}`, { step: id, arg: 'retries' });
    }
    if (o.timeoutMs !== undefined && (!Number.isInteger(o.timeoutMs) || (o.timeoutMs as number) < 1 || (o.timeoutMs as number) > limits.PLAN_STEP_TIMEOUT_MAX_MS)) {
      bad(`step ${id}: timeoutMs must be an integer 1..${limits.PLAN_STEP_TIMEOUT_MAX_MS}`, { step: id, arg: 'timeoutMs' });
    }
    if (o.approval !== undefined && typeof o.approval !== 'boolean') bad(`step ${id}: approval must be a boolean`, { step: id, arg: 'approval' });
    const step: PlanStep = { id, intent: o.intent as string, after: [...new Set(after as string[])] };
    if (o.input !== undefined) step.input = o.input;
    if (o.retries !== undefined) step.retries = o.retries as number;
    if (o.timeoutMs !== undefined) step.timeoutMs = o.timeoutMs as number;
    if (o.approval === true) step.approval = true;
    steps.push(step);
  }
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) for (const a of s.after!) if (!byId.has(a)) bad(`step ${s.id} comes after unknown step ${a}`, { step: s.id, unknown: a });
  for (const s of steps) if (s.after!.includes(s.id)) bad(`step ${s.id} comes after itself`, { step: s.id });
  // Cycles: Kahn's algorithm; whatever is left over lies on or behind a cycle.
  const indeg = new Map(steps.map((s) => [s.id, s.after!.length]));
  const next = new Map<string, string[]>(steps.map((s) => [s.id, []]));
  for (const s of steps) for (const a of s.after!) next.get(a)!.push(s.id);
  const queue = steps.filter((s) => s.after!.length === 0).map((s) => s.id);
  let seen = 0;
  while (queue.length > 0) {
    const id = queue.pop()!;
    seen++;
    for (const n of next.get(id)!) {
      indeg.set(n, indeg.get(n)! - 1);
      if (indeg.get(n) === 0) queue.push(n);
    }
  }
  if (seen < steps.length) bad('the steps form a cycle', { cycle: steps.filter((s) => indeg.get(s.id)! > 0).map((s) => s.id) });
  // $step references must name ancestors (steps reached through after).
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string): Set<string> => {
    let a = ancestors.get(id);
    if (a) return a;
    a = new Set();
    for (const p of byId.get(id)!.after!) {
      a.add(p);
      for (const x of ancestorsOf(p)) a.add(x);
    }
    ancestors.set(id, a);
    return a;
  };
  for (const s of steps) {
    for (const r of stepRefs(s.input)) {
      if (!byId.has(r)) bad(`step ${s.id} refers to unknown step ${r}`, { step: s.id, ref: r });
      if (!ancestorsOf(s.id).has(r)) bad(`step ${s.id} refers to step ${r}, which does not come before it (add it to after)`, { step: s.id, ref: r });
    }
  }
  return { goal: p.goal as string, steps };
}

/** Replaces every `{ "$step": ID }` inside `input` with that step's output (outputs of done ancestors). */
export function resolveRefs(input: unknown, outputs: (id: string) => unknown): unknown {
  if (Array.isArray(input)) return input.map((x) => resolveRefs(x, outputs));
  if (typeof input === 'object' && input !== null) {
    const o = input as Record<string, unknown>;
    if (Object.keys(o).length === 1 && '$step' in o) return outputs(String(o.$step));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveRefs(v, outputs)]));
  }
  return input;
}
