// Token estimates the dispatcher tags requests with before the backend reports real usage.
// Pure; the driver's own estimator is preferred when it has one.
import type { LlmPricing, LlmRequest, LlmUsage, TokenEstimator } from '@aios/abi';
import { LLM_DEFAULT_COMPLETION_ESTIMATE, LLM_TOKENS_PER_MESSAGE } from './params.ts';

/** Rough rule of thumb for English-like text: one token per four characters. */
export const roughTokens: TokenEstimator = (text) => Math.ceil(text.length / 4);

export interface RequestEstimate {
  promptTokens: number;
  completionTokens: number;
}

/** Prompt from the messages; completion is maxTokens, else the default guess. */
export function estimateRequest(req: LlmRequest, est: TokenEstimator, defaultCompletion = LLM_DEFAULT_COMPLETION_ESTIMATE): RequestEstimate {
  let prompt = 0;
  for (const m of req.messages) prompt += Math.max(0, est(m.content)) + LLM_TOKENS_PER_MESSAGE;
  return { promptTokens: prompt, completionTokens: req.maxTokens ?? defaultCompletion };
}

export function costOf(u: LlmUsage, p: LlmPricing | undefined): number {
  return p === undefined ? 0 : u.promptTokens * p.promptPerToken + u.completionTokens * p.completionPerToken;
}
