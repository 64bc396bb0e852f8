// Public surface of the kernel's model device (the llm dispatcher).
export { createModelDevice } from './device.ts';
export type { ModelDevice, ModelDeviceOptions, ModelDeviceStats, LlmAgentConfig } from './device.ts';
export { FairQueue } from './fairq.ts';
export type { LlmQueuePolicy, QueueItem } from './fairq.ts';
export { BudgetLedger } from './budget.ts';
export type { LlmClock, WindowView } from './budget.ts';
export { estimateRequest, roughTokens, costOf } from './estimate.ts';
export type { RequestEstimate } from './estimate.ts';
export { checkRequest, checkSubmitOptions, checkBudget, checkAgentId } from './validate.ts';
export * as llmParams from './params.ts';
