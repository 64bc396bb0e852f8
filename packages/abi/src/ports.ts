// Ports: everything the kernel needs from the host (clock, randomness, timers,
// image loading, off-thread crypto, log output). The kernel does no I/O itself;
// hosts (apps, testkit) and drivers implement these, so they live in the abi.

import type { AgentImage, PqcOp } from './types.ts';
import type { FsEntry, FsStat } from './io.ts';

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
  /** Real path of the folder holding a path image's entry file: its own relative `{ path }` spawns resolve here. */
  dir?: string;
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
  /** The requester's own image folder (LoadedImage.dir): a relative `{ path }` resolves against it; else the loader's cwd. */
  dir?: string | null;
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
 * Host folders for mounts (issue 19). Every call names a mount root (an absolute host path) and a path inside
 * it as checked segments (no '', '.', '..', '/', NUL). Resolution never leaves the root: each step is opened
 * without following links and verified on the open descriptor (a link inside the root is followed only when
 * its target is inside too), so a folder swapped between check and use is refused too. Escapes are EACCES.
 * Errors: ENOENT, EEXIST, EACCES, EINVAL (a folder where a file is wanted, or the reverse), EMSGSIZE, EIO.
 */
export interface FsPort {
  read(root: string, rel: readonly string[], maxBytes: number): Promise<Uint8Array>;
  /** Atomic: a temp file in the same folder, synced, then renamed over the target. */
  write(root: string, rel: readonly string[], data: Uint8Array, may: { create: boolean; replace: boolean }): Promise<{ created: boolean; replaced: number }>;
  list(root: string, rel: readonly string[], maxEntries: number): Promise<FsEntry[]>;
  stat(root: string, rel: readonly string[]): Promise<FsStat>;
  /** Removes a file or an empty folder; resolves with the bytes it held. */
  remove(root: string, rel: readonly string[]): Promise<{ bytes: number }>;
  mkdir(root: string, rel: readonly string[]): Promise<void>;
  /** The absolute host path of an agent's scratch folder (created private on first use by the calls above). */
  scratchRoot(key: string): string | null;
  /** Copies a scratch folder to another (clone, split); a missing source copies nothing. */
  copyScratch(fromKey: string, toKey: string): Promise<void>;
}

/** The kernel's checks, called by the net port before it connects and at every redirect. Each throws EACCES. */
export interface NetGuard {
  /** The URL's scheme, host and port are granted. */
  url(url: string): void;
  /** The address a host resolved to (or a literal address) may be reached: checked before connecting to it. */
  address(host: string, address: string): void;
}

export interface NetPortRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  timeoutMs: number;
  redirect: 'follow' | 'manual' | 'error';
  maxRedirects: number;
  /** Largest response body in bytes; more is EMSGSIZE. */
  maxBodyBytes: number;
}

export interface NetPortResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  url: string;
  redirected: boolean;
  /** The body, chunk by chunk (null at the end); cancel() aborts the connection. */
  next(): Promise<Uint8Array | null>;
  cancel(): void;
}

/** Outbound HTTP(S) for the net device: resolves once, checks the address with the guard, connects to that address. */
export interface NetPort {
  fetch(req: NetPortRequest, guard: NetGuard): { response: Promise<NetPortResponse>; abort(reason?: string): void };
}

/**
 * One span of a trace (OpenTelemetry at the edge, nothing in the kernel). `traceparent` is the W3C
 * trace context of this span (`00-<trace id>-<span id>-<flags>`): children and IPC messages carry it.
 */
export interface TraceSpan {
  readonly traceparent: string;
  /**
   * False when the span records nothing (its trace was not sampled): the kernel then skips building its
   * attributes. Absent means recording.
   */
  readonly recording?: boolean;
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
  /** `attributes` may be left out: the kernel then sets them with setAttribute, only on a recording span. */
  start(name: string, parent: string | undefined, attributes?: Record<string, string | number | boolean>): TraceSpan;
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
  /** Host folders for mounts and scratch space; without it FsRead and the rest are ENOSYS. */
  fs?: FsPort;
  /** Outbound HTTP for the net device; without it NetFetch is ENOSYS. */
  net?: NetPort;
  /** Where spans go (OpenTelemetry at the node); absent: no tracing, no cost. */
  tracer?: TracerPort;
  /** Receives every agent log line (the node prints or streams them). */
  log?(agent: number, name: string, line: string): void;
}
