// What crosses between the kernel thread and an executor worker. Worker -> kernel: ring messages whose
// first byte is an OP (each gets a reply; a syscall's reply is its result). Kernel -> worker: batches of
// commands by postMessage (structured clone; settle carries a wire-encoded result).

import type { ActivationKind, InstanceLimits } from '../domain/types.ts';

/** Ring message kinds (worker -> kernel). */
export const OP = {
  /**
   * u32 inst, u32 nr, u32 batches (postMessage batches the worker has received), f64 cpuMs (time of the
   * current run/settle command so far), value args -> u8 status (REPLY) + value | error | PENDING's body
   */
  SYSCALL: 1,
  /** u32 inst, value info (EntryInfo), f64 memBytes */
  LOADED: 2,
  /** u32 inst, error (a TrapError) */
  LOADFAIL: 3,
  /** u32 inst, u32 id, u8 ok, value | error: an activation's handler settled */
  RESULT: 4,
  /** u32 inst, f64 cpuMs, f64 memBytes (-1: not measured): a run or settle command finished, microtasks included */
  DONE: 5,
  /** value: the worker's statistics (syscall round trips) */
  STATS: 6,
  /**
   * u32 inst, f64 cpuMs, f64 memBytes: a DONE carried in front of the message's own op, with no reply of its
   * own (the worker defers a command's DONE while it has the next command to run; any number may precede).
   */
  DONE_BEFORE: 7,
} as const;

/**
 * First byte of every reply (kernel -> worker on the ring). CALLIN is not a reply: the kernel asks the
 * worker, parked in a ring call, to load an image first (u32 inst, str code, f64 memoryBytes, f64 stackBytes,
 * f64 sliceMs), then the worker waits for the real reply. That is how a sandbox's own spawn gets its child
 * loaded on the same executor without waiting for its activation to end (the inline domain nests the same way).
 */
export const REPLY = { OK: 0, ERROR: 1, PENDING: 2, CALLIN: 3 } as const;

/**
 * PENDING's body: u32 token, u8 handedOff; when handedOff is 1, the kernel charged the command's cpuMs so far
 * and ended its activation (the worker restarts its clock for the rest of the command, which its DONE
 * reports), then u32 count and that many commands (commands.ts), to queue after the current one in order.
 */
export const HANDOFF = { NO: 0, YES: 1 } as const;

export type Command =
  | { t: 'load'; inst: number; code: string; limits: InstanceLimits }
  | { t: 'run'; inst: number; id: number; kind: ActivationKind; payload: unknown }
  /** A blocking syscall's completion: `wire` is u8 ok + value | error. */
  | { t: 'settle'; inst: number; token: number; wire: Uint8Array }
  | { t: 'free'; inst: number }
  | { t: 'stats'; reset: boolean };

/** What the worker is started with (workerData). */
export interface WorkerInit {
  ring: SharedArrayBuffer;
  index: number;
}
