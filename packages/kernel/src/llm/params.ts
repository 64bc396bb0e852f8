// The model device's limits live in abi/limits.ts (with the others); re-exported for the kernel's llm code.
import { limits } from '@aios/abi';

export const {
  LLM_MAX_MESSAGES, LLM_MAX_PROMPT_CHARS, LLM_MAX_COMPLETION_TOKENS, LLM_MAX_STOP, LLM_DEFAULT_COMPLETION_ESTIMATE,
  LLM_MAX_QUEUED_PER_AGENT, LLM_BUDGET_WARN_FRACTION, LLM_TOKENS_PER_MESSAGE,
} = limits;
