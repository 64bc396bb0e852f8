// Interfaces of the model (LLM) device: what an llm driver serves and what the kernel's
// model dispatcher hands agents. Types only; abi imports nothing outside itself.
import type { Driver } from './devices.ts';
import type { AgentId } from './types.ts';

export type LlmRole = 'system' | 'user' | 'assistant' | 'tool';

export interface LlmMessage {
  role: LlmRole;
  content: string;
}

/** One chat request. `messages` is non-empty; numbers are finite (the dispatcher rejects the rest with EINVAL). */
export interface LlmRequest {
  messages: LlmMessage[];
  /** Most completion tokens to generate (a positive integer). */
  maxTokens?: number;
  /** Sampling temperature, 0..2. */
  temperature?: number;
  /** Model name; the driver's default model when unset. */
  model?: string;
  /** Stop sequences (at most 4, non-empty strings). */
  stop?: string[];
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

/** Why generation ended. 'stop': natural end or a stop sequence; 'length': maxTokens reached. */
export type LlmFinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

export interface LlmResult {
  text: string;
  usage: LlmUsage;
  finishReason: LlmFinishReason;
  /** The model that actually answered (as reported by the backend). */
  model: string;
}

/**
 * A piece of a streamed answer. Contract of `LlmDriver.stream`: zero or more chunks with
 * `done` unset carrying text deltas, then exactly one last chunk with `done: true`, the
 * finish reason, the usage (the backend's, else an estimate) and the model.
 */
export interface LlmChunk {
  delta: string;
  done?: boolean;
  finishReason?: LlmFinishReason;
  usage?: LlmUsage;
  model?: string;
}

/** Estimates the tokens of a text. Deterministic; never negative. */
export type TokenEstimator = (text: string) => number;

/**
 * A language-model backend on the device bus (kind 'llm').
 * Errors are AiosError: EIO (backend failed; HTTP status in detail.status), ETIMEDOUT,
 * ECANCELED (the signal aborted), EINVAL (request the backend cannot take).
 */
export interface LlmDriver extends Driver {
  /** Requests the backend serves at once. */
  readonly slots: number;
  /**
   * Requests the backend accepts beyond `slots` and queues itself (default 0): the dispatcher hands over that
   * many early, so a freed slot starts the next request at once instead of after a round trip. The dispatcher
   * never has more than slots + pipeline in flight.
   */
  readonly pipeline?: number;
  complete(req: LlmRequest, signal?: AbortSignal): Promise<LlmResult>;
  stream(req: LlmRequest, signal?: AbortSignal): AsyncIterable<LlmChunk>;
  /** The driver's own estimate (its tokenizer's); the dispatcher's default when absent. */
  estimateTokens?: TokenEstimator;
}

/** Per-agent budget over a period. Unset limits are unlimited; a child's limits may not exceed its parent's. */
export interface LlmBudget {
  /** Prompt + completion tokens per period. */
  tokens?: number;
  /** Cost units per period (see LlmPricing). */
  cost?: number;
  /** Window length in ms; usage resets when a window ends. Unset: one window forever. */
  periodMs?: number;
}

/** Cost units per token. */
export interface LlmPricing {
  promptPerToken: number;
  completionPerToken: number;
}

/** Options of one model syscall. */
export interface LlmSubmitOptions {
  /** Share of the model relative to other agents; positive, default 1 (or the agent's configured weight). */
  weight?: number;
  /** A latency-sensitive request: dispatched ahead of others while its agent is within its fair share. */
  interactive?: boolean;
  signal?: AbortSignal;
}

/** What `usage(agentId)` reports. */
export interface LlmAgentUsage {
  agentId: AgentId;
  /** Lifetime totals of this agent's own requests. */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  queued: number;
  inFlight: number;
  /** The current budget window, counting this agent and its descendants. */
  window: { tokens: number; cost: number; startedAt: number; resetsAt: number | null };
  budget: LlmBudget | null;
}

/** Budget events: topic 'llm.budget.warning' at 80 %, 'llm.budget.exhausted' at 100 % (once per window). */
export interface LlmBudgetEventData {
  agentId: AgentId;
  resource: 'llmTokens' | 'llmCost';
  limit: number;
  used: number;
  [key: string]: unknown;
}
