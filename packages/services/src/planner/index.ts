// planner library: plan validation, the durable engine, its journal, plan making from goals, DOT graphs.
export { validatePlan, resolveRefs, stepRefs } from './validate.ts';
export { PlanEngine, backoffMs } from './engine.ts';
export type { EngineDeps, StepCall, Submitter } from './engine.ts';
export { kvPlanStore, planKey, stepKey, PREFIX } from './store.ts';
export type { PlanStore, StoredPlan, StoredStep } from './store.ts';
export { planWithModel, planOffline, planSchema, planProblems, clauses, fillInput, linkInput, MAX_REPAIRS } from './goal.ts';
export type { IntentInfo, Complete, Match } from './goal.ts';
export { planDot } from './dot.ts';
