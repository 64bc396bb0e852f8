// Rate quotas, hierarchical like quota.ts: a child's CPU and IPC rate quotas are carved
// from its parent's and shared with it. Each charge is made to the agent's bucket and to
// every ancestor's, so a subtree never gets more CPU or IPC throughput than its root's quota.

import { AiosError } from '@aios/abi';

/**
 * CPU quota (cgroup cpu.max style): limitMs of CPU per periodMs. A quota whose period is
 * used up is throttled until the period ends: none of the agents below it is scheduled.
 */
export class CpuQuota {
  used = 0;
  periodStart = 0;
  throttledUntil = 0;
  /** Agents left out of the run queue while this quota was throttled; queued again when it ends. */
  readonly parked = new Set<{ readonly id: number }>();
  constructor(readonly limitMs: number, readonly periodMs: number, readonly parent: CpuQuota | null) {}

  /** Charges dt ms at `now` to this quota and each ancestor; returns the quotas that became throttled. */
  charge(now: number, dt: number): CpuQuota[] {
    const out: CpuQuota[] = [];
    for (let q: CpuQuota | null = this; q !== null; q = q.parent) {
      if (now - q.periodStart >= q.periodMs) {
        q.periodStart = now;
        q.used = 0;
      }
      q.used += dt;
      if (q.used >= q.limitMs && q.throttledUntil <= now) {
        q.throttledUntil = q.periodStart + q.periodMs;
        out.push(q);
      }
    }
    return out;
  }

  /** The quota of this chain that keeps the agent off the CPU at `now`, or null. */
  throttledAt(now: number): CpuQuota | null {
    for (let q: CpuQuota | null = this; q !== null; q = q.parent) if (q.throttledUntil > now) return q;
    return null;
  }

  /** This quota's share of one CPU, in parts per million. */
  get sharePpm(): number {
    return Math.floor((this.limitMs * 1_000_000) / this.periodMs);
  }
}

/** IPC rate quota: token buckets of messages and bytes per second, one second of burst. */
export class IpcRate {
  msgTokens: number;
  byteTokens: number;
  constructor(readonly msgs: number, readonly bytes: number, public last: number, readonly parent: IpcRate | null) {
    this.msgTokens = msgs;
    this.byteTokens = bytes;
  }

  /** Takes one message of n bytes from this bucket and each ancestor's, or throws EQUOTA and takes nothing. */
  take(now: number, n: number): void {
    for (let r: IpcRate | null = this; r !== null; r = r.parent) {
      const dt = Math.max(0, now - r.last) / 1000;
      r.last = now;
      r.msgTokens = Math.min(r.msgs, r.msgTokens + dt * r.msgs);
      r.byteTokens = Math.min(r.bytes, r.byteTokens + dt * r.bytes);
      if (r.msgTokens < 1) throw new AiosError('EQUOTA', 'IPC message rate quota exceeded', { resource: 'ipcMsgsPerSec', limit: r.msgs, used: r.msgs - Math.floor(r.msgTokens) });
      if (r.byteTokens < n) throw new AiosError('EQUOTA', 'IPC byte rate quota exceeded', { resource: 'ipcBytesPerSec', limit: r.bytes, used: Math.round(r.bytes - r.byteTokens) });
    }
    for (let r: IpcRate | null = this; r !== null; r = r.parent) {
      r.msgTokens -= 1;
      r.byteTokens -= n;
    }
  }
}
