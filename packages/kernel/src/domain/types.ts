// The execution-domain interface: how the kernel runs an agent's bundled image.
// A domain turns a script into an AgentInstance whose only way out is the gate.

import type { TrapKind } from '@aios/abi';

/**
 * The syscall gate, bound to one agent. `nr` is a row of the abi table.
 * Contract: returns the result, or throws an AiosError. For 'blocking' syscalls
 * it returns a host Promise that the kernel settles inside a scheduler step of
 * this agent; the domain must run the agent's continuation (its pending jobs)
 * in the microtasks that follow that settlement, before the step ends.
 */
export type Gate = (nr: number, args: unknown[]) => unknown;

/** Activation kinds the runtime's entry dispatcher understands. */
export type ActivationKind = 'main' | 'message' | 'serialize' | 'restore' | 'merge' | 'partition' | 'migrate';

export interface InstanceLimits {
  /** Heap limit in bytes (wasm domain); the agent's memory quota decides it. */
  memoryBytes: number;
  /** Stack limit in bytes (wasm domain). */
  stackBytes: number;
  /** Longest one activation (or continuation) may run before it is interrupted, in ms. */
  sliceMs: number;
}

/** What the runtime's entry reports about the agent definition it found. */
export interface EntryInfo {
  hasMain: boolean;
  hasOnMessage: boolean;
  name?: string;
  version?: string;
  description?: string;
  /** Lifecycle hooks the definition has (serialize, restore, merge, partition, migrate). */
  hooks?: string[];
}

export interface TrapReport {
  kind: TrapKind;
  message: string;
  stack?: string;
}

export interface AgentInstance {
  readonly info: EntryInfo;
  /**
   * Runs one activation. The returned promise settles when the agent's handler
   * settles (resolves: handler returned, with the JSON result of a lifecycle hook; rejects with the thrown value, as an
   * Error-like object, when it threw). A CPU overrun or memory exhaustion makes
   * it reject with a TrapError.
   */
  dispatch(kind: ActivationKind, payload?: unknown): Promise<unknown>;
  /** Bytes of host memory the instance holds (best effort; 0 when unknown). */
  memoryBytes(): number;
  /** Frees the instance. Further dispatches reject. Idempotent. */
  dispose(): void;
}

/** The agent an instance is made for (the kernel passes it; domains that place instances, such as executors, read it). */
export interface InstanceOwner {
  readonly id: number;
}

export interface ExecutionDomain {
  readonly name: 'native' | 'wasm';
  /**
   * Evaluates a bundled image (an IIFE that defines `__aios_agent`, see
   * @aios/runtime's entry) with `__aios_trap` bound to the gate.
   * Throws a TrapError of kind 'load' when the script does not evaluate.
   */
  instantiate(code: string, gate: Gate, limits: InstanceLimits, owner?: InstanceOwner): AgentInstance;
  /** Prepares up to `count` blank instances ahead of time, all at once (tools, benchmarks). Optional. */
  prewarm?(count: number): void;
  /**
   * One bounded piece of prewarm(count)'s work (at most one instance made or prepared); true when it did some,
   * false when there is nothing left to do. The kernel calls it once per idle step, so preparing sandboxes never
   * holds the event loop for more than one instance's time. Optional.
   */
  prewarmStep?(count: number): boolean;
}

/** A fault of the agent's own code, reported to its supervisor as a trap. */
export class TrapError extends Error {
  readonly kind: TrapKind;
  constructor(kind: TrapKind, message: string, stack?: string) {
    super(message);
    this.name = 'TrapError';
    this.kind = kind;
    if (stack !== undefined) this.stack = stack;
  }
}
