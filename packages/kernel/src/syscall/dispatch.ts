// The syscall dispatcher: one table, unknown numbers refused in one place, quarantine enforced,
// every mutation and every denial audited (with the label the handler left in the audit slot),
// bad-call storms turned into traps. Trusts the handlers to check their own arguments.

import { AiosError, SYSCALL_BY_NAME, SYSCALL_BY_NR, isAiosError, type TraceSpan, type TracerPort } from '@aios/abi';
import type { SyscallCounters } from '../obs/counters.ts';
import { TRACED_NR, endSyscallSpan, genAiRequest, syscallSpan } from '../obs/trace.ts';
import type { Agent } from '../objects/agent.ts';
import { AgentExit } from '../agent/exit.ts';
import type { AuditLog } from '../audit/log.ts';
import type { AuditRateLimiter } from '../audit/rate.ts';
import type { Judge } from '../behavior/judge.ts';
import { TrapError } from '../domain/types.ts';
import type { EventBus } from '../event/bus.ts';
import type { ClockPort } from '../ports.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { HANDLERS } from './table.ts';

const SPAWN_NR = SYSCALL_BY_NAME.get('AgentSpawn')!.nr;
/** Harmless calls a quarantined agent may still make (it logs, reads the clock, learns who it is). */
const QUARANTINE_ALLOWED = new Set(['Log', 'ClockNow', 'SelfHandle', 'SelfInfo', 'Exit']);
/** Error codes audited on every syscall, mutating or not (a refusal is a security decision). */
const REFUSALS: ReadonlySet<string> = new Set(['EPERM', 'EACCES', 'EBADF', 'EFAULT']);
/** Bad syscalls (of these codes) tolerated per window before the agent traps with 'syscall-storm'. */
const STORM_CODES = new Set(['EBADF', 'EINVAL', 'EFAULT', 'EPERM', 'EACCES', 'ENOSYS']);
const STORM_LIMIT = 10_000;
const STORM_WINDOW_MS = 1_000;

/** What the dispatcher needs besides the handlers' context. */
export interface DispatchDeps {
  readonly clock: ClockPort;
  readonly audit: AuditLog;
  readonly auditRate: AuditRateLimiter;
  readonly events: EventBus;
  readonly root: Agent;
  /** The behaviour judge (observed only while its thresholds are set). */
  readonly judge: Judge;
  /** Time for audit records of the current step (the scheduler). */
  readonly time: { auditTime(): number };
  trap(a: Agent, err: unknown): void;
  /** Syscall outcomes by call and result (for /metrics). */
  readonly counts: SyscallCounters;
  /** Tracing: the port (null: off, no work) and the span of the traced syscall running now, which sent messages carry. */
  readonly trace: { readonly tracer: TracerPort | null; sendSpan: TraceSpan | null };
}

export class Dispatcher {
  /** Interned audit names of each syscall and of 'ok', so the syscall path does not hash strings. */
  private readonly auditNameIds: number[];
  private readonly auditOkId: number;
  /** The audit slot of the call in progress (reset per call; a nested call reuses it, as its record is written first). */
  private readonly slot: AuditSlot = { label: null };
  private readonly clock: ClockPort;
  private readonly audit: AuditLog;
  private readonly auditRate: AuditRateLimiter;
  private readonly events: EventBus;
  private readonly root: Agent;
  private readonly judge: Judge | null;
  private readonly time: { auditTime(): number };

  constructor(private readonly ctx: SyscallContext, private readonly deps: DispatchDeps) {
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.auditRate = deps.auditRate;
    this.events = deps.events;
    this.root = deps.root;
    this.judge = deps.judge.thresholds === null ? null : deps.judge;
    this.time = deps.time;
    this.auditNameIds = SYSCALL_BY_NR.map((r) => (r ? this.audit.intern(r.name) : 0));
    this.auditOkId = this.audit.intern('ok');
  }

  /** Runs syscall `nr` for `a`: ENOSYS for an unknown number, EINVAL for non-array args, EACCES while quarantined. */
  syscall(a: Agent, nr: number, args: unknown[]): unknown {
    if (!a.alive) throw new AgentExit(a.id);
    const handler = HANDLERS[nr];
    const row = SYSCALL_BY_NR[nr];
    if (handler === undefined || row === undefined) {
      this.audit.append(this.clock.now(), a.id, `nr:${String(nr)}`, null, 'ENOSYS');
      throw new AiosError('ENOSYS', `no syscall number ${String(nr)}`, { nr });
    }
    if (!Array.isArray(args)) throw new AiosError('EINVAL', `${row.name}: arguments must be an array`);
    const au = this.slot;
    au.label = null;
    // A quarantined agent's calls are refused, but blocking ones are let through: their
    // continuations are activations, which do not run until the agent is released.
    if (a.quarantined && row.kind !== 'blocking' && !QUARANTINE_ALLOWED.has(row.name)) {
      throw new AiosError('EACCES', `agent ${a.id} is quarantined (release it with \`aios release ${a.id}\`)`, { agent: a.id, quarantined: true, policyIds: ['behavior'] });
    }
    const tr = this.deps.trace;
    const span = tr.tracer !== null && TRACED_NR[nr] === true ? syscallSpan(tr.tracer, a, row.name) : null;
    try {
      if (span !== null) {
        tr.sendSpan = span;
        if (row.name === 'LlmComplete') genAiRequest(span, args);
      }
      const r = handler(this.ctx, a, args, au);
      this.deps.counts.okAt(nr);
      if (span !== null) {
        tr.sendSpan = null;
        endSyscallSpan(span, row.name, r);
      }
      if (this.judge !== null) this.judge.observe(a, false, nr === SPAWN_NR);
      if (row.mutates) {
        const t = this.time.auditTime();
        if (a === this.root || this.auditRate.admit(a.id, t, row.name, 'ok')) this.audit.appendIds(t, a.id, this.auditNameIds[nr]!, au.label, this.auditOkId);
      }
      return r;
    } catch (e) {
      if (span !== null) {
        tr.sendSpan = null;
        span.end(isAiosError(e) ? e.code : 'EFAULT');
      }
      if (isAiosError(e)) {
        this.deps.counts.fail(row.name, e.code);
        // Refusals are security decisions even on read-only calls: denials, forged or stale handles, faults, and
        // probing the namespace for names the agent was not given (rate-limited per agent like the rest).
        if (row.mutates || REFUSALS.has(e.code) || (e.code === 'ENOENT' && row.name === 'NsLookup')) {
          const t = this.clock.now();
          if (a === this.root || this.auditRate.admit(a.id, t, row.name, e.code)) this.audit.append(t, a.id, row.name, au.label, e.code, e.detail);
        }
        if (e.code === 'EPERM' || e.code === 'EACCES') {
          this.events.publish(`security.denied`, this.clock.now(), { agent: a.id, syscall: row.name, code: e.code });
        }
        if (STORM_CODES.has(e.code)) this.countBadSyscall(a);
        if (this.judge !== null) this.judge.observe(a, e.code === 'EPERM' || e.code === 'EACCES', false);
      }
      throw e;
    }
  }

  /**
   * A storm of bad syscalls (bad handles, arguments, faults, denials: more than
   * STORM_LIMIT in STORM_WINDOW_MS) is a fault of the agent: it becomes a trap.
   */
  private countBadSyscall(a: Agent): void {
    const now = this.clock.monotonic();
    if (now - a.badWindowStart > STORM_WINDOW_MS) {
      a.badWindowStart = now;
      a.badSyscalls = 0;
    }
    if (++a.badSyscalls > STORM_LIMIT && a !== this.root) {
      const err = new TrapError('syscall-storm', `more than ${STORM_LIMIT} bad syscalls within ${STORM_WINDOW_MS} ms`);
      queueMicrotask(() => {
        if (a.alive) this.deps.trap(a, err);
      });
      a.badSyscalls = -Infinity;
    }
  }
}
