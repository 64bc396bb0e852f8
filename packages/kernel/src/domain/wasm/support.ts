// Small helpers of the wasm domain: the ports type, limits, error classification, and a
// process-wide count of runtimes that failed to free. Pure; trusts nothing it inspects.

/** The ports a wasm instance needs from the kernel. */
export interface WasmPorts {
  random(n: number): Uint8Array;
  /** Monotonic ms: slices and interrupts. */
  now(): number;
  /** Epoch ms: the wall clock a sandbox's C library reads (Date.now inside a sandbox on its own memory, own-module.ts). */
  wallClock(): number;
}

/**
 * QuickJS frames live on the host's native stack (wasm), so a QuickJS stack limit above this
 * would let deep recursion overflow V8's stack inside wasm instead of raising a clean error.
 */
export const STACK_CAP = 256 * 1024;

let runtimeFreeFailures = 0;

/** Records a runtime that QuickJS refused to free (objects still referenced). */
export function countFreeFailure(): void {
  runtimeFreeFailures++;
}

/** How many runtimes failed to free cleanly in this process (tests assert it stays 0). */
export function freeFailures(): number {
  return runtimeFreeFailures;
}

export function copyBuffer(b: Uint8Array): ArrayBuffer {
  return b.slice().buffer as ArrayBuffer;
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * QuickJS reports memory exhaustion as an InternalError 'out of memory'; a string past its
 * maximum length (reachable cheaply with rope concatenation) counts as exhaustion too.
 */
export function isOom(d: { name: string; message: string }): boolean {
  return d.message === 'out of memory' || (d.name === 'InternalError' && /out of memory|string too long/.test(d.message));
}

/** A host-side failure of the library that comes from the runtime being out of memory. */
export function isOomText(e: unknown): boolean {
  return /out of memory|Couldn't allocate/i.test(hostMessage(e));
}

export function hostMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Runs a best-effort cleanup step: a failure here must not take the kernel down. */
export function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // best effort
  }
}
