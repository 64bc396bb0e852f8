// One executor, kernel side: its worker thread, its syscall ring (served on the kernel thread), the
// instances it hosts, the commands posted to it (batched per microtask) and the count of run/settle
// commands in flight. A worker that exits or errors, or stops answering, is a fault: the executor
// reports its owners to the pool (which traps them) and is not used again.
// Trusts the worker's messages only as far as the wire checks them.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AiosError, limits } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import { TrapError, type ActivationKind, type EntryInfo, type Gate, type InstanceLimits } from '../domain/types.ts';
import { HANDOFF, OP, REPLY, type Command, type WorkerInit } from './protocol.ts';
import { writeCommand } from './commands.ts';
import { SETTLE_SYNC, type SyncSettleable } from '../sched/scheduler.ts';
import { createRingMemory, RingServer, RingTimeout } from './ring.ts';
import { Reader, readError, Writer, writeError, writeValue } from './wire.ts';

/** A sandbox hosted by an executor, as the kernel sees it. */
export interface Remote {
  readonly id: number;
  readonly owner: Agent;
  readonly gate: Gate;
  info: EntryInfo | null;
  loadError: Error | null;
  mem: number;
  disposed: boolean;
  readonly waiting: Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>;
}

/** What an executor tells its pool. */
export interface ExecutorEvents {
  /** A run or settle command finished on the worker: its measured time, to charge to the owner. */
  done(ex: Executor, owner: Agent | null, cpuMs: number): void;
  /** The worker died or hung: its owners are to be trapped, the executor replaced. */
  fault(ex: Executor, owners: Agent[], reason: string): void;
  /** The worker wrote to the ring while nobody was spinning: the pool serves it. */
  wake(): void;
  /** Work went in flight on this (idle) executor. */
  busy(): void;
  /**
   * `owner`'s command blocked in a syscall (PENDING): may its activation end now (charged cpuMs so far) and the
   * executor's next one start at once? True when the scheduler did so; its commands are in this executor's outbox.
   */
  handoff(ex: Executor, owner: Agent, cpuMs: number): boolean;
  monotonic(): number;
}

let workerSpec: { url: URL; execArgv?: string[] } | null = null;

/**
 * Where the worker's code is: beside the bundle (`exec-worker.js`, the built node), or, running from
 * TypeScript sources (tests, benches), worker.ts loaded through tsx.
 */
function spec(): { url: URL; execArgv?: string[] } {
  if (workerSpec !== null) return workerSpec;
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    workerSpec = { url: new URL('./exec-worker.js', here) };
    return workerSpec;
  }
  const api = join(dirname(createRequire(here).resolve('tsx/esm/api')), 'index.mjs');
  const entry = new URL('./worker.ts', here).href;
  const boot = `import { register } from ${JSON.stringify(pathToFileURL(api).href)}; register(); await import(${JSON.stringify(entry)});`;
  workerSpec = { url: new URL(`data:text/javascript,${encodeURIComponent(boot)}`), execArgv: ['--conditions=aios-source'] };
  return workerSpec;
}

export class Executor {
  readonly server: RingServer;
  private readonly worker: Worker;
  readonly instances = new Map<number, Remote>();
  /** Run and settle commands posted and not yet reported DONE. */
  inflight = 0;
  /** The agent whose activation the scheduler last started here (released when nothing is in flight). */
  claim: Agent | null = null;
  /** Clock (monotonic ms) of the last message from the worker, or of the first command in flight. */
  lastSign = 0;
  dead = false;
  private closing = false;
  private outbox: Command[] = [];
  private flushQueued = false;
  private nextToken = 1;
  /** postMessage batches sent (the worker reports how many it has received: a ring reply may carry commands when equal). */
  private batches = 0;
  /** Nesting of ring serving on the kernel thread (a load served inside a syscall's handling is 2). */
  static depth = 0;
  private nextDispatch = 1;
  private statsWaiter: ((v: unknown) => void) | null = null;
  /** True while the worker is parked in a ring call whose request was read and whose reply is not written yet. */
  private parked = false;
  /** Disposed sandboxes whose DONE may still come (cleared when nothing is in flight). */
  private readonly retired = new Map<number, Remote>();
  /** Loads waiting for the worker's next ring message (it was busy running an activation). */
  private loads: Array<{ r: Remote; code: string; lim: InstanceLimits }> = [];

  constructor(readonly index: number, private readonly events: ExecutorEvents, private readonly nextInstance: () => number) {
    const ring = createRingMemory();
    this.server = new RingServer(ring);
    const s = spec();
    const init: WorkerInit = { ring, index };
    this.worker = new Worker(s.url, { workerData: init, ...(s.execArgv ? { execArgv: s.execArgv } : {}) });
    this.worker.unref();
    this.worker.on('error', (e) => this.fail(`executor ${index} crashed: ${e instanceof Error ? e.message : String(e)}`));
    this.worker.on('exit', (code) => this.fail(`executor ${index} exited (code ${code})`));
    this.arm();
  }

  /** Summed CFS weight of the live agents hosted here (placement balances it: equal sums give each agent its weighted share of the node). */
  get load(): number {
    let w = 0;
    for (const r of this.instances.values()) if (r.owner.alive) w += r.owner.weight;
    return w;
  }

  /** Whether a load here would wait for a running activation to reach its next syscall (placement avoids it). */
  get loadWaits(): boolean {
    return !this.parked && this.inflight > 0;
  }

  arm(): void {
    if (!this.dead) this.server.arm(this.onWake);
  }
  private readonly onWake = (): void => this.events.wake();

  // ---- instances --------------------------------------------------------------------------

  /**
   * Loads an image into a new sandbox on this executor, synchronously: the kernel thread serves this
   * ring (the module body's syscalls, and those of the activation in flight here) until the worker
   * reports. Throws TrapError('load' | 'memory' | ...) as the wasm domain does, 'fault' when the worker fails.
   */
  instantiate(owner: Agent, code: string, gate: Gate, lim: InstanceLimits): Remote {
    if (this.dead) throw new TrapError('fault', `executor ${this.index} is gone`);
    const r: Remote = { id: this.nextInstance(), owner, gate, info: null, loadError: null, mem: 0, disposed: false, waiting: new Map() };
    this.instances.set(r.id, r);
    const load = { r, code, lim };
    if (this.parked) {
      // a sandbox of this executor is in a syscall (its own spawn, say): the worker loads the image now, nested
      this.callIn(load);
    } else if (this.inflight === 0) {
      this.post({ t: 'load', inst: r.id, code, limits: lim });
      this.flush();
      this.waitLoaded(r, lim);
    } else {
      // the worker is running an activation (or is about to: commands not flushed yet go out now): the
      // load goes in at its next ring message
      this.flush();
      this.loads.push(load);
      this.waitLoaded(r, lim);
    }
    if (r.info === null) {
      this.instances.delete(r.id);
      r.disposed = true;
      throw r.loadError ?? new TrapError('fault', `executor ${this.index} failed while loading the image`);
    }
    return r;
  }

  /** Serves this ring (only) until the worker reports the load of `r`, or the executor fails. */
  private waitLoaded(r: Remote, lim: InstanceLimits): void {
    const deadline = this.events.monotonic() + lim.sliceMs + limits.EXEC_WATCHDOG_MS;
    while (r.info === null && r.loadError === null && !this.dead) {
      const left = deadline - this.events.monotonic();
      if (left <= 0 || !this.server.waitRequest(left)) {
        this.fail(`executor ${this.index} did not answer while loading an image`);
        return;
      }
      this.serveOne();
    }
  }

  /** Asks the worker, parked in a ring call, to load an image before it gets its reply; serves the load's own syscalls. */
  private callIn(load: { r: Remote; code: string; lim: InstanceLimits }): void {
    const w = this.server.begin();
    w.u8(REPLY.CALLIN);
    w.u32(load.r.id);
    w.str(load.code);
    w.f64(load.lim.memoryBytes);
    w.f64(load.lim.stackBytes);
    w.f64(load.lim.sliceMs);
    this.parked = false;
    try {
      this.server.reply(w);
      this.waitLoaded(load.r, load.lim);
    } catch (e) {
      if (e instanceof RingTimeout) this.fail(`executor ${this.index} stopped answering on its ring`);
      else throw e;
    } finally {
      this.parked = true;
    }
  }

  dispatch(r: Remote, kind: ActivationKind, payload: unknown): Promise<unknown> {
    if (r.disposed || this.dead) return Promise.reject(new TrapError('fault', 'agent instance is disposed'));
    const id = this.nextDispatch++;
    const p = new Promise<unknown>((resolve, reject) => r.waiting.set(id, { resolve, reject }));
    this.post({ t: 'run', inst: r.id, id, kind, payload });
    return p;
  }

  dispose(r: Remote): void {
    if (r.disposed) return;
    r.disposed = true;
    this.instances.delete(r.id);
    // its last activation may still be reporting: its time is charged to the owner all the same
    if (this.inflight > 0) this.retired.set(r.id, r);
    const err = new Error('agent instance is disposed');
    for (const w of r.waiting.values()) w.reject(err);
    r.waiting.clear();
    if (!this.dead) this.post({ t: 'free', inst: r.id });
  }

  /** The worker's syscall round trip statistics (bench). */
  stats(reset = false): Promise<unknown> {
    return new Promise((resolve) => {
      this.worker.ref();
      this.statsWaiter = (v) => {
        if (this.inflight === 0) this.worker.unref();
        resolve(v);
      };
      this.post({ t: 'stats', reset });
    });
  }

  // ---- commands -----------------------------------------------------------------------------

  private post(c: Command): void {
    if (this.dead) return;
    if (c.t === 'run' || c.t === 'settle') {
      if (this.inflight === 0) {
        this.lastSign = this.events.monotonic();
        // work in flight keeps the process alive (an idle executor does not)
        this.worker.ref();
        this.events.busy();
      }
      this.inflight++;
    }
    this.outbox.push(c);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outbox.length === 0 || this.dead) return;
    const batch = this.outbox;
    this.outbox = [];
    this.batches++;
    try {
      this.worker.postMessage(batch);
    } catch {
      // one command could not be cloned (a payload with a function): send the others, fail that one
      this.batches--;
      for (const c of batch) {
        try {
          this.worker.postMessage([c]);
          this.batches++;
        } catch (e) {
          if (c.t === 'run' || c.t === 'settle') this.inflight--;
          if (c.t === 'run') {
            const w = this.instances.get(c.inst)?.waiting;
            w?.get(c.id)?.reject(new AiosError('EINVAL', `activation payload cannot cross to an executor: ${(e as Error).message}`));
            w?.delete(c.id);
          }
        }
      }
    }
  }

  /** Posts a blocking syscall's completion to the worker. */
  private settle(r: Remote, token: number, ok: boolean, value: unknown): void {
    if (r.disposed || this.dead) return;
    const w = new Writer();
    if (ok) {
      w.u8(1);
      try {
        writeValue(w, value);
      } catch (e) {
        w.reset();
        w.u8(0);
        writeError(w, e);
      }
    } else {
      w.u8(0);
      writeError(w, value);
    }
    this.post({ t: 'settle', inst: r.id, token, wire: w.bytes().slice() });
  }

  // ---- the ring -----------------------------------------------------------------------------

  /** Serves one request from the ring, if there is one; false when there is none. */
  serveOne(): boolean {
    if (this.dead) return false;
    let rd: Reader | null;
    try {
      rd = this.server.poll();
    } catch (e) {
      this.fail(e instanceof RingTimeout ? `executor ${this.index} stopped in the middle of a message` : `executor ${this.index} sent a malformed message`);
      return false;
    }
    if (rd === null) return false;
    this.lastSign = this.events.monotonic();
    try {
      if (this.loads.length > 0) {
        // the request is kept aside (the call-ins reuse the ring's data area), the loads go in first
        rd = rd.detach();
        this.parked = true;
        try {
          while (this.loads.length > 0 && !this.dead) this.callIn(this.loads.shift()!);
        } finally {
          this.parked = false;
        }
        if (this.dead) return false;
      }
      Executor.depth++;
      try {
        this.handle(rd);
      } finally {
        Executor.depth--;
      }
    } catch (e) {
      if (e instanceof RingTimeout) this.fail(`executor ${this.index} stopped answering on its ring`);
      else this.fail(`executor ${this.index} sent a malformed message: ${(e as Error).message}`);
      return false;
    }
    return true;
  }

  private ack(): void {
    const w = this.server.begin();
    w.u8(REPLY.OK);
    this.server.reply(w);
  }

  private handle(rd: Reader): void {
    let op = rd.u8();
    while (op === OP.DONE_BEFORE) {
      this.finished(rd.u32(), rd.f64(), rd.f64());
      if (this.dead) return;
      op = rd.u8();
    }
    switch (op) {
      case OP.SYSCALL:
        return this.syscall(rd);
      case OP.LOADED: {
        const r = this.instances.get(rd.u32());
        const info = rd.value() as EntryInfo;
        const mem = rd.f64();
        this.ack();
        if (r !== undefined) {
          r.info = info;
          r.mem = mem;
        }
        return;
      }
      case OP.LOADFAIL: {
        const r = this.instances.get(rd.u32());
        const err = readError(rd);
        this.ack();
        if (r !== undefined) r.loadError = err;
        return;
      }
      case OP.RESULT: {
        const r = this.instances.get(rd.u32());
        const id = rd.u32();
        const ok = rd.u8() === 1;
        const v = ok ? rd.value() : readError(rd);
        this.ack();
        const w = r?.waiting.get(id);
        if (w === undefined) return;
        r!.waiting.delete(id);
        if (ok) w.resolve(v);
        else w.reject(v);
        return;
      }
      case OP.DONE: {
        const inst = rd.u32();
        const cpuMs = rd.f64();
        const mem = rd.f64();
        this.ack();
        return this.finished(inst, cpuMs, mem);
      }
      case OP.STATS: {
        const v = rd.value();
        this.ack();
        this.statsWaiter?.(v);
        this.statsWaiter = null;
        return;
      }
      default:
        throw new AiosError('EINVAL', `unknown executor message ${op}`);
    }
  }

  /** A run or settle command finished on the worker (a DONE, or one carried in front of another message). */
  private finished(inst: number, cpuMs: number, mem: number): void {
    const r = this.instances.get(inst) ?? this.retired.get(inst);
    if (r !== undefined && mem >= 0) r.mem = mem;
    this.inflight = Math.max(0, this.inflight - 1);
    if (this.inflight === 0) {
      this.worker.unref();
      this.retired.clear();
    }
    this.events.done(this, r?.owner ?? null, cpuMs);
  }

  /** A syscall from a sandbox: the same dispatcher path as inline; a blocking call answers with a token at once. */
  private syscall(rd: Reader): void {
    const r = this.instances.get(rd.u32());
    const nr = rd.u32();
    const received = rd.u32();
    const cpuMs = rd.f64();
    let res: unknown;
    let failed = false;
    const was = this.parked;
    this.parked = true;
    try {
      const args = rd.value();
      if (r === undefined || r.disposed) throw new AiosError('ESRCH', 'agent instance is gone');
      if (!Array.isArray(args)) throw new AiosError('EINVAL', 'syscall arguments must be an array');
      res = r.gate(nr, args);
    } catch (e) {
      failed = true;
      res = e;
    } finally {
      this.parked = was;
    }
    if (this.dead) return;
    if (!failed && typeof res === 'object' && res !== null && typeof (res as { then?: unknown }).then === 'function') return this.pending(r!, res as PromiseLike<unknown>, received, cpuMs);
    // the writer is taken only now: the gate may have served nested requests (call-ins) on this ring
    const w = this.server.begin();
    if (failed) {
      w.u8(REPLY.ERROR);
      writeError(w, res);
      return this.server.reply(w);
    }
    w.u8(REPLY.OK);
    try {
      writeValue(w, res);
    } catch {
      w.reset();
      w.u8(REPLY.ERROR);
      writeError(w, new AiosError('EINVAL', 'the kernel returned a value that cannot cross into the sandbox'));
    }
    this.server.reply(w);
  }

  /**
   * A blocking syscall: the reply is a token, settled later by a 'settle' command. A blocking call of the
   * kernel's scheduler settles synchronously inside the activation that ends it (SETTLE_SYNC), so that command
   * exists as soon as the activation ran. Then the handoff: when the scheduler ends the caller's activation here
   * and starts the executor's next one, that activation's commands go back in this reply (no postMessage, no
   * wait for the DONE and a scheduler step), unless a postMessage batch is still on its way (order first).
   */
  private pending(r: Remote, res: PromiseLike<unknown>, received: number, cpuMs: number): void {
    const token = this.nextToken++;
    const sync = (res as SyncSettleable)[SETTLE_SYNC];
    if (sync !== undefined) sync((ok, v) => this.settle(r, token, ok, v));
    else
      res.then(
        (v) => this.settle(r, token, true, v),
        (e: unknown) => this.settle(r, token, false, e),
      );
    // the worker is parked in this call: a load the next activation needs is a call-in
    const was = this.parked;
    this.parked = true;
    let handed = false;
    try {
      handed = this.events.handoff(this, r.owner, cpuMs);
    } finally {
      this.parked = was;
    }
    if (this.dead) return;
    const w = this.server.begin();
    w.u8(REPLY.PENDING);
    w.u32(token);
    w.u8(handed ? HANDOFF.YES : HANDOFF.NO);
    if (handed) {
      const mark = w.len;
      let carried = false;
      if (received === this.batches && this.outbox.length > 0) {
        try {
          w.u32(this.outbox.length);
          for (const c of this.outbox) writeCommand(w, c);
          carried = true;
        } catch {
          // a payload the wire cannot carry: everything goes by postMessage, in order
          w.len = mark;
        }
      }
      if (carried) this.outbox = [];
      else w.u32(0);
    }
    this.server.reply(w);
  }

  // ---- ends ---------------------------------------------------------------------------------

  /** The worker is gone or broken: every hosted sandbox is lost; the pool traps the owners. */
  fail(reason: string): void {
    if (this.dead || this.closing) {
      this.dead = true;
      return;
    }
    this.dead = true;
    this.server.close();
    void this.worker.terminate().catch(() => {});
    const owners: Agent[] = [];
    const rs = [...this.instances.values()];
    this.instances.clear();
    for (const r of rs) {
      r.disposed = true;
      owners.push(r.owner);
    }
    this.inflight = 0;
    this.outbox = [];
    this.events.fault(this, owners, reason);
    const err = new TrapError('fault', reason);
    for (const r of rs) {
      for (const w of r.waiting.values()) w.reject(err);
      r.waiting.clear();
      if (r.info === null) r.loadError ??= err;
    }
  }

  /** Stops the worker on purpose (shutdown): no fault is reported. */
  async close(): Promise<void> {
    this.closing = true;
    this.dead = true;
    this.server.close();
    await this.worker.terminate().catch(() => {});
  }

  /** Ends the worker abruptly as a crash would (operators and tests): its agents trap with 'fault'. */
  kill(): void {
    void this.worker.terminate();
  }
}
