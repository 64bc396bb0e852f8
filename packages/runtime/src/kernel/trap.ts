// The trap instruction of the runtime: the one place where agent code leaves for
// the kernel. The loader evaluates each agent's bundle with `__aios_trap` bound
// to that agent's gate, so every agent has its own binding and no global state.

import { AiosError, isAiosError } from '@aios/abi';

type Gate = (nr: number, args: unknown[]) => unknown;
declare const __aios_trap: Gate | undefined;

function unbound(): never {
  throw new AiosError('ENOSYS', 'not running inside an AIOS agent: syscalls are only available to agent code loaded by the kernel');
}

const gate: Gate = typeof __aios_trap === 'function' ? __aios_trap : unbound;

/** Normalises whatever crossed the boundary into this runtime's AiosError class. */
export function toAiosError(e: unknown): unknown {
  if (e instanceof AiosError) return e;
  if (isAiosError(e)) {
    const x = e as { code: string; message: string; detail?: Record<string, unknown> };
    return AiosError.fromJSON(x);
  }
  return e;
}

/** Synchronous syscall. Throws AiosError. */
export function trap(nr: number, args: unknown[]): unknown {
  try {
    return gate(nr, args);
  } catch (e) {
    throw toAiosError(e);
  }
}

/**
 * Synchronous syscall with a handle and bytes as its arguments (a per-signature entry: IPCSend without options). The
 * wasm sandbox's gate has a faster entry for it (`hb`: no argument list); any other gate gets [h, b].
 */
const gateHB: (nr: number, h: unknown, b: unknown) => unknown =
  typeof (gate as { hb?: unknown }).hb === 'function' ? (gate as unknown as { hb: (nr: number, h: unknown, b: unknown) => unknown }).hb : (nr, h, b) => gate(nr, [h, b]);

export function trapHB(nr: number, h: unknown, b: unknown): unknown {
  try {
    return gateHB(nr, h, b);
  } catch (e) {
    throw toAiosError(e);
  }
}

/** Blocking syscall: the kernel settles the promise when it schedules the caller again. */
export function trapAsync(nr: number, args: unknown[]): Promise<unknown> {
  let p: unknown;
  try {
    p = gate(nr, args);
  } catch (e) {
    return Promise.reject(toAiosError(e));
  }
  return (p as Promise<unknown>).then(undefined, (e: unknown) => {
    throw toAiosError(e);
  });
}

/** True when this copy of the runtime is bound to a kernel gate. */
export const bound: boolean = gate !== unbound;
