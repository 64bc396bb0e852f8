// The scheduler: the step loop on the host loop (ports.defer), the CFS and EDF run queues, wake-ups,
// CPU charging (virtual runtime, deadline budgets, cgroup-style CPU quotas and their throttling) and
// blocking calls. Deterministic: time from ports.clock, turns from ports.defer, timers from ports.timers.

import { AiosError, limits } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { AgentExit } from '../agent/exit.ts';
import type { ExecutionDomain } from '../domain/types.ts';
import type { EventBus } from '../event/bus.ts';
import { KernelPanic } from '../panic.ts';
import type { KernelPorts } from '../ports.ts';
import type { CpuQuota } from '../quota/rate.ts';
import { DeadlineAdmission } from './admission.ts';
import { sleeperCreditMs } from './policy.ts';
import { DEFAULT_SCHED_PARAMS, RunQueue, type SchedParams } from './runqueue.ts';

/** Blank sandboxes a domain keeps ready (prepared when the scheduler is idle). */
const PREWARM_INSTANCES = 4;
/** Longest a batch of scheduler steps may hold one host loop turn, in ms. */
const TURN_BUDGET_MS = 2;

/** What the scheduler needs from the kernel. */
export interface SchedulerDeps {
  readonly ports: KernelPorts;
  readonly events: EventBus;
  readonly domains: ReadonlyMap<string, ExecutionDomain>;
  /** An activation threw: turn it into a trap of the agent. */
  trap(a: Agent, err: unknown): void;
}

export type SchedConfig = Partial<SchedParams> & { policy?: 'cfs' | 'fifo' };

/** The run queues of one CPU: the kernel thread's, or one executor's. */
export interface CpuQueues {
  readonly runq: RunQueue<Agent>;
  readonly dlq: RunQueue<Agent>;
}

/**
 * On a blocking call's promise (block()): an executor registers a function that takes the outcome synchronously
 * in the activation that settles the call, instead of a promise reaction one microtask later (the promise settles
 * as well, for other reactions). That lets the settle command exist as soon as the activation ran (a handoff carries it).
 */
const ignore = (): void => {};

export const SETTLE_SYNC: unique symbol = Symbol('aios.settleSync');
export interface SyncSettleable {
  [SETTLE_SYNC]?: (taker: (ok: boolean, value: unknown) => void) => void;
}

/** What the scheduler asks of the executors (exec/pool.ts), when the node has them. */
export interface ExecutorSlots {
  readonly count: number;
  /** Whether executor i can take an activation now. */
  free(i: number): boolean;
  /** Marks executor i as running an activation of `a` (null: released). */
  setClaim(i: number, a: Agent | null): void;
  claimOf(i: number): Agent | null;
  /** Run and settle commands in flight on executor i. */
  inflightOf(i: number): number;
  /** Run and settle commands in flight, all executors. */
  readonly inflight: number;
}

export class Scheduler {
  readonly runq: RunQueue<Agent>;
  /** Deadline agents within their budget, earliest deadline first; served before the CFS queue. */
  readonly dlq: RunQueue<Agent>;
  /** Admission control of 'deadline' reservations (their summed CPU share stays within the limit). */
  readonly dlAdmission = new DeadlineAdmission(limits.DEADLINE_UTIL_MAX_PPM);
  readonly policy: 'cfs' | 'fifo';
  /** Clock time of the current scheduler step (read once per step; audit records use it). */
  stepTime = 0;
  /** Set by shutdown: no step runs any more. */
  stopped = false;
  private fifoSeq = 0;
  /** Step callbacks queued on the host loop and not yet run. */
  private stepsQueued = 0;
  /** When the current loop turn's first step ran (-1: none yet). */
  private turnStart = -1;
  private current: { agent: Agent; t0: number } | null = null;
  private readonly ports: KernelPorts;
  /** Run queues of each executor (empty when sandboxed agents run on the kernel thread). */
  readonly cpus: CpuQueues[] = [];
  private slots: ExecutorSlots | null = null;
  private readonly params: SchedParams;

  constructor(private readonly deps: SchedulerDeps, config: SchedConfig = {}) {
    this.ports = deps.ports;
    this.policy = config.policy ?? 'cfs';
    this.params = { ...DEFAULT_SCHED_PARAMS, ...config };
    this.runq = new RunQueue<Agent>(this.params, this.policy === 'fifo' ? 'key' : 'vruntime');
    this.dlq = new RunQueue<Agent>(this.params, 'key');
  }

  /** Gives each executor its own CFS and EDF queues; agents placed on executor i are scheduled from them. */
  attachExecutors(slots: ExecutorSlots): void {
    this.slots = slots;
    for (let i = 0; i < slots.count; i++) {
      this.cpus.push({ runq: new RunQueue<Agent>(this.params, this.policy === 'fifo' ? 'key' : 'vruntime'), dlq: new RunQueue<Agent>(this.params, 'key') });
    }
  }

  /** The queues an agent is scheduled from: its executor's, or the kernel thread's. */
  private queuesOf(a: Agent): CpuQueues {
    return a.executor >= 0 ? (this.cpus[a.executor] ?? this) : this;
  }

  /** A new sandbox of `a` was placed on executor i: it starts at that queue's virtual time. */
  placed(a: Agent, i: number): void {
    if (a.executor === i) return;
    this.dequeue(a);
    a.executor = i;
    const q = this.cpus[i];
    if (q !== undefined && a.vruntime < q.runq.minVruntime) a.vruntime = q.runq.minVruntime;
    if (a.pending.length > 0 && a.alive && a.state !== 'suspended' && a.state !== 'running') this.enqueue(a);
  }

  /** An activation of `a` ran cpuMs on executor i (reported by the worker): charged like a kernel-thread activation. */
  chargeExecutor(a: Agent | null, cpuMs: number): void {
    if (a === null) return;
    // an agent that ended in that activation still shows the time in ps (as on the kernel thread)
    if (a.alive) this.chargeCpu(a, Math.max(0, cpuMs));
    else a.cpuMs += Math.max(0, cpuMs);
  }

  /** Executor i has nothing in flight: its claim ends and the next activation may start. */
  executorIdle(i: number): void {
    const a = this.slots?.claimOf(i) ?? null;
    if (a !== null) {
      this.slots!.setClaim(i, null);
      this.settleRun(a);
    }
    // The next activation starts in a scheduler step, never here: this runs inside ring serving, which may be
    // nested in another agent's syscall (a load's wait), where no activation may start.
    this.queueStep();
  }

  /** After an activation: the agent's state, and its place in a queue when more activations wait. */
  private settleRun(a: Agent): void {
    if (a.state === 'running') a.state = a.pending.length > 0 ? 'ready' : 'waiting';
    if (a.pending.length > 0 && a.alive && a.state !== 'suspended' && !this.isQueued(a)) this.enqueue(a);
  }

  /** Time for audit records: the step's clock reading inside an activation, the clock outside one. */
  auditTime(): number {
    return this.current === null ? this.ports.clock.now() : this.stepTime;
  }

  /** Queues an activation for an agent and makes it runnable. */
  wake(a: Agent, activation: () => void): void {
    if (!a.alive) return;
    a.pending.push(activation);
    if (a.state !== 'suspended' && a.state !== 'running') {
      if (!this.isQueued(a)) a.wakeAt = this.ports.clock.monotonic();
      this.enqueue(a);
      if (a.state === 'waiting') a.state = 'ready';
    }
    this.queueStep();
  }

  isQueued(a: Agent): boolean {
    return a.queue != null;
  }

  /** Suspends an agent: it leaves the run queue and none of its activations run until resumed. */
  suspend(a: Agent): void {
    this.dequeue(a);
    a.state = 'suspended';
  }

  /** Back from suspension: runnable again when it has activations waiting. */
  resume(a: Agent): void {
    a.state = a.pending.length > 0 ? 'ready' : 'waiting';
    if (a.pending.length > 0) {
      a.wakeAt = this.ports.clock.monotonic();
      this.enqueue(a);
      this.queueStep();
    }
  }

  /**
   * A blocking syscall's promise: settled by an activation of the caller, so its continuation is scheduled.
   * EAGAIN when the agent already has BLOCKED_CALLS_PER_AGENT_MAX waiting (`bounded` false: settled at once).
   */
  block<T>(a: Agent, bounded = true): { promise: Promise<T>; settle: (ok: boolean, value: unknown) => void } {
    if (bounded && a.blocked >= limits.BLOCKED_CALLS_PER_AGENT_MAX) {
      throw new AiosError('EAGAIN', `at most ${limits.BLOCKED_CALLS_PER_AGENT_MAX} blocking calls may wait at once`, { limit: limits.BLOCKED_CALLS_PER_AGENT_MAX });
    }
    a.blocked++;
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    let done = false;
    // an executor takes the outcome synchronously, inside the activation (see SETTLE_SYNC)
    let taker: ((ok: boolean, value: unknown) => void) | null = null;
    (promise as SyncSettleable)[SETTLE_SYNC] = (fn) => {
      taker = fn;
      // the executor does not await the promise: a rejection is handled all the same
      promise.catch(ignore);
    };
    const settle = (ok: boolean, value: unknown): void => {
      if (done) return;
      done = true;
      a.blocked--;
      this.wake(a, () => {
        taker?.(ok, value);
        // the promise settles too, for the kernel's own reactions to it (a trace span ends with it)
        if (ok) resolve(value as T);
        else reject(value);
      });
    };
    return { promise, settle };
  }

  /**
   * Queues scheduler steps on the host loop. Several are queued at once when
   * several agents are runnable: Node runs a batch of immediates in one loop
   * turn and drains microtasks between them, so each activation still ends
   * with its continuations, and the loop's poll phase is paid once per batch.
   */
  queueStep(): void {
    if (this.stepsQueued > 0 || this.stopped) return;
    let queued = this.runq.length + this.dlq.length;
    for (const c of this.cpus) queued += c.runq.length + c.dlq.length;
    const n = Math.max(1, Math.min(queued, 32));
    this.stepsQueued = n;
    for (let i = 0; i < n; i++) this.ports.defer(this.stepFn);
  }
  private readonly stepFn = (): void => this.step();

  /** Charges the previous activation (measured through the microtasks it caused) to its agent. */
  private chargeCurrent(): void {
    const cur = this.current;
    if (cur === null) return;
    this.current = null;
    this.chargeCpu(cur.agent, Math.max(0, this.ports.clock.monotonic() - cur.t0));
  }

  /**
   * Runs kernel work done for `a` outside its activations (token signing, from a timer) and charges
   * its measured time to `a`. The last activation is charged first, so that time is not counted
   * twice or to someone else.
   */
  chargedWork<T>(a: Agent, fn: () => T): T {
    this.chargeCurrent();
    const t0 = this.ports.clock.monotonic();
    try {
      return fn();
    } finally {
      if (a.alive) this.chargeCpu(a, Math.max(0, this.ports.clock.monotonic() - t0));
    }
  }

  /**
   * Charges CPU time to an agent: its cpuMs, virtual runtime, deadline budget and CPU quota. Activations
   * are charged through this; so is work the kernel does for an agent outside them (token signing).
   */
  chargeCpu(a: Agent, dt: number): void {
    a.cpuMs += dt;
    const queued = this.isQueued(a);
    if (queued) this.dequeue(a);
    RunQueue.charge(a, dt);
    if (a.deadline !== null) a.deadline.used += dt;
    if (a.cpuQuota !== null) this.chargeCpuQuota(a, dt);
    if (queued || (a.pending.length > 0 && a.alive && a.state !== 'suspended')) this.enqueue(a);
  }

  /** One scheduler step: run the activation of the agent with the smallest virtual runtime. */
  private step(): void {
    this.stepsQueued--;
    this.chargeCurrent();
    if (this.stopped) return;
    // One loop turn runs activations for at most TURN_BUDGET_MS, then leaves the rest of
    // the batch as no-ops so timers and I/O get their turn (a timer wakes interactive agents).
    const now = this.ports.clock.monotonic();
    if (this.turnStart < 0) this.turnStart = now;
    else if (now - this.turnStart > TURN_BUDGET_MS) {
      if (this.stepsQueued === 0) {
        this.turnStart = -1;
        this.queueStep();
      }
      return;
    }
    const started = this.slots !== null && this.startExecutors();
    const a = this.dlq.pop() ?? this.runq.pop();
    if (a === undefined) {
      if (started) {
        if (this.stepsQueued === 0) this.turnStart = -1;
        return;
      }
      if (this.slots !== null && this.slots.inflight > 0) {
        // executors are busy: their DONE reports queue the next step
        if (this.stepsQueued === 0) this.turnStart = -1;
        return;
      }
      this.turnStart = -1;
      // Idle: let domains prepare instances so the next spawn is quick, a piece at a time for at most one turn
      // budget (plus one piece), then again on the next idle step: an agent that wakes meanwhile waits for that
      // much, not for the whole pool.
      // Only the batch's last step does it, so leftover steps of one batch never add up several budgets.
      if (this.stepsQueued > 0) return;
      const start = this.ports.clock.monotonic();
      let more: boolean;
      do {
        more = false;
        for (const d of this.deps.domains.values()) {
          if (d.prewarmStep !== undefined) more = d.prewarmStep(PREWARM_INSTANCES) || more;
          else d.prewarm?.(PREWARM_INSTANCES); // a domain without pieces does it all at once
        }
      } while (more && this.ports.clock.monotonic() - start < TURN_BUDGET_MS);
      if (more) this.queueStep();
      return;
    }
    // Queued before a shared (ancestor's) CPU quota ran out: it waits for the period's end.
    if (this.parkIfThrottled(a)) {
      this.queueStep();
      return;
    }
    const waited = this.ports.clock.monotonic() - a.wakeAt;
    if (waited > a.maxWakeLatencyMs) a.maxWakeLatencyMs = waited;
    const activation = a.pending.shift();
    if (activation === undefined || !a.alive) {
      this.queueStep();
      return;
    }
    a.state = 'running';
    a.activations++;
    this.stepTime = this.ports.clock.now();
    if (this.stepsQueued === 0) this.turnStart = -1;
    this.current = { agent: a, t0: this.ports.clock.monotonic() };
    this.runActivation(a, activation);
    // The state is settled now; the CPU time (with the microtasks that follow) is charged at the next step.
    if (a.state === 'running') a.state = a.pending.length > 0 ? 'ready' : 'waiting';
    this.queueStep();
  }

  /** Runs one activation: an exit ends it quietly, a kernel panic goes on up, any other throw traps the agent. */
  private runActivation(a: Agent, activation: () => void): void {
    try {
      activation();
    } catch (e) {
      if (!(e instanceof AgentExit)) {
        if (e instanceof KernelPanic) throw e;
        if (a.alive) this.deps.trap(a, e);
      }
    }
  }

  /**
   * Starts one activation on each free executor, from its own queues (EDF first, then CFS). Returns
   * whether any started. The activation posts to the worker; the worker's time is charged when it
   * reports, and the executor stays claimed until then (at most one activation in flight per executor).
   */
  private startExecutors(): boolean {
    let started = false;
    for (let i = 0; i < this.slots!.count; i++) if (this.startExecutor(i)) started = true;
    return started;
  }

  /**
   * Starts the next activation of executor i's queues when the executor is free; true when one started. A
   * handoff starts it while the previous command is still finishing on the worker (it runs after it there).
   */
  private startExecutor(i: number, handoff = false): boolean {
    const slots = this.slots!;
    // an activation that posted nothing (its agent died meanwhile) leaves the claim: release it now
    const held = slots.claimOf(i);
    if (held !== null && slots.inflightOf(i) === 0) {
      slots.setClaim(i, null);
      this.settleRun(held);
    }
    if (handoff ? slots.claimOf(i) !== null : !slots.free(i)) return false;
    const q = this.cpus[i]!;
    for (;;) {
      const a = q.dlq.pop() ?? q.runq.pop();
      if (a === undefined) return false;
      if (this.parkIfThrottled(a)) continue;
      const activation = a.pending.shift();
      if (activation === undefined || !a.alive) continue;
      const waited = this.ports.clock.monotonic() - a.wakeAt;
      if (waited > a.maxWakeLatencyMs) a.maxWakeLatencyMs = waited;
      a.state = 'running';
      a.activations++;
      this.stepTime = this.ports.clock.now();
      slots.setClaim(i, a);
      this.runActivation(a, activation);
      return true;
    }
  }

  /**
   * A handoff on executor i: `a`, whose activation runs there, blocked in a syscall. Its activation ends now
   * (charged cpuMs so far; the rest of its command is charged when the worker reports it) and the executor's
   * next activation starts at once, from its queues by the usual rules: `a` itself when it is runnable again
   * and comes first (a SchedYield alone in its queue continues without leaving the worker). The caller serves
   * the ring at the top level (no activation in progress on the kernel thread). False: not `a`'s activation.
   */
  handoff(i: number, a: Agent, cpuMs: number): boolean {
    const slots = this.slots;
    if (slots === null || this.stopped || slots.claimOf(i) !== a) return false;
    this.chargeExecutor(a, cpuMs);
    slots.setClaim(i, null);
    this.settleRun(a);
    this.startExecutor(i, true);
    return true;
  }

  /** Runs until no activation is queued and no executor has work in flight (tests); resolves when the scheduler is idle. */
  async idle(): Promise<void> {
    for (let i = 0; i < 1_000_000; i++) {
      await new Promise<void>((r) => this.ports.defer(r));
      if (this.stepsQueued === 0 && this.runq.length === 0 && this.dlq.length === 0 && this.cpusIdle()) return;
    }
  }

  private cpusIdle(): boolean {
    if (this.slots === null) return true;
    if (this.slots.inflight > 0) return false;
    for (const c of this.cpus) if (c.runq.length + c.dlq.length > 0) return false;
    return true;
  }

  /**
   * CPU quota (cgroup cpu.max style), charged to the agent's quota and every ancestor's: past
   * limitMs within a period, no agent below that quota is scheduled until the period ends; a
   * timer then puts the parked ones back.
   */
  private chargeCpuQuota(a: Agent, dt: number): void {
    const now = this.ports.clock.monotonic();
    for (const q of a.cpuQuota!.charge(now, dt)) {
      this.deps.events.publish(`agent.${a.id}.cpu-throttled`, this.ports.clock.now(), { id: a.id, usedMs: q.used, limitMs: q.limitMs });
      this.ports.timers.setTimer(Math.max(0, q.throttledUntil - now), () => this.unthrottle(q));
    }
  }

  /** A throttled CPU quota's period ended: its parked agents with work are queued again. */
  private unthrottle(q: CpuQuota): void {
    q.throttledUntil = 0;
    const parked = [...q.parked] as Agent[];
    q.parked.clear();
    for (const p of parked) {
      if (!p.alive || p.state === 'suspended' || p.pending.length === 0) continue;
      this.enqueue(p);
    }
    this.queueStep();
  }

  /** Whether a CPU quota of the agent's chain is throttled now; if so the agent is parked on it. */
  private parkIfThrottled(a: Agent): boolean {
    if (a.cpuQuota === null) return false;
    const q = a.cpuQuota.throttledAt(this.ports.clock.monotonic());
    if (q === null) return false;
    q.parked.add(a);
    return true;
  }

  /**
   * Places a runnable agent on its CPU's queues (the kernel thread's, or its executor's): EDF queue while
   * a deadline agent has budget, else CFS (or FIFO) by its hints.
   */
  enqueue(a: Agent): void {
    if (this.isQueued(a)) return;
    if (this.parkIfThrottled(a)) return;
    const q = this.queuesOf(a);
    if (this.policy === 'fifo') {
      a.key = ++this.fifoSeq;
      q.runq.enqueue(a);
      return;
    }
    const now = this.ports.clock.monotonic();
    if (a.deadline !== null && a.deadline.refresh(now)) {
      a.key = now + a.deadline.periodMs;
      q.dlq.enqueue(a);
      return;
    }
    q.runq.enqueue(a, sleeperCreditMs(a.hints, q.runq.params.targetLatencyMs));
  }

  /** Takes an agent off its run queue (no-op when it is on none). */
  dequeue(a: Agent): void {
    if (a.queue != null) (a.queue as RunQueue<Agent>).remove(a);
  }
}
