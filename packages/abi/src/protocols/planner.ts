// The planner's protocol (issue 14): plans as JSON (a goal and steps with dependencies), their states, and the
// ops the planner service answers. The CLI, the HTTP API and @aios/runtime/cognitive all speak this table.

import { defineProtocol, op } from './define.ts';
import type { WireError } from './envelope.ts';

/** A plan's state. `waiting`: a step waits for an operator's approval and nothing else can run. */
export type PlanState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';
/** A step's state. `skipped`: a step it depends on failed (or was rejected). */
export type StepState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** One step of a plan. Inside `input`, an object `{ "$step": ID }` is replaced by that step's output. */
export interface PlanStep {
  /** Unique within the plan: [A-Za-z0-9_.-]{1,64}. */
  id: string;
  /** An exact intent name, else text routed by meaning (as `ask()` resolves it). */
  intent: string;
  input?: unknown;
  /** Steps that must be done before this one runs. */
  after?: string[];
  /** Extra attempts after a failure (0..limits.PLAN_STEP_RETRIES_MAX; default 0). */
  retries?: number;
  /** How long one attempt may take (default limits.PLAN_STEP_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The step waits (`waiting`) for an operator's approve or reject before it runs. */
  approval?: boolean;
}

/** A plan as submitted. */
export interface PlanJson {
  goal: string;
  steps: PlanStep[];
}

/** A step as shown. `attempts` counts starts (a start interrupted by a crash counts). */
export interface StepView {
  id: string;
  intent: string;
  state: StepState;
  attempts: number;
  after: string[];
  output?: unknown;
  error?: WireError;
}

/** A plan as shown (`aios plan show --json`). `version` grows with every change (watch waits on it). */
export interface PlanView {
  id: string;
  goal: string;
  state: PlanState;
  steps: StepView[];
  submitter: { agent: number; name: string };
  created: number;
  updated: number;
  version: number;
}

/** One row of `ls`. */
export interface PlanSummary {
  id: string;
  goal: string;
  state: PlanState;
  steps: number;
  done: number;
  created: number;
  updated: number;
}

/** A plan made from a goal: by the model device (`model`) or by the offline clause splitter (`offline`). */
export interface MadePlan {
  plan: PlanJson;
  planner: 'model' | 'offline';
  /** What the planner did (repairs, unmatched clauses, the offline planner saying what it is). */
  notes: string[];
  /** Set when the request asked to submit it too. */
  id?: string;
}

// Ops name a plan by `planId` (the envelope's own `id` is the request's).
export const PLANNER = defineProtocol('planner', {
  submit: op<{ plan: PlanJson }, { id: string }>(['EINVAL', 'EACCES', 'EQUOTA', 'EMSGSIZE'], 'validates a plan and starts it (nothing starts when it is invalid)'),
  make: op<{ goal: string; submit?: boolean }, MadePlan>(['EINVAL', 'ENOROUTE', 'EIO', 'EQUOTA'], 'makes a plan from a goal (model device, else the offline clause splitter); submits it when asked'),
  show: op<{ planId: string; outputs?: boolean }, PlanView>(['ENOENT', 'EACCES'], 'a plan and its steps (outputs: false leaves outputs out)'),
  ls: op<{ state?: PlanState }, PlanSummary[]>(['EINVAL'], 'the plans the caller may see, newest first'),
  approve: op<{ planId: string; step: string }, PlanView>(['ENOENT', 'EACCES', 'EINVAL'], 'approves a waiting step (operators only)'),
  reject: op<{ planId: string; step: string }, PlanView>(['ENOENT', 'EACCES', 'EINVAL'], 'rejects a waiting step: it fails and the plan fails'),
  cancel: op<{ planId: string }, PlanView>(['ENOENT', 'EACCES'], 'cancels a plan: running steps are abandoned, the rest cancelled'),
  graph: op<{ planId: string }, { dot: string }>(['ENOENT', 'EACCES'], 'the plan as a DOT graph with step states'),
  watch: op<{ planId: string; since?: number; waitMs?: number; outputs?: boolean }, PlanView>(['ENOENT', 'EACCES', 'EINVAL'], 'the plan once its version passes `since` (or after waitMs)'),
});
