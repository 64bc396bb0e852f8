// Syscall counters: how many calls of each syscall ended how (at dispatch). Always on and cheap: a typed
// array slot per syscall number for successes, a small map for failures. Exporters (Prometheus at the
// node) read a snapshot; the kernel never formats or sends anything.

import { SYSCALL_BY_NR } from '@aios/abi';

/** One row of a snapshot: the syscall, 'ok' or the AiosError code, and the count. */
export interface SyscallCount {
  call: string;
  result: string;
  count: number;
}

export class SyscallCounters {
  private readonly ok: Float64Array;
  private readonly failed = new Map<string, number>();

  constructor(maxNr: number) {
    this.ok = new Float64Array(maxNr + 1);
  }

  /** A syscall returned (or, for a blocking one, was admitted and blocked). */
  okAt(nr: number): void {
    this.ok[nr]!++;
  }

  /** A syscall failed at dispatch with an error code. */
  fail(call: string, code: string): void {
    const key = `${call}\u0000${code}`;
    this.failed.set(key, (this.failed.get(key) ?? 0) + 1);
  }

  /** Every non-zero count, successes first (syscall number order), then failures. */
  snapshot(): SyscallCount[] {
    const out: SyscallCount[] = [];
    this.ok.forEach((n, nr) => {
      const row = SYSCALL_BY_NR[nr];
      if (n > 0 && row !== undefined) out.push({ call: row.name, result: 'ok', count: n });
    });
    for (const [key, count] of this.failed) {
      const [call, result] = key.split('\u0000') as [string, string];
      out.push({ call, result, count });
    }
    return out;
  }
}
