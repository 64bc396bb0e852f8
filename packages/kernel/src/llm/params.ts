// Limits of the model device, xv6 param.h style: what each bounds and what a caller gets past it.
// (Candidates for abi/limits.ts once the llm syscalls are in the table.)

/** Most messages in one request; more gives EINVAL. */
export const LLM_MAX_MESSAGES = 1_024;
/** Most characters of all message contents together; more gives EMSGSIZE. */
export const LLM_MAX_PROMPT_CHARS = 4 * 2 ** 20;
/** Largest maxTokens accepted; more gives EINVAL. */
export const LLM_MAX_COMPLETION_TOKENS = 1_000_000;
/** Most stop sequences; more gives EINVAL (the OpenAI API's own limit). */
export const LLM_MAX_STOP = 4;
/** Completion tokens assumed for fair-queue tags when a request sets no maxTokens. */
export const LLM_DEFAULT_COMPLETION_ESTIMATE = 256;
/** Most requests one agent may have queued (not in flight); one more gives EAGAIN. */
export const LLM_MAX_QUEUED_PER_AGENT = 256;
/** Fraction of a budget at which the warning event fires (once per window). */
export const LLM_BUDGET_WARN_FRACTION = 0.8;
/** Tokens added per message for its role and separators when estimating a prompt. */
export const LLM_TOKENS_PER_MESSAGE = 4;
