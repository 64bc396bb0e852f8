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

/** An intent the agent serves (semantic IPC); the handler receives the payload. */
export interface IntentDefinition extends IntentManifest {
  handle?(payload: unknown, ctx: AgentContext & { text?: string }): unknown;
}

export interface AgentDefinition {
  name: string;
  version?: string;
  description?: string;
  intents?: IntentDefinition[];
  /**
   * Runs once at start. When it returns the agent exits with code 0 (1 when it
   * throws), unless the agent also defines onMessage, in which case it keeps running.
   */
  main?(ctx: AgentContext): unknown;
  /** Called for each message, one at a time, in arrival order. */
  onMessage?(msg: ReceivedMessage, ctx: AgentContext): unknown;
}

/** Declares an agent. Export the result as the module's default export. */
export function defineAgent<T extends AgentDefinition>(definition: T): T {
  if (typeof definition !== 'object' || definition === null) throw new TypeError('defineAgent: expected an object');
  if (typeof definition.name !== 'string' || definition.name.length === 0) throw new TypeError('defineAgent: name must be a non-empty string');
  if (definition.main !== undefined && typeof definition.main !== 'function') throw new TypeError('defineAgent: main must be a function');
  if (definition.onMessage !== undefined && typeof definition.onMessage !== 'function') throw new TypeError('defineAgent: onMessage must be a function');
  if (definition.main === undefined && definition.onMessage === undefined) throw new TypeError('defineAgent: define main, onMessage, or both');
  return definition;
}
