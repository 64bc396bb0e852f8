// defineAgent: how an agent is written. The same definition runs unchanged in
// every execution domain; the kernel only ever sees it through the entry.

import type { AgentId, Handle, IntentManifest, Message } from '@aios/abi';

/** A received message, with decoding helpers. */
export interface ReceivedMessage extends Message {
  /** The payload decoded as UTF-8. */
  text(): string;
  /** The payload parsed as JSON (throws SyntaxError when it is not). */
  json<T = unknown>(): T;
}

export interface AgentContext {
  /** The agent's own id. */
  readonly id: AgentId;
  /** The name the agent was spawned under. */
  readonly name: string;
  /** The handle to itself; its rights are the agent's privileges. */
  readonly self: Handle;
  /** The config its spawner passed in SpawnOptions.config. */
  readonly config: unknown;
  /** Writes a line to the agent's log. */
  log(...args: unknown[]): void;
}

/** What an intent handler gets besides the payload: the request's original text and who asked. */
export interface IntentContext extends AgentContext {
  /** The asker's original text (absent when it asked by intent name without text). */
  readonly text?: string;
  /** The intent being served. */
  readonly intent: string;
  /** The agent that sent the request (semantic-ipcd when it was routed). */
  readonly from: AgentId;
  /**
   * When a plan step runs this intent (the planner): which attempt this is (1, 2, ...; a start interrupted by a
   * crash counts), and a key stable across attempts and restarts (`<plan id>/<step id>`), to make effects
   * idempotent. Absent for a plain ask.
   */
  readonly attempt?: number;
  readonly stepKey?: string;
  /** The agent a plan step runs for (the plan's submitter), when the planner forwarded it. */
  readonly onBehalfOf?: { agent: AgentId; name: string };
}

/** A contract-net bid: what serving a request would cost (lower wins) and how long it would take. */
export interface Bid {
  cost: number;
  timeMs?: number;
  [key: string]: unknown;
}

/**
 * An intent the agent serves (semantic IPC). `input` / `output` are JSON Schema or a Standard Schema such as a
 * zod 4 schema (published as JSON Schema; the payload is also checked locally with it before `handle` runs).
 */
export interface IntentDefinition extends IntentManifest {
  /** Serves one request; what it returns (JSON) is the asker's result, what it throws its error. */
  handle?(payload: unknown, ctx: IntentContext): unknown;
  /** Answers a call for bids (negotiate); default { cost: 1 }. */
  bid?(payload: unknown, ctx: IntentContext): Bid | Promise<Bid>;
}

export interface AgentDefinition {
  name: string;
  version?: string;
  description?: string;
  intents?: IntentDefinition[];
  /**
   * Runs once at start. When it returns the agent exits with code 0 (1 when it
   * throws), unless the agent also defines onMessage or intents, in which case it keeps running.
   * Intents are published (AgentRegister) before main runs and served between messages.
   */
  main?(ctx: AgentContext): unknown;
  /** Called for each message, one at a time, in arrival order. */
  onMessage?(msg: ReceivedMessage, ctx: AgentContext): unknown;

  // Lifecycle hooks (clone, checkpoint, merge, split, upgrade). Each is optional; an operation
  // that needs a hook the agent does not define fails with ENOSYS naming the hook. States are JSON.

  /** The agent's state, for clone, checkpoint, split, merge and upgrade. */
  serialize?(ctx: AgentContext): unknown;
  /** Takes a state made by serialize (or merge, partition, migrate). Runs before the agent's other handlers. */
  restore?(state: unknown, ctx: AgentContext): unknown;
  /** Combines this agent's state with another's of the same image; returns the merged state. */
  merge?(mine: unknown, theirs: unknown, ctx: AgentContext): unknown;
  /**
   * Divides the state and the unread messages in two. `messages` lists them in order; return the
   * indexes each side keeps (every index to exactly one side; unlisted ones stay with `keep`).
   */
  partition?(state: unknown, messages: Array<{ from: number; tag: string; text: string }>, ctx: AgentContext): {
    keep: { state: unknown; messages?: number[] };
    give: { state: unknown; messages?: number[] };
  };
  /** In a new version: turns the old version's state into this version's. */
  migrate?(oldState: unknown, fromVersion: string | undefined, ctx: AgentContext): unknown;
}

/** Names of the lifecycle hooks, as the kernel sees them. */
export const LIFECYCLE_HOOKS = ['serialize', 'restore', 'merge', 'partition', 'migrate'] as const;

/** Declares an agent. Export the result as the module's default export. */
export function defineAgent<T extends AgentDefinition>(definition: T): T {
  if (typeof definition !== 'object' || definition === null) throw new TypeError('defineAgent: expected an object');
  if (typeof definition.name !== 'string' || definition.name.length === 0) throw new TypeError('defineAgent: name must be a non-empty string');
  if (definition.main !== undefined && typeof definition.main !== 'function') throw new TypeError('defineAgent: main must be a function');
  if (definition.onMessage !== undefined && typeof definition.onMessage !== 'function') throw new TypeError('defineAgent: onMessage must be a function');
  if (definition.intents !== undefined) {
    if (!Array.isArray(definition.intents)) throw new TypeError('defineAgent: intents must be a list');
    const seen = new Set<string>();
    for (const it of definition.intents) {
      if (typeof it !== 'object' || it === null || typeof it.name !== 'string' || it.name.length === 0) throw new TypeError('defineAgent: each intent needs a name');
      if (it.name.startsWith('__')) throw new TypeError(`defineAgent: intent names starting with '__' are reserved (${it.name})`);
      if (seen.has(it.name)) throw new TypeError(`defineAgent: intent ${it.name} is defined twice`);
      seen.add(it.name);
      if (it.handle !== undefined && typeof it.handle !== 'function') throw new TypeError(`defineAgent: intent ${it.name}: handle must be a function`);
      if (it.bid !== undefined && typeof it.bid !== 'function') throw new TypeError(`defineAgent: intent ${it.name}: bid must be a function`);
    }
  }
  const serves = (definition.intents?.length ?? 0) > 0;
  if (definition.main === undefined && definition.onMessage === undefined && !serves) throw new TypeError('defineAgent: define main, onMessage, intents, or several');
  return definition;
}
