// Per-agent rate limit of audit volume. Each agent may add `perWindow` records per window of
// the kernel clock; past it, its records are counted by "<syscall>:<result>" instead of written,
// and one summary record per window says what was coalesced. Trusts the caller for time.
//
// Contract: admit() is the only question asked on the syscall path; a summary is emitted (through
// `emit`) at the first audit activity after the window of the dropping agent ends, or when the
// agent exits (forget()), so evidence of a storm is always written, just not record by record.

import { limits } from '@aios/abi';

export interface CoalescedSummary {
  agent: number;
  /** Records not written, in all. */
  dropped: number;
  /** Per "<syscall>:<result>", e.g. "IPCSend:EPERM". */
  bySyscall: Record<string, number>;
  /** Kernel time of the first and last coalesced record. */
  from: number;
  to: number;
}

interface AgentWindow {
  start: number;
  written: number;
  dropped: number;
  /** Coalesced records by syscall, then result (no key string made per record). */
  by: Map<string, Map<string, number>>;
  from: number;
  to: number;
}

export class AuditRateLimiter {
  private readonly windows = new Map<number, AgentWindow>();
  /** Agents with coalesced records not yet summarised. */
  private readonly owing = new Set<number>();
  /** While agents owe: the earliest end of their windows, and the earliest start (a clock that went back flushes too). */
  private dueAt = Infinity;
  private minStart = Infinity;

  constructor(
    private readonly emit: (s: CoalescedSummary) => void,
    readonly perWindow = limits.AUDIT_RECORDS_PER_AGENT_WINDOW,
    readonly windowMs = limits.AUDIT_RATE_WINDOW_MS,
  ) {}

  /** True when the record may be written; false when it was counted (under "<syscall>:<result>") instead. Allocates nothing when admitting. */
  admit(agent: number, time: number, syscall: string, result: string): boolean {
    if (this.owing.size > 0 && (time >= this.dueAt || time < this.minStart)) this.flushDue(time);
    let w = this.windows.get(agent);
    if (w === undefined) {
      w = { start: time, written: 0, dropped: 0, by: new Map(), from: 0, to: 0 };
      this.windows.set(agent, w);
    } else if (time - w.start >= this.windowMs || time < w.start) {
      // (a clock that went backwards starts a new window too)
      if (w.dropped > 0) this.summarise(agent, w);
      w.start = time;
      w.written = 0;
    }
    if (w.written < this.perWindow) {
      w.written++;
      return true;
    }
    if (w.dropped === 0) w.from = time;
    w.dropped++;
    w.to = time;
    let bySyscall = w.by.get(syscall);
    if (bySyscall === undefined) w.by.set(syscall, (bySyscall = new Map()));
    bySyscall.set(result, (bySyscall.get(result) ?? 0) + 1);
    if (!this.owing.has(agent)) {
      this.owing.add(agent);
      if (w.start + this.windowMs < this.dueAt) this.dueAt = w.start + this.windowMs;
      if (w.start < this.minStart) this.minStart = w.start;
    }
    return false;
  }

  /** Summarises every agent whose window has ended with records coalesced. */
  flushDue(time: number): void {
    for (const agent of this.owing) {
      const w = this.windows.get(agent)!;
      if (time - w.start >= this.windowMs || time < w.start) this.summarise(agent, w);
    }
  }

  /** Recomputes dueAt and minStart over the agents that owe (after one stopped owing). */
  private reindex(): void {
    this.dueAt = this.minStart = Infinity;
    for (const agent of this.owing) {
      const w = this.windows.get(agent)!;
      if (w.start + this.windowMs < this.dueAt) this.dueAt = w.start + this.windowMs;
      if (w.start < this.minStart) this.minStart = w.start;
    }
  }

  /** The agent is gone: summarise what it still owes and forget its window. */
  forget(agent: number): void {
    const w = this.windows.get(agent);
    if (w !== undefined && w.dropped > 0) this.summarise(agent, w);
    this.windows.delete(agent);
  }

  private summarise(agent: number, w: AgentWindow): void {
    const bySyscall: Record<string, number> = {};
    for (const [syscall, results] of w.by) for (const [result, n] of results) bySyscall[`${syscall}:${result}`] = n;
    const s: CoalescedSummary = { agent, dropped: w.dropped, bySyscall, from: w.from, to: w.to };
    w.dropped = 0;
    w.by = new Map();
    this.owing.delete(agent);
    this.reindex();
    this.emit(s);
  }
}
