// The intents protocol: what semantic-ipcd sends an agent that serves an intent (tag INTENT_TAG, the one envelope
// { id, op, ...args } with the reply handle as handles[0]) and what the agent answers (the one reply envelope,
// tag REPLY_TAG). `call` runs the intent's handler with the payload; `bid` asks for a contract-net bid for it.
// The runtime's agent entry serves it (agent/intents.ts); semantic-ipcd is its only client.

import { defineProtocol, op, type OpName } from './define.ts';

/** The tag of intent requests (replies carry REPLY_TAG like every other reply). */
export const INTENT_TAG = 'intent';

/** An intent request: which intent, its payload, and the text it was routed from. */
export interface IntentRequest {
  intent: string;
  payload?: unknown;
  text?: string;
  /** A plan step's idempotency key and attempt (ctx.stepKey, ctx.attempt): the same key for every attempt. */
  stepKey?: string;
  attempt?: number;
  /** The agent the request is made for (the planner, for a plan's submitter): ctx.onBehalfOf. */
  onBehalfOf?: { agent: number; name: string };
}

/** A contract-net bid: what serving the request would cost (and how long it would take). */
export interface IntentBid {
  cost: number;
  timeMs?: number;
  [field: string]: unknown;
}

export const INTENTS = defineProtocol('intents', {
  call: op<IntentRequest, unknown>(['EINVAL', 'ENOSYS', 'EMSGSIZE'], "runs the intent's handler; the result is whatever it returned"),
  bid: op<IntentRequest, IntentBid>(['EINVAL', 'ENOSYS'], 'a bid for serving the request (default { cost: 1 })'),
});

export type IntentOp = OpName<typeof INTENTS>;
/** The intents ops, derived from the table. */
export const INTENT_OPS = Object.keys(INTENTS.ops) as readonly IntentOp[];
