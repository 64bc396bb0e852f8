// @aios/runtime/cognitive: language-model calls through the node's model device.
// The device handle comes from the agent's namespace ('model'), granted at spawn.
import type { Handle, LlmChunk, LlmMessage, LlmRequest, LlmResult } from '@aios/abi';
import { handleClose, llmComplete, llmStreamNext, llmStreamOpen, nsLookup } from '../kernel/stubs.gen.ts';

let cached: Handle | undefined;

/** The model device handle from the namespace (ENOENT when the agent was not granted one). */
export function modelDevice(): Handle {
  cached ??= nsLookup('model');
  return cached;
}

function request(input: string | LlmMessage[] | LlmRequest, opts: Partial<LlmRequest>): LlmRequest {
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }], ...opts };
  if (Array.isArray(input)) return { messages: input, ...opts };
  return { ...input, ...opts };
}

/** One completion. Throws EQUOTA when the agent's model budget is spent. */
export function complete(input: string | LlmMessage[] | LlmRequest, opts: Partial<LlmRequest> = {}): Promise<LlmResult> {
  return llmComplete(modelDevice(), request(input, opts));
}

/** A streamed completion, chunk by chunk; breaking out of the loop cancels the request. */
export async function* stream(input: string | LlmMessage[] | LlmRequest, opts: Partial<LlmRequest> = {}): AsyncGenerator<LlmChunk> {
  const h = llmStreamOpen(modelDevice(), request(input, opts));
  try {
    for (;;) {
      const c = await llmStreamNext(h);
      if (c === null) return;
      yield c;
    }
  } finally {
    handleClose(h);
  }
}

// The planner client (issue 14): goals into plans, plans into work.
export { PLANNER_SERVICE, planner, plan, submit, show, plans, cancel, watch, wait } from './planner.ts';
// Context management: a window with token accounting, memory recall and summarisation.
export { contextWindow, estimateTokens } from './context.ts';
export type { ContextWindow, ContextOptions } from './context.ts';
