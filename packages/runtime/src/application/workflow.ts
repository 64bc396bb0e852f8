// Workflows for agent authors: a typed builder that compiles to the planner's plan JSON (abi PlanJson) and runs on
// the planner, so a workflow written in code gets the same durability, retries, approval and observability.
//
//   const wf = workflow('trip')
//     .step('weather', 'weather', { city: 'Paris' })
//     .parallel([['flights', 'search flights'], ['hotels', 'search hotels']])
//     .branch('book', 'book a trip', { flight: ref('flights'), hotel: ref('hotels') }, { approval: true });
//   const id = await wf.run();
//
// Each call adds steps after the previous "frontier" (the steps added by the call before): step() adds one,
// parallel() adds several side by side (all after the frontier), branch() adds one that may name its own `after`
// (a side branch; it does not move the frontier unless `join: true`). `ref(id)` is a `$step` reference.

import { AiosError, type PlanJson, type PlanStep } from '@aios/abi';
import { validatePlanShape } from './shape.ts';
import { submit } from '../cognitive/planner.ts';

export interface StepOptions {
  retries?: number;
  timeoutMs?: number;
  approval?: boolean;
  /** Explicit dependencies (default: the frontier). */
  after?: string[];
}

/** `{ $step: id }`: the output of step `id`, resolved by the planner before the step runs. */
export function ref(id: string): { $step: string } {
  return { $step: id };
}

export interface Workflow {
  readonly goal: string;
  /** One step after the current frontier; it becomes the frontier. */
  step(id: string, intent: string, input?: unknown, opts?: StepOptions): Workflow;
  /** Several steps side by side, each after the frontier; together they become the frontier. */
  parallel(steps: Array<[id: string, intent: string, input?: unknown, opts?: StepOptions]>): Workflow;
  /** A side branch after `opts.after` (default: the frontier); the frontier stays unless `join` is set. */
  branch(id: string, intent: string, input?: unknown, opts?: StepOptions & { join?: boolean }): Workflow;
  /** The plan JSON (checked: EINVAL on a duplicate id or an unknown dependency). */
  compile(): PlanJson;
  /** Submits it to the planner (`@aios/runtime/cognitive` submit) and resolves with the plan id. */
  run(): Promise<string>;
}

export function workflow(goal: string): Workflow {
  if (typeof goal !== 'string' || goal.trim().length === 0) throw new AiosError('EINVAL', 'a workflow needs a goal', { arg: 'goal' });
  const steps: PlanStep[] = [];
  let frontier: string[] = [];
  const make = (id: string, intent: string, input: unknown, opts: StepOptions | undefined, after: string[]): PlanStep => {
    const s: PlanStep = { id, intent, after: [...(opts?.after ?? after)] };
    if (input !== undefined) s.input = input;
    if (opts?.retries !== undefined) s.retries = opts.retries;
    if (opts?.timeoutMs !== undefined) s.timeoutMs = opts.timeoutMs;
    if (opts?.approval) s.approval = true;
    return s;
  };
  const wf: Workflow = {
    goal,
    step(id, intent, input, opts) {
      steps.push(make(id, intent, input, opts, frontier));
      frontier = [id];
      return wf;
    },
    parallel(list) {
      if (list.length === 0) throw new AiosError('EINVAL', 'parallel() needs at least one step', { arg: 'steps' });
      const base = frontier;
      for (const [id, intent, input, opts] of list) steps.push(make(id, intent, input, opts, base));
      frontier = list.map(([id]) => id);
      return wf;
    },
    branch(id, intent, input, opts) {
      steps.push(make(id, intent, input, opts, frontier));
      if (opts?.join) frontier = [...frontier, id];
      return wf;
    },
    compile() {
      const plan = { goal, steps: steps.map((s) => ({ ...s, after: [...(s.after ?? [])] })) };
      validatePlanShape(plan);
      return plan;
    },
    run: () => submit(wf.compile()),
  };
  return wf;
}
