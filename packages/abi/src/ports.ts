// Ports: everything the kernel needs from the host (clock, randomness, timers,
// image loading, off-thread crypto, log output). The kernel does no I/O itself;
// hosts (apps, testkit) and drivers implement these, so they live in the abi.

import type { AgentImage, PqcOp } from './types.ts';

export interface ClockPort {
  /** Wall clock in ms since the epoch (ClockNow, audit times). */
  now(): number;
  /** A monotonic high-resolution clock in ms, used to measure CPU time of activations. */
  monotonic(): number;
}

export interface TimerPort {
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(id: unknown): void;
}

export interface LoadedImage {
  /** The bundled script: an IIFE defining `__aios_agent` (see @aios/runtime entry). */
  code: string;
  /** A stable key for caches (content hash). */
  key: string;
  /** Where the image came from, for logs. */
  origin: string;
  /** Real path of the folder tree a path image may import from (absent for source images). */
  root?: string;
}

/** Who asks for an image: the loader bounds builds per agent and confines sandboxed requesters. */
export interface LoadRequest {
  /** The requesting agent (pending builds are bounded per agent). */
  agent: number;
  /**
   * True for a sandboxed (wasm) agent: its `{ path }` images must lie inside `root` or inside a folder
   * the node allows for images (the esbuild loader: its imageRoots, by default its cwd); else EACCES.
   */
  sandboxed: boolean;
  /** The requester's own image tree (LoadedImage.root), or null. */
  root: string | null;
}

export interface ImageLoaderPort {
  /** Builds an image. Errors: EACCES forbidden import or path, EINVAL bad image, EMSGSIZE too big, EAGAIN too many builds, ENOENT. */
  load(image: AgentImage, from?: LoadRequest): Promise<LoadedImage>;
}

export interface OffloadPort {
  /** Runs a post-quantum operation off the kernel's thread. */
  pqc(op: PqcOp, args: Record<string, Uint8Array>): Promise<Record<string, Uint8Array | boolean>>;
}

/** Durable storage of agent checkpoints (the node writes files in its data folder and syncs them). */
export interface CheckpointStorePort {
  put(id: string, data: string): Promise<void>;
  get(id: string): Promise<string | undefined>;
}

/**
 * The kernel's journal: synchronous, durable storage of what must survive a crash
 * (durable agents, their manifests and their unread messages). A call that returns
 * has reached stable storage; the kernel acknowledges a send only after it returns.
 */
export interface JournalPort {
  saveAgent(key: string, record: string): void;
  removeAgent(key: string): void;
  loadAgents(): Array<{ key: string; record: string }>;
  appendMessage(key: string, message: string): number;
  ackMessage(key: string, seq: number): void;
  pendingMessages(key: string): Array<{ seq: number; message: string }>;
}

/**
 * One span of a trace (OpenTelemetry at the edge, nothing in the kernel). `traceparent` is the W3C
 * trace context of this span (`00-<trace id>-<span id>-<flags>`): children and IPC messages carry it.
 */
export interface TraceSpan {
  readonly traceparent: string;
  setAttribute(key: string, value: string | number | boolean): void;
  /** Ends the span; `error` is the AiosError code when the operation failed. Idempotent. */
  end(error?: string): void;
}

/**
 * Tracing port: the kernel opens spans through it for syscalls that do work and for message receipts.
 * Absent (the default), the kernel does no tracing work at all. `parent` is a W3C traceparent or undefined
 * (a new trace). Must not throw.
 */
export interface TracerPort {
  start(name: string, parent: string | undefined, attributes: Record<string, string | number | boolean>): TraceSpan;
}

export interface KernelPorts {
  clock: ClockPort;
  random(bytes: number): Uint8Array;
  timers: TimerPort;
  /** Queues fn to run on a later macrotask (setImmediate on Node); the scheduler steps through it. */
  defer(fn: () => void): void;
  loader: ImageLoaderPort;
  offload: OffloadPort;
  /** Where durable agents and their unread messages are journaled (none: no agent may be durable). */
  journal?: JournalPort;
  /** Where checkpoints go; without it they live in memory only (not durable). */
  checkpoints?: CheckpointStorePort;
  /** Where spans go (OpenTelemetry at the node); absent: no tracing, no cost. */
  tracer?: TracerPort;
  /** Receives every agent log line (the node prints or streams them). */
  log?(agent: number, name: string, line: string): void;
}
