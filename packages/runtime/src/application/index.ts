// @aios/runtime/application: workflows and pipelines for agent authors, compiled to plan JSON and run by the planner.
export { workflow, ref } from './workflow.ts';
export type { Workflow, StepOptions } from './workflow.ts';
