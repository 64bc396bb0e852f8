// The executor pool: N executors (worker threads running sandboxed agents), the serving of their rings
// on the kernel thread (a bounded spin while requests keep coming, Atomics.waitAsync when quiet),
// placement of new sandboxes, fault handling (trap the owners, start a fresh executor in the slot),
// and the ExecutorDomain: the 'wasm' domain as the rest of the kernel sees it, proxied to the workers.

import { availableParallelism } from 'node:os';
import { AiosError, limits } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { TrapError, type AgentInstance, type ExecutionDomain, type Gate, type InstanceLimits, type InstanceOwner } from '../domain/types.ts';
import { Executor, type ExecutorEvents } from './executor.ts';
import { Balancer } from './balance.ts';
import type { ExecutorSlots } from '../sched/scheduler.ts';

/** What the pool needs from the kernel (the scheduler, mostly). */
export interface PoolDeps {
  monotonic(): number;
  /** Runs fn on a later host loop turn (the kernel's ports.defer). */
  defer(fn: () => void): void;
  /** Runs fn after ms (the kernel's ports.timers). */
  setTimer(ms: number, fn: () => void): unknown;
  /** A new sandbox of `a` lives on executor `ex` now. */
  placed(a: Agent, ex: number): void;
  /** An activation of `a` ran `cpuMs` on executor `ex` (null: its sandbox is gone). */
  charged(a: Agent | null, ex: number, cpuMs: number): void;
  /** Executor `ex` has nothing in flight any more: it can take the next activation. */
  executorIdle(ex: number): void;
  /** `a`'s activation on executor `ex` blocked: end it (charging cpuMs) and start the executor's next (the scheduler's handoff). */
  handoff(a: Agent, ex: number, cpuMs: number): boolean;
  /** The executor running `a` failed: trap it. */
  trap(a: Agent, err: TrapError): void;
  /** A line for the node's log (faults). */
  log(line: string): void;
  /** Work went in flight on an idle executor (the kernel arms its watchdog). */
  busy(): void;
  /** Moves an agent's sandbox to executor `index` (the kernel's migrateToExecutor): the balancer's one action. */
  migrate(a: Agent, index: number): Promise<void>;
}

/** Period of the fallback poll of the rings while executors have work in flight (ms). */
const POLL_MS = 1;
/**
 * A wake that comes within this long (ms) of the last request served finds a syscall-heavy agent: the pump spins for
 * its next request even when every core runs an executor (a wake costs 20-90 us there; 2 executors exchanging
 * messages went 17 k/s -> see bench/boundary.ts --executors). CPU-bound agents (a request every slice) never do.
 */
const SPIN_DENSE_MS = 0.25;

export class ExecutorPool implements ExecutorEvents, ExecutorSlots {
  readonly executors: Executor[] = [];
  readonly domain: ExecutionDomain;
  private pumping = false;
  /** Clock (monotonic ms) when the pump last served a request. */
  private lastServed = -Infinity;
  /** Set when an executor went idle while the rings were served: the pump returns so the scheduler's step can run. */
  private stepWaits = false;
  /** The fallback poll timer while work is in flight (null: none). */
  private pollTimer: unknown = null;
  private nextInstance = 1;
  private closed = false;
  /** Executors replaced after a fault, for ps/top and tests. */
  faults = 0;
  /** Activations ended by a handoff (a blocking call answered together with the executor's next command), for benches and tests. */
  handoffs = 0;
  /** While set, the next sandbox made for this agent goes to this executor (a migration's target). */
  private target: { owner: Agent; index: number } | null = null;
  /** Moves movable agents from the busiest executor to the idlest while work is in flight. */
  readonly balancer: Balancer;
  private balanceTimer: unknown = null;
  /** The executor each sandbox made by the domain lives on. */
  private readonly hosts = new WeakMap<AgentInstance, number>();
  /** The machine's cores (the spin rule above needs it). */
  private readonly cores = availableParallelism();

  constructor(readonly count: number, private readonly deps: PoolDeps) {
    if (!Number.isInteger(count) || count < 1 || count > limits.EXECUTORS_MAX) {
      throw new AiosError('EINVAL', `executors must be an integer from 1 to ${limits.EXECUTORS_MAX}`, { arg: 'executors', max: limits.EXECUTORS_MAX });
    }
    for (let i = 0; i < count; i++) this.executors.push(this.start(i));
    this.domain = this.makeDomain();
    this.balancer = new Balancer({
      count,
      owners: (i) => this.owners(i),
      monotonic: () => deps.monotonic(),
      migrate: (a, i) => deps.migrate(a, i),
    });
  }

  private start(i: number): Executor {
    return new Executor(i, this, () => this.nextInstance++);
  }

  monotonic(): number {
    return this.deps.monotonic();
  }

  /** Whether executor i may take an activation now (nothing in flight, not claimed, alive). */
  free(i: number): boolean {
    const ex = this.executors[i]!;
    return !ex.dead && ex.inflight === 0 && ex.claim === null;
  }

  setClaim(i: number, a: Agent | null): void {
    this.executors[i]!.claim = a;
  }

  claimOf(i: number): Agent | null {
    return this.executors[i]!.claim;
  }

  inflightOf(i: number): number {
    return this.executors[i]!.inflight;
  }

  /** Run and settle commands in flight on all executors. */
  get inflight(): number {
    let n = 0;
    for (const ex of this.executors) n += ex.inflight;
    return n;
  }

  // ---- ExecutorEvents -------------------------------------------------------------------------

  done(ex: Executor, owner: Agent | null, cpuMs: number): void {
    this.deps.charged(owner, ex.index, cpuMs);
    if (ex.inflight === 0) {
      this.deps.executorIdle(ex.index);
      // that executor waits for its next activation, which a scheduler step starts: stop spinning
      this.stepWaits = true;
    }
  }

  fault(ex: Executor, owners: Agent[], reason: string): void {
    if (this.closed) return;
    this.faults++;
    this.deps.log(`executor fault: ${reason}; ${owners.length} agent(s) trapped, executor ${ex.index} replaced`);
    const err = (): TrapError => new TrapError('fault', reason);
    const claim = ex.claim;
    ex.claim = null;
    const fresh = this.start(ex.index);
    this.executors[ex.index] = fresh;
    for (const a of owners) if (a.alive) this.deps.trap(a, err());
    if (claim !== null && claim.alive) this.deps.trap(claim, err());
    this.deps.executorIdle(ex.index);
  }

  /** Only while the pump serves the rings at the top level: then no activation is in progress on the kernel thread. */
  handoff(ex: Executor, owner: Agent, cpuMs: number): boolean {
    if (!this.pumping || Executor.depth !== 1 || this.closed) return false;
    const done = this.deps.handoff(owner, ex.index, cpuMs);
    if (done) this.handoffs++;
    return done;
  }

  busy(): void {
    this.deps.busy();
    this.ensurePoll();
    this.ensureBalance();
  }

  /** While work is in flight on a node with two executors or more, the balancer looks every EXEC_BALANCE_MS. */
  private ensureBalance(): void {
    if (this.balanceTimer !== null || this.closed || this.count < 2) return;
    this.balanceTimer = this.deps.setTimer(limits.EXEC_BALANCE_MS, () => {
      this.balanceTimer = null;
      if (this.closed) return;
      this.balancer.tick();
      if (this.inflight > 0) this.ensureBalance();
    });
  }

  /** While work is in flight, the rings are also polled every POLL_MS: a missed Atomics wake costs at most that. */
  private ensurePoll(): void {
    if (this.pollTimer !== null || this.closed || this.inflight === 0) return;
    this.pollTimer = this.deps.setTimer(POLL_MS, () => {
      this.pollTimer = null;
      this.pump();
    });
  }

  /** A ring was written while nobody spun: serve. */
  wake(): void {
    this.pump();
  }

  /**
   * Serves the rings on the kernel thread. Keeps spinning while requests keep coming (at most
   * EXEC_KERNEL_SPIN_US after the last one), yields to the host loop after EXEC_KERNEL_SPIN_TURN_MS and
   * comes back on the next turn; when quiet, every ring is armed with Atomics.waitAsync.
   */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    const spinMs = limits.EXEC_KERNEL_SPIN_US / 1000;
    const t0 = this.deps.monotonic();
    // requests that come close together (a syscall-heavy agent) are worth spinning for even when every core runs an executor
    const dense = t0 - this.lastServed < SPIN_DENSE_MS;
    // spinning starts only once a request was served (a wake or poll that finds nothing returns at once)
    let last = -Infinity;
    let yielded = false;
    this.stepWaits = false;
    try {
      for (;;) {
        let any = false;
        for (const ex of this.executors) while (ex.serveOne()) any = true;
        // an idle executor's next activation starts in a step on the host loop: spinning on would delay it
        if (this.stepWaits) break;
        const t = this.deps.monotonic();
        if (any) last = this.lastServed = t;
        else if (t - last > spinMs || this.inflight === 0 || !(dense || this.spinPays())) break;
        if (t - t0 > limits.EXEC_KERNEL_SPIN_TURN_MS) {
          yielded = true;
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
    if (yielded) this.deps.defer(() => this.pump());
    for (const ex of this.executors) ex.arm();
    this.ensurePoll();
  }

  /**
   * Whether spinning on the kernel thread can pay: while a core is left over after the executors that are
   * running work (or, see SPIN_DENSE_MS, while requests come close together). When every core runs an executor, a spinning kernel thread takes the core a worker
   * needs to get to its next ring message (measured: a yield round trip grew from ~100 us to ~300 us).
   */
  private spinPays(): boolean {
    let running = 0;
    for (const ex of this.executors) if (!ex.dead && ex.inflight > 0) running++;
    return running < this.cores;
  }

  /** The watchdog: an executor with work in flight and no message for longer than allowed is hung. */
  watchdog(sliceMs: number): void {
    const now = this.deps.monotonic();
    for (const ex of this.executors) {
      if (!ex.dead && ex.inflight > 0 && now - ex.lastSign > sliceMs + limits.EXEC_WATCHDOG_MS) ex.fail(`executor ${ex.index} hung (no progress for ${Math.round(now - ex.lastSign)} ms)`);
    }
  }

  /** Ends an executor's worker abruptly, as a crash would (operators, tests): its agents trap with 'fault'. */
  kill(i: number): void {
    const ex = this.executors[i];
    if (ex === undefined) throw new AiosError('EINVAL', `no executor ${i}`, { arg: 'executor' });
    ex.kill();
  }

  /** Resolves once every executor's worker has started and answered (a booted node; benches start their clocks after it). */
  async ready(): Promise<void> {
    await this.stats();
  }

  /** Syscall round-trip statistics of each executor's worker (bench). */
  stats(reset = false): Promise<unknown[]> {
    const p = Promise.all(this.executors.map((ex) => ex.stats(reset)));
    this.pump();
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.executors.map((ex) => ex.close()));
  }

  // ---- placement and the domain -------------------------------------------------------------------

  /** Where a new sandbox of `owner` goes: where it already is (upgrade), its affinity, else the executor with the least summed weight. */
  private place(owner: Agent): Executor {
    const n = this.executors.length;
    if (this.target !== null && this.target.owner === owner) return this.executors[this.target.index]!;
    if (owner.executor >= 0 && owner.executor < n && !this.executors[owner.executor]!.dead) return this.executors[owner.executor]!;
    if (owner.affinity !== null) return this.executors[((owner.affinity % n) + n) % n]!;
    // the least summed weight; among equals, one that can load at once (idle, or parked in the spawner's syscall)
    const score = (ex: Executor): number => ex.load + (ex.loadWaits ? 0.5 : 0);
    let best = this.executors[0]!;
    for (const ex of this.executors) if (score(ex) < score(best)) best = ex;
    return best;
  }

  /**
   * Makes a sandbox for `owner` on executor `index` (a migration), through the domain's own instantiate:
   * `make` is the kernel's instantiate of the agent's image, run while the target is set.
   */
  instantiateOn<T>(owner: Agent, index: number, make: () => T): T {
    const ex = this.executors[index];
    if (ex === undefined || ex.dead) throw new AiosError('EINVAL', `no executor ${index}`, { arg: 'executor', max: this.executors.length - 1 });
    this.target = { owner, index };
    try {
      return make();
    } finally {
      this.target = null;
    }
  }

  /** The executor that hosts a sandbox made by this pool's domain (-1: none of ours). */
  hostOf(inst: AgentInstance): number {
    return this.hosts.get(inst) ?? -1;
  }

  /** The live agents whose sandboxes executor i hosts. */
  owners(i: number): Agent[] {
    const out: Agent[] = [];
    for (const r of this.executors[i]?.instances.values() ?? []) if (r.owner.alive && !out.includes(r.owner)) out.push(r.owner);
    return out;
  }

  private makeDomain(): ExecutionDomain {
    return {
      name: 'wasm',
      instantiate: (code: string, gate: Gate, lim: InstanceLimits, who?: InstanceOwner): AgentInstance => {
        if (who === undefined) throw new TrapError('load', 'the executor domain instantiates only for an agent');
        // the kernel passes the agent itself (agent/runner.ts)
        const owner = who as Agent;
        const ex = this.place(owner);
        const r = ex.instantiate(owner, code, gate, lim);
        // the agent's later activations go to the executor that holds its sandbox
        this.deps.placed(owner, ex.index);
        const inst: AgentInstance = {
          get info() {
            return r.info!;
          },
          dispatch: (kind, payload) => ex.dispatch(r, kind, payload),
          memoryBytes: () => (r.disposed ? 0 : r.mem),
          dispose: () => ex.dispose(r),
        };
        this.hosts.set(inst, ex.index);
        return inst;
      },
    };
  }
}
