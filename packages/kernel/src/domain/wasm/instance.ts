// One agent in the wasm domain: a QuickJS runtime + context inside the shared WebAssembly module.
// Trusts the gate and the clock/random ports; trusts nothing that comes out of the sandbox
// (every value is decoded by codec.ts, every error is read as plain strings).

import { Lifetime, QuickJSRuntime, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule, type VmCallResult } from 'quickjs-emscripten';
import { AiosError, isErrorCode, NR, type Message, type TrapKind } from '@aios/abi';
import { TrapError, type ActivationKind, type AgentInstance, type EntryInfo, type Gate, type InstanceLimits } from '../types.ts';
import { decodeFromSandbox, encodeForSandbox, errorForSandbox, MAX_WIRE } from './codec.ts';
import { MODULES, PRELUDE } from './prelude.ts';
import { NotRaw, RawContext, type RawState } from './raw.ts';
import { plainMessage, unpackList } from './batch.ts';
import type { OwnModule } from './own-module.ts';
import { chargeHeapTo, quickjs, type HeapGuard } from './quickjs.ts';
import { copyBuffer, countFreeFailure, hostMessage, isOom, isOomText, isThenable, safe, STACK_CAP, type WasmPorts } from './support.ts';

/** What a snapshot clone needs besides the heap bytes: the pointers this instance holds into its heap. */
export interface InstanceState {
  readonly code: string;
  readonly rt: number;
  readonly ctx: number;
  /** runFn, settleFn, u8Fn, wireFn, errFn, waitFn, entry, msgFn, msgsFn (owned JSValue* in the heap). */
  readonly handles: readonly number[];
  readonly raw: RawState;
  readonly info: EntryInfo;
}

/** The host-ref id of the prelude's host function: the first (and only) one a fresh runtime hands out. */
const HOST_REF_ID = -2147483648;

interface Waiter {
  resolve(value?: unknown): void;
  reject(e: unknown): void;
}

interface Described {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

type HostResult = QuickJSHandle | VmCallResult<QuickJSHandle> | undefined;

const RANDOM_MAX = 65536;
/** The scratch for IPCSendMany's packed list: a batch of 64 messages of 1 KiB, with its header (larger ones get a buffer each). */
const SCRATCH_BYTES = 68 * 1024;
const utf8Encoder = new TextEncoder();

/** CPU slice for our own prelude in a blank sandbox (it never loops; this is a backstop). */
const PRELUDE_SLICE_MS = 1000;

/** Longest name, message, code or stack the host reads from a value the sandbox threw (characters). */
const DESCRIBE_MAX = 4096;

export class WasmInstance implements AgentInstance, HeapGuard {
  info: EntryInfo = { hasMain: false, hasOnMessage: false };
  /** The instance's own QuickJS module and memory (snapshot templates and clones), or null on the shared heap. */
  private readonly own: OwnModule | null;
  private readonly rt: QuickJSRuntime;
  /** The runtime's JSRuntime* (for the raw job runner). */
  private readonly rtPtr: number;
  private ctx!: QuickJSContext;
  /** Direct FFI access for the syscall fast path (see raw.ts). */
  private raw!: RawContext;
  /** The prelude's run(entry, id, kind, payloadText, ...buffers). */
  private runFn: QuickJSHandle | undefined;
  /** The prelude's settle(ticket, ok, value): wakes a blocking syscall. */
  private settleFn: QuickJSHandle | undefined;
  /** The prelude's makers the fast path calls: value from the JSON wire, error from its JSON, promise of a ticket. */
  private u8Fn: QuickJSHandle | undefined;
  private wireFn: QuickJSHandle | undefined;
  private errFn: QuickJSHandle | undefined;
  private waitFn: QuickJSHandle | undefined;
  /** Where IPCSend's bytes and IPCSendMany's packed list are copied out of the sandbox (reused; null while a call borrows it). */
  private scratch: Uint8Array | null = new Uint8Array(SCRATCH_BYTES);
  /** The prelude's makers of received messages: one plain message, a batch (IPCRecvMany). */
  private msgFn: QuickJSHandle | undefined;
  private msgsFn: QuickJSHandle | undefined;
  /** The agent's `__aios_agent.entry`, captured at load. */
  private entry: QuickJSHandle | undefined;
  private deadline = 0;
  private interrupted = false;
  /** Nesting of calls into the sandbox; the runtime is only freed at depth 0. */
  private depth = 0;
  private disposed = false;
  /** Set when load() finished; before that, traps are thrown by the constructor. */
  private ready = false;
  private freed = false;
  private trapped: TrapError | undefined;
  /** A trap noticed inside a host callback, acted on when the sandbox call unwinds. */
  private pendingTrap: TrapError | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /** Blocking syscalls whose host promise has not settled yet (tickets the prelude waits on). */
  private readonly tickets = new Set<number>();
  private nextTicket = 1;
  /** Bytes the shared wasm heap grew while this sandbox ran its current entry (see quickjs.ts). */
  private grown = 0;
  /** Set when a growth was refused during the current entry: the entry ends in a memory trap. */
  private refused = false;
  /** The sandbox charged before our outermost entry began (restored when it ends). */
  private prevCharge: HeapGuard | null = null;

  /** The gate and limits are set by boot(); a blank sandbox has neither. */
  private gate: Gate = () => {
    throw new AiosError('ENOSYS', 'no image is loaded in this sandbox');
  };
  private limits: InstanceLimits = { memoryBytes: 0, stackBytes: STACK_CAP, sliceMs: PRELUDE_SLICE_MS };

  /**
   * Makes a blank sandbox: runtime, context and the prelude (our own trusted code), with the
   * UTF-8 module compiled in advance (every runtime image builds a TextDecoder at load).
   * Throws a plain Error when QuickJS cannot even start.
   */
  constructor(private readonly ports: WasmPorts, own?: OwnModule, from?: InstanceState) {
    this.own = own ?? null;
    const mod: QuickJSWASMModule = own?.module ?? quickjs;
    if (from !== undefined) {
      const m = mod as unknown as { module: unknown; ffi: unknown; callbacks: unknown };
      this.rt = new (QuickJSRuntime as unknown as new (a: unknown) => QuickJSRuntime)({ module: m.module, ffi: m.ffi, callbacks: m.callbacks, rt: new Lifetime(from.rt) });
    } else {
      this.rt = mod.newRuntime();
    }
    this.rtPtr = (this.rt as unknown as { rt: { value: number } }).rt.value;
    try {
      if (from !== undefined) {
        this.restore(from);
        return;
      }
      this.rt.setMaxStackSize(STACK_CAP);
      this.rt.setInterruptHandler(() => this.shouldInterrupt());
      this.ctx = this.rt.newContext();
      const ctx = this.ctx;
      this.raw = new RawContext(ctx);
      this.raw.hook((argc, argv, slow) => this.onRawHost(argc, argv, slow));
      const pre = this.inside(() => ctx.evalCode(PRELUDE, 'aios:prelude', { strip: true }));
      if (pre.error) throw this.fault(pre.error, 'load');
      const host = ctx.newFunction('host', (...args: QuickJSHandle[]) => this.onHost(args));
      const run = this.inside(() => ctx.callFunction(pre.value, ctx.undefined, host));
      pre.value.dispose();
      host.dispose();
      if (run.error) throw this.fault(run.error, 'load');
      this.runFn = ctx.getProp(run.value, 0);
      this.settleFn = ctx.getProp(run.value, 1);
      this.u8Fn = ctx.getProp(run.value, 2);
      this.wireFn = ctx.getProp(run.value, 3);
      this.errFn = ctx.getProp(run.value, 4);
      this.waitFn = ctx.getProp(run.value, 5);
      this.msgFn = ctx.getProp(run.value, 6);
      this.msgsFn = ctx.getProp(run.value, 7);
      this.raw.setU8Maker(this.u8Fn.value as unknown as number);
      run.value.dispose();
      this.inside(() => ctx.getProp(ctx.global, 'TextDecoder')).dispose();
    } catch (e) {
      this.disposed = true;
      this.free();
      throw e;
    }
  }

  /** Takes over a snapshot's heap (already copied into this instance's own memory): wrappers, host function, handles. */
  private restore(st: InstanceState): void {
    this.rt.setInterruptHandler(() => this.shouldInterrupt());
    this.ctx = this.rt.newContext({ contextPointer: st.ctx } as never);
    this.raw = new RawContext(this.ctx);
    this.raw.adopt(st.raw);
    this.raw.hook((argc, argv, slow) => this.onRawHost(argc, argv, slow));
    const id = (this.rt as unknown as { hostRefs: { put(f: unknown): number } }).hostRefs.put((...args: QuickJSHandle[]) => this.onHost(args));
    if (id !== HOST_REF_ID) throw new Error('snapshot clone: unexpected host function id');
    const [run, settle, u8, wire, err, wait, entry, msg, msgs] = st.handles.map((p) => this.raw.handle<QuickJSHandle>(p));
    this.runFn = run;
    this.settleFn = settle;
    this.u8Fn = u8;
    this.wireFn = wire;
    this.errFn = err;
    this.waitFn = wait;
    this.entry = entry;
    this.msgFn = msg;
    this.msgsFn = msgs;
    this.info = st.info;
    this.preloaded = st.code;
    this.ready = true;
  }

  /**
   * The pointers a snapshot of this preloaded sandbox needs (null when it is not a preloaded sandbox on its own
   * memory, or its prelude's host function is not the id a clone's runtime will hand out).
   */
  snapshotState(): InstanceState | null {
    if (this.own === null || this.preloaded === null || this.disposed || !this.entry || !this.runFn) return null;
    try {
      (this.rt as unknown as { hostRefs: { get(id: number): unknown } }).hostRefs.get(HOST_REF_ID);
    } catch {
      return null;
    }
    const hs = [this.runFn, this.settleFn, this.u8Fn, this.wireFn, this.errFn, this.waitFn, this.entry, this.msgFn, this.msgsFn];
    if (hs.some((h) => h === undefined || !h.alive)) return null;
    return {
      code: this.preloaded,
      rt: this.rtPtr,
      ctx: (this.ctx as unknown as { ctx: { value: number } }).ctx.value,
      handles: hs.map((h) => h!.value as unknown as number),
      raw: this.raw.state(),
      info: this.info,
    };
  }

  /** The instance's own memory (null on the shared heap). */
  get ownMemory(): OwnModule['memory'] | null {
    return this.freed ? null : (this.own?.memory ?? null);
  }

  /** Loads an image into this (blank) sandbox, bound to gate and limits. Throws TrapError. */
  boot(code: string, gate: Gate, limits: InstanceLimits): this {
    this.gate = gate;
    this.limits = limits;
    try {
      if (this.disposed) throw new TrapError('load', 'sandbox was disposed before its image loaded');
      this.rt.setMaxStackSize(Math.min(STACK_CAP, limits.stackBytes > 0 ? limits.stackBytes : STACK_CAP));
      if (limits.memoryBytes > 0) this.rt.setMemoryLimit(limits.memoryBytes);
      this.load(code);
      if (this.disposed) throw new TrapError('load', 'agent instance was disposed while its image loaded');
    } catch (e) {
      this.disposed = true;
      this.free();
      if (e instanceof TrapError) throw e;
      throw new TrapError(isOomText(e) ? 'memory' : 'load', `agent image failed to load: ${hostMessage(e)}`);
    }
    return this;
  }

  /**
   * Zygote-style preparation: evaluates an image in this blank sandbox before any agent owns
   * it, with default limits and no gate. An image whose module body makes a syscall (or fails)
   * is not preparable: false, and the sandbox is disposed. Used by the domain's image pool.
   */
  preload(code: string, limits: InstanceLimits): boolean {
    let syscalled = false;
    this.gate = () => {
      syscalled = true;
      throw new AiosError('ENOSYS', 'no agent owns this sandbox yet');
    };
    try {
      this.rt.setMaxStackSize(Math.min(STACK_CAP, limits.stackBytes > 0 ? limits.stackBytes : STACK_CAP));
      if (limits.memoryBytes > 0) this.rt.setMemoryLimit(limits.memoryBytes);
      this.limits = limits;
      this.load(code);
      if (syscalled || this.disposed) throw new Error('not preparable');
      this.preloaded = code;
      return true;
    } catch {
      this.disposed = true;
      this.free();
      return false;
    }
  }

  /**
   * Called once when a sandbox on its own memory is freed (the domain counts live clones with it); `own` is its
   * instance when it ended cleanly (no trap), which the domain may reset and reuse, else null.
   */
  onFree: ((own: OwnModule | null) => void) | undefined;

  /** The code a preloaded sandbox holds (null for a blank one). */
  preloaded: string | null = null;

  /** Hands a preloaded sandbox to its agent: its gate and limits from now on. */
  adopt(gate: Gate, limits: InstanceLimits): this {
    this.gate = gate;
    this.limits = limits;
    this.rt.setMaxStackSize(Math.min(STACK_CAP, limits.stackBytes > 0 ? limits.stackBytes : STACK_CAP));
    if (limits.memoryBytes > 0) this.rt.setMemoryLimit(limits.memoryBytes);
    return this;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  private load(code: string): void {
    const ctx = this.ctx;
    const img = this.inside(() => ctx.evalCode(code, 'agent.js'));
    if (img.error) throw this.fault(img.error, 'load');
    img.value.dispose();
    this.runJobs();
    if (this.pendingTrap) throw this.pendingTrap;
    this.inside(() => this.bind());
    if (this.pendingTrap) throw this.pendingTrap;
    this.ready = true;
  }

  /** Finds `__aios_agent.entry` (kept as a handle: the agent cannot swap it later) and reads its info. */
  private bind(): void {
    const ctx = this.ctx;
    const none = (): TrapError => new TrapError('load', 'agent image defines no __aios_agent.entry with a dispatch function');
    const agent = ctx.getProp(ctx.global, '__aios_agent');
    const entry = ctx.typeof(agent) === 'object' ? ctx.getProp(agent, 'entry') : undefined;
    agent.dispose();
    if (!entry) throw none();
    if (ctx.typeof(entry) !== 'object' || !ctx.getProp(entry, 'dispatch').consume((d) => ctx.typeof(d) === 'function')) {
      entry.dispose();
      throw none();
    }
    this.entry = entry;
    let info: Record<string, unknown> = {};
    try {
      const raw: unknown = ctx.getProp(entry, 'info').consume((h) => (ctx.typeof(h) === 'object' ? ctx.dump(h) : undefined));
      if (typeof raw === 'object' && raw !== null) info = raw as Record<string, unknown>;
    } catch {
      // an unreadable info leaves the defaults
    }
    this.info = {
      hasMain: info['hasMain'] === true,
      hasOnMessage: info['hasOnMessage'] === true,
      ...(typeof info['name'] === 'string' ? { name: info['name'] } : {}),
      ...(typeof info['version'] === 'string' ? { version: info['version'] } : {}),
      ...(typeof info['description'] === 'string' ? { description: info['description'] } : {}),
      ...(Array.isArray(info['hooks']) ? { hooks: (info['hooks'] as unknown[]).filter((h): h is string => typeof h === 'string') } : {}),
    };
  }

  dispatch(kind: ActivationKind, payload?: unknown): Promise<unknown> {
    if (this.disposed || !this.runFn || !this.entry) return Promise.reject(this.trapped ?? new Error('agent instance is disposed'));
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    const run = this.runFn;
    const entry = this.entry;
    // every value is released inside the entry: the runtime may be freed as soon as it unwinds
    this.contained(() => {
      const raw = this.raw;
      let ok: boolean;
      let r: number;
      try {
        const v = this.rawValue(payload);
        [ok, r] = raw.tryCall(run.value as unknown as number, [raw.dup(entry.value as unknown as number), raw.newNumber(id), raw.string(kind), v === 0 ? raw.undefinedValue() : v]);
      } catch (e) {
        const w = this.waiting.get(id);
        this.waiting.delete(id);
        if (e instanceof AiosError) w?.reject(e);
        else this.trapNow(new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes (${hostMessage(e)})`));
        return;
      }
      if (!ok) {
        const t = this.fault(raw.handle<QuickJSHandle>(r), 'exception');
        if (t.kind === 'exception') this.settle(id, t.message, t.stack, 'Error');
        else this.trapNow(t);
      } else {
        raw.free(r);
      }
    });
    this.runJobs();
    return done;
  }

  memoryBytes(): number {
    if (this.freed) return 0;
    try {
      // dumpMemoryUsage allocates outside the runtime (computeMemoryUsage would add a whole context)
      const m = /memory used\s+\d+\s+(\d+)/.exec(this.rt.dumpMemoryUsage());
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

  private nearLimit(): boolean {
    return this.limits.memoryBytes > 0 && this.memoryBytes() + 16 * 1024 >= this.limits.memoryBytes;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const err = this.trapped ?? new Error('agent instance is disposed');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    if (this.depth === 0) this.free();
  }

  private die(t: TrapError): void {
    if (this.disposed) return;
    this.trapped = t;
    this.dispose();
  }

  /** Frees every handle we hold, then the context and the runtime. Only at depth 0. */
  private free(): void {
    if (this.freed) return;
    this.freed = true;
    this.tickets.clear();
    if (this.own !== null) {
      // Its own memory holds nothing anyone else uses: the whole instance goes with its last reference (no
      // QuickJS teardown on the spawn-and-exit path).
      this.entry = this.runFn = this.settleFn = this.u8Fn = this.wireFn = this.errFn = this.waitFn = undefined;
      this.onFree?.(this.trapped === undefined && this.pendingTrap === undefined ? this.own : null);
      return;
    }
    safe(() => this.dropStrayContexts());
    if (this.raw && this.ctx?.alive) safe(() => this.raw.dispose());
    for (const h of [this.entry, this.runFn, this.settleFn, this.u8Fn, this.wireFn, this.errFn, this.waitFn, this.msgFn, this.msgsFn]) if (h?.alive) safe(() => h.dispose());
    this.entry = this.runFn = this.settleFn = this.u8Fn = this.wireFn = this.errFn = this.waitFn = this.msgFn = this.msgsFn = undefined;
    if (this.ctx?.alive) safe(() => this.ctx.dispose());
    if (this.rt.alive) {
      try {
        this.rt.dispose();
      } catch {
        // QuickJS found objects still referenced (a leak): the module survives, the runtime's memory does not come back
        countFreeFailure();
      }
    }
  }

  // ---- entering the sandbox ---------------------------------------------------------------

  /** Runs fn as (or within) one entry into the sandbox: a fresh CPU deadline at the outermost level. */
  private inside<T>(fn: () => T): T {
    if (this.depth === 0) {
      this.deadline = this.ports.now() + this.limits.sliceMs;
      this.interrupted = false;
      this.prevCharge = this.own !== null ? this.own.chargeTo(this) : chargeHeapTo(this);
    }
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) {
        if (this.own !== null) this.own.chargeTo(this.prevCharge);
        else chargeHeapTo(this.prevCharge);
        this.prevCharge = null;
        this.checkGrowth();
        this.afterEntry();
      }
    }
  }

  /**
   * HeapGuard: the shared heap must grow while this sandbox runs. Within one entry a sandbox may
   * grow it by at most its memory limit (it cannot need more); past that the growth is refused,
   * its allocation fails inside QuickJS, and the entry ends in a memory trap.
   */
  grow(bytes: number): boolean {
    if (this.limits.memoryBytes <= 0) return true;
    if (this.grown + bytes > this.limits.memoryBytes) {
      this.refused = true;
      return false;
    }
    // Emscripten over-grows the shared heap (+20% of its size) and retries smaller steps when refused: a smaller
    // step that fits means the allocation succeeded, so only a refusal that stands ends the entry in a memory trap.
    this.refused = false;
    this.grown += bytes;
    return true;
  }

  /** After an entry that grew the heap: a refused growth, or a measured use above the limit, is a memory trap. */
  private checkGrowth(): void {
    if (this.grown === 0 && !this.refused) return;
    const over = this.refused || (this.limits.memoryBytes > 0 && this.memoryBytes() > this.limits.memoryBytes);
    this.grown = 0;
    this.refused = false;
    if (over) this.pendingTrap ??= new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes`);
  }

  /**
   * Reads a sandbox string of at most `max` characters without copying a longer one to the host:
   * longer strings are cut inside the sandbox first. Returns undefined for a non-string.
   */
  private readString(h: QuickJSHandle, max: number): string | undefined {
    const ctx = this.ctx;
    if (ctx.typeof(h) !== 'string') return undefined;
    const len = ctx.getProp(h, 'length').consume((l) => ctx.getNumber(l));
    if (len <= max) return ctx.getString(h);
    const cut = ctx.getProp(ctx.global, 'String').consume((S) => ctx.getProp(S, 'prototype').consume((p) => ctx.getProp(p, 'slice')));
    try {
      if (ctx.typeof(cut) !== 'function') return '[string too long]';
      const r = ctx.callFunction(cut, h, ctx.newNumber(0), ctx.newNumber(max));
      if (r.error) {
        r.error.dispose();
        return '[string too long]';
      }
      return r.value.consume((v) => (ctx.typeof(v) === 'string' && ctx.getProp(v, 'length').consume((l) => ctx.getNumber(l)) <= max ? `${ctx.getString(v)}…` : '[string too long]'));
    } finally {
      cut.dispose();
    }
  }

  /** Length of a sandbox string (UTF-16 units) without copying it. */
  private stringLength(h: QuickJSHandle): number {
    return this.ctx.getProp(h, 'length').consume((l) => this.ctx.getNumber(l));
  }

  /**
   * An entry made outside load(): a host-side failure in it (a library error, V8's stack running
   * out inside wasm) kills the agent with a trap instead of escaping to the kernel.
   */
  private contained(fn: () => void): void {
    try {
      this.inside(fn);
    } catch (e) {
      const msg = hostMessage(e);
      this.trapNow(new TrapError(isOomText(e) || /call stack/i.test(msg) ? 'memory' : 'exception', `sandbox failed on the host side: ${msg}`));
    }
  }

  private afterEntry(): void {
    if (this.interrupted) this.pendingTrap ??= this.cpuTrap();
    if (!this.ready) return;
    if (this.pendingTrap && !this.disposed) this.die(this.pendingTrap);
    else if (this.disposed && !this.freed) this.free();
  }

  /** Records a trap; acts on it at once unless a sandbox call is still on the stack (or we are loading). */
  private trapNow(t: TrapError): void {
    this.pendingTrap ??= t;
    if (this.ready && this.depth === 0) this.die(this.pendingTrap);
  }

  private shouldInterrupt(): boolean {
    if (this.disposed) return true;
    if (this.ports.now() > this.deadline) {
      this.interrupted = true;
      return true;
    }
    return false;
  }

  /** Runs the runtime's pending jobs (promise continuations) until none is left or the agent traps. */
  private runJobs(): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (this.disposed || this.pendingTrap || !this.raw.hasJobs(this.rtPtr)) return;
      this.contained(() => {
        const err = this.raw.runJobs(this.rtPtr);
        if (err !== 0) {
          const t = this.fault(this.raw.handle<QuickJSHandle>(err), 'exception');
          if (t.kind !== 'exception') this.trapNow(t);
        }
      });
    }
  }

  /**
   * quickjs-emscripten 0.32's executePendingJobs reads the job's context pointer through a view
   * that goes stale when the wasm memory grows while the jobs run; it then wraps a NEW context
   * that nothing frees, and freeing the runtime later aborts the module. Dispose such strays.
   */
  private dropStrayContexts(): void {
    const map = (this.rt as unknown as { contextMap?: Map<unknown, QuickJSContext> }).contextMap;
    if (!map || map.size <= 1) return;
    for (const c of [...map.values()]) if (c !== this.ctx && c.alive) safe(() => c.dispose());
  }

  private cpuTrap(): TrapError {
    return new TrapError('cpu', `agent ran longer than its CPU slice of ${this.limits.sliceMs} ms`);
  }

  /** Reads a thrown sandbox value (disposing its handle) and classifies it. */
  private fault(h: QuickJSHandle, kind: TrapKind): TrapError {
    const d = this.describe(h);
    if (this.interrupted) return this.cpuTrap();
    // an exception QuickJS could not even build (empty message) at the limit is memory exhaustion too
    if (isOom(d) || ((d.message === '' || d.message === 'unknown error') && this.nearLimit())) {
      return new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes`);
    }
    return new TrapError(kind, `${d.name}: ${d.message}`, d.stack);
  }

  /** Reads name, message, stack and code of a thrown sandbox value as strings; disposes h unless borrowed. */
  private describe(h: QuickJSHandle, borrowed = false): Described {
    const ctx = this.ctx;
    const out: Described = { name: 'Error', message: 'unknown error' };
    try {
      const t = ctx.typeof(h);
      if (t === 'object') {
        const read = (k: string): string | undefined => ctx.getProp(h, k).consume((v) => this.readString(v, DESCRIBE_MAX));
        out.name = read('name') ?? 'Error';
        out.message = read('message') ?? '';
        const stack = read('stack');
        if (stack !== undefined && stack !== '') out.stack = stack;
        const code = read('code');
        if (code !== undefined) out.code = code;
      } else if (t === 'string') {
        out.message = this.readString(h, DESCRIBE_MAX) ?? '';
      } else if (t === 'number' || t === 'boolean' || t === 'undefined') {
        out.message = String(ctx.dump(h));
      }
    } catch {
      // an error we cannot read stays 'unknown error'
    } finally {
      if (!borrowed) h.dispose();
    }
    return out;
  }

  // ---- host side of the private host function ------------------------------------------------

  private onHost(args: QuickJSHandle[]): HostResult {
    const ctx = this.ctx;
    try {
      if (this.disposed) return { error: ctx.newError('agent instance is disposed') };
      const op = ctx.getNumber(args[0]!);
      switch (op) {
        case 1:
          this.hostDone(args);
          return undefined;
        case 2: {
          const n = ctx.getNumber(args[1]!);
          if (!Number.isInteger(n) || n < 0 || n > RANDOM_MAX) return { error: ctx.newError('random: bad length') };
          const bytes = this.ports.random(n);
          return ctx.newArrayBuffer(copyBuffer(bytes.byteLength === n ? bytes : bytes.subarray(0, n)));
        }
        case 3: {
          // JSON text: a raw string would be cut at U+0000 on its way out of the sandbox.
          const text: unknown = JSON.parse(ctx.getString(args[1]!));
          if (typeof text !== 'string') return { error: ctx.newError('utf8encode: expected a string') };
          return ctx.newArrayBuffer(copyBuffer(utf8Encoder.encode(text)));
        }
        case 4: {
          const fatal = ctx.getNumber(args[2]!) === 1;
          const ignoreBOM = ctx.getNumber(args[3]!) === 1;
          const view = ctx.getArrayBuffer(args[1]!);
          let text: string;
          try {
            text = new TextDecoder('utf-8', { fatal, ignoreBOM }).decode(view.value);
          } catch {
            return { error: ctx.newError({ name: 'TypeError', message: 'The encoded data was not valid UTF-8' }) };
          } finally {
            view.dispose();
          }
          return ctx.newString(JSON.stringify(text));
        }
        case 5: {
          const name = ctx.typeof(args[1]!) === 'string' ? ctx.getString(args[1]!) : '';
          const src = Object.prototype.hasOwnProperty.call(MODULES, name) ? MODULES[name] : undefined;
          return src === undefined ? { error: ctx.newError('unknown module') } : ctx.newString(src);
        }
        default:
          return { error: ctx.newError('unknown host operation') };
      }
    } catch (e) {
      if (isOomText(e)) this.pendingTrap ??= new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes`);
      return { error: ctx.newError(hostMessage(e)) };
    }
  }

  // ---- the syscall fast path (host op 0), by pointer --------------------------------------

  /** Every call of the private host function lands here first; ops 0 and 6 (trap) are served raw, the others by onHost. */
  private onRawHost(argc: number, argv: number, slow: () => number): number {
    const raw = this.raw;
    const op = argc >= 2 ? raw.num(raw.arg(argv, 0)) : -1;
    if (op === 1 && argc === 3 && raw.num(raw.arg(argv, 2)) === 0) {
      // done(id, 0): an activation that returned undefined (message, main)
      const id = raw.num(raw.arg(argv, 1));
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      w?.resolve(undefined);
      return 0;
    }
    if (op !== 0 && op !== 6) return slow();
    try {
      if (this.disposed) return this.throwMessage('agent instance is disposed');
      return this.rawTrap(op, argc, argv);
    } catch (e) {
      if (isOomText(e)) this.pendingTrap ??= new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes`);
      return this.throwMessage(hostMessage(e));
    }
  }

  private throwMessage(message: string): number {
    try {
      const h = this.ctx.newError(message);
      try {
        return this.raw.throwValue(h.value as unknown as number);
      } finally {
        h.dispose();
      }
    } catch {
      return 0;
    }
  }

  /**
   * A syscall from the prelude's trap() (which checked types and sizes before calling): op 0 carries up to four
   * plain arguments by kind, op 6 the JSON wire (codec.ts).
   */
  private rawTrap(op: number, argc: number, argv: number): number {
    const lent: { buf: Uint8Array | null } = { buf: null };
    try {
      return this.rawCall(op, argc, argv, lent);
    } finally {
      if (lent.buf !== null) this.scratch = lent.buf;
    }
  }

  /** rawTrap's work; `lent` holds the scratch while this call borrows it (given back when the call ends, however it ends). */
  private rawCall(op: number, argc: number, argv: number, lent: { buf: Uint8Array | null }): number {
    const raw = this.raw;
    const nr = raw.num(raw.arg(argv, 1));
    let args: unknown = [];
    if (op === 0 && argc > 2) {
      const kinds = raw.num(raw.arg(argv, 2));
      const list: unknown[] = [];
      const lengths: number[] = [];
      let total = 0;
      for (let i = 3; i < argc; i++) {
        const kd = (kinds >> (3 * (i - 3))) & 7;
        if (kd !== 5 && kd !== 6) continue;
        lengths[i] = raw.bytesLength(raw.arg(argv, i));
        total += lengths[i]!;
        if (total > MAX_WIRE) return this.rawError(new AiosError('EMSGSIZE', `syscall arguments larger than ${MAX_WIRE} bytes`));
      }
      for (let i = 3; i < argc; i++) {
        const a = raw.arg(argv, i);
        switch ((kinds >> (3 * (i - 3))) & 7) {
          case 0: list.push(raw.num(a)); break;
          case 1: list.push(true); break;
          case 2: list.push(false); break;
          case 3: list.push(null); break;
          case 4: list.push(undefined); break;
          case 5: {
            // IPCSend copies its payload before it returns (into the mailbox's slab, or a message of its own): its
            // bytes may live in the scratch too; any other call's bytes get a copy of their own
            const scratch = nr === NR.IPCSend && lent.buf === null ? this.scratch : null;
            if (scratch !== null) (this.scratch = null), (lent.buf = scratch);
            list.push(scratch !== null ? raw.bytesInto(a, lengths[i]!, scratch) : raw.bytes(a, lengths[i]));
            break;
          }
          case 6: {
            // IPCSendMany copies what it queues before it returns: its list may live in the scratch (borrowed, so a
            // nested call cannot overwrite it); any other call gets its own copy
            const scratch = nr === NR.IPCSendMany && lent.buf === null ? this.scratch : null;
            if (scratch !== null) (this.scratch = null), (lent.buf = scratch);
            const items = unpackList(scratch !== null ? raw.bytesInto(a, lengths[i]!, scratch) : raw.bytes(a, lengths[i]));
            if (items === null) return this.rawError(new AiosError('EINVAL', 'malformed syscall arguments'));
            list.push(items);
            break;
          }
          default: return this.rawError(new AiosError('EINVAL', 'malformed syscall arguments'));
        }
      }
      args = list;
    } else if (op === 6) {
      // Sizes are checked before the bytes are copied out of the sandbox (the prelude checks them too).
      let total = 0;
      for (let i = 4; i < argc; i++) {
        total += raw.bytesLength(raw.arg(argv, i));
        if (total > MAX_WIRE) return this.rawError(new AiosError('EMSGSIZE', `syscall arguments larger than ${MAX_WIRE} bytes`));
      }
      const text = raw.str(raw.arg(argv, 2));
      const fix = argc > 3 ? raw.str(raw.arg(argv, 3)) : undefined;
      const buffers: Uint8Array[] = [];
      for (let i = 4; i < argc; i++) buffers.push(raw.bytes(raw.arg(argv, i)));
      try {
        args = decodeFromSandbox(text, fix, buffers);
      } catch (e) {
        return this.rawError(e instanceof AiosError ? e : new AiosError('EINVAL', 'malformed syscall arguments'));
      }
      if (!Array.isArray(args)) return this.rawError(new AiosError('EINVAL', 'syscall arguments must be an array'));
    }
    let res: unknown;
    try {
      res = this.gate(nr, args as unknown[]);
    } catch (e) {
      return this.rawError(e);
    }
    if (isThenable(res)) return raw.call(this.waitFn!.value as unknown as number, [raw.newNumber(this.blocking(res, nr))]);
    try {
      return this.resultValue(nr, res);
    } catch (e) {
      if (e instanceof AiosError) return this.rawError(e);
      throw e;
    }
  }

  /**
   * A host value made as a sandbox value (an owned JSValue*; 0 for undefined): built directly, or through the
   * JSON wire for what only JSON carries exactly. Throws AiosError (EINVAL, EMSGSIZE) for what cannot cross.
   */
  private rawValue(v: unknown): number {
    if (v === undefined) return 0;
    const raw = this.raw;
    if (typeof v === 'number') return raw.newNumber(v);
    try {
      return raw.build(v, MAX_WIRE);
    } catch (e) {
      if (!(e instanceof NotRaw)) throw e;
    }
    const wire = encodeForSandbox(v);
    const args = [raw.newString(wire.text)];
    try {
      args.push(wire.fix === undefined ? raw.undefinedValue() : raw.newString(wire.fix));
      for (const b of wire.buffers) args.push(raw.newBytes(b));
    } catch (e) {
      for (const p of args) raw.free(p);
      throw e;
    }
    return raw.call(this.wireFn!.value as unknown as number, args);
  }

  /**
   * The result of syscall nr as a sandbox value: received messages through the prelude's message makers (one call
   * per message, or per batch for IPCRecvMany, instead of an object built key by key), the rest by rawValue.
   */
  private resultValue(nr: number, v: unknown): number {
    if (nr === NR.IPCRecv || nr === NR.IPCWait) {
      if (plainMessage(v)) return this.raw.call(this.msgFn!.value as unknown as number, [this.raw.newNumber(v.from), this.raw.newBytes(v.data)]);
    } else if (nr === NR.IPCRecvMany && Array.isArray(v)) {
      return this.messageBatch(v as Message[]);
    }
    return this.rawValue(v);
  }

  /**
   * A batch of messages for the prelude's batch maker: the plain ones' bytes one after the other in one buffer, int32
   * [from, length] per message (length -1: the next of a list of the others, built key by key).
   */
  private messageBatch(list: Message[]): number {
    const raw = this.raw;
    const n = list.length;
    const meta = new Int32Array(2 * n);
    let total = 0;
    let special = 0;
    for (let i = 0; i < n; i++) {
      const m = list[i]!;
      if (plainMessage(m)) {
        meta[2 * i] = m.from;
        meta[2 * i + 1] = m.data.length;
        total += m.data.length;
      } else {
        meta[2 * i + 1] = -1;
        special++;
      }
    }
    if (total > MAX_WIRE) throw new AiosError('EMSGSIZE', `result larger than ${MAX_WIRE} bytes`);
    const parts: Uint8Array[] = [];
    const others: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const m = list[i]!;
      if (meta[2 * i + 1]! < 0) others.push(m);
      else parts.push(m.data);
    }
    const args = [raw.newBytesOf(parts, total)];
    try {
      args.push(raw.newBytes(new Uint8Array(meta.buffer)));
      args.push(special === 0 ? raw.undefinedValue() : this.rawValue(others));
    } catch (e) {
      for (const p of args) raw.free(p);
      throw e;
    }
    return raw.call(this.msgsFn!.value as unknown as number, args);
  }

  /** Throws the gate's error into the sandbox as the prelude builds it (AiosError code, errno, detail). */
  private rawError(e: unknown): number {
    const raw = this.raw;
    const err = raw.call(this.errFn!.value as unknown as number, [raw.newString(JSON.stringify(errorForSandbox(e)))]);
    try {
      return raw.throwValue(err);
    } finally {
      raw.free(err);
    }
  }

  /**
   * A blocking syscall: the sandbox gets a ticket number and waits on a promise of its own
   * making; when the host promise settles, the wire result is handed to the prelude's settle()
   * and the continuation runs at once, with a fresh CPU deadline. (The library's newPromise is
   * avoided on purpose: it reads its out-pointers through a view that goes stale when the wasm
   * memory grows during the call.)
   */
  private blocking(p: PromiseLike<unknown>, nr: number): number {
    const ticket = this.nextTicket++;
    this.tickets.add(ticket);
    const errorValue = (e: unknown): number => this.raw.call(this.errFn!.value as unknown as number, [this.raw.newString(JSON.stringify(errorForSandbox(e)))]);
    const settle = (make: () => [boolean, number]): void => {
      if (!this.tickets.delete(ticket) || this.disposed || !this.settleFn) return;
      const fn = this.settleFn.value as unknown as number;
      this.contained(() => {
        try {
          const raw = this.raw;
          const [ok, ptr] = make();
          const [called, r] = raw.tryCall(fn, [raw.newNumber(ticket), raw.newNumber(ok ? 1 : 0), ptr === 0 ? raw.undefinedValue() : ptr]);
          if (!called) {
            const trap = this.fault(raw.handle<QuickJSHandle>(r), 'exception');
            if (trap.kind !== 'exception') this.trapNow(trap);
          } else {
            raw.free(r);
          }
        } catch (e) {
          this.trapNow(isOomText(e) ? new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes`) : new TrapError('exception', hostMessage(e)));
        }
      });
      this.runJobs();
    };
    p.then(
      (v) =>
        settle(() => {
          try {
            return [true, this.resultValue(nr, v)];
          } catch (e) {
            if (e instanceof AiosError) return [false, errorValue(e)];
            throw e;
          }
        }),
      (e) => settle(() => [false, errorValue(e)]),
    );
    return ticket;
  }

  private hostDone(args: QuickJSHandle[]): void {
    const ctx = this.ctx;
    const id = ctx.getNumber(args[1]!);
    if (ctx.getNumber(args[2]!) !== 1) {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      let value: unknown;
      if (args[3] !== undefined && ctx.typeof(args[3]) === 'string') {
        if (this.stringLength(args[3]) > MAX_WIRE) {
          w?.reject(new AiosError('EMSGSIZE', `hook result larger than ${MAX_WIRE} bytes`, { max: MAX_WIRE }));
          return;
        }
        try {
          value = JSON.parse(ctx.getString(args[3]));
        } catch {
          value = undefined;
        }
      }
      w?.resolve(value);
      return;
    }
    const d = args[3] ? this.describe(args[3], true) : { name: 'Error', message: 'undefined' };
    if (this.interrupted) {
      this.pendingTrap ??= this.cpuTrap();
      return;
    }
    if (isOom(d)) {
      this.pendingTrap ??= new TrapError('memory', `agent exceeded its memory limit of ${this.limits.memoryBytes} bytes`);
      return;
    }
    this.settle(id, d.message, d.stack, d.name, d.code);
  }

  private settle(id: number, message: string, stack: string | undefined, name: string, code?: string): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    let err: Error;
    if (name === 'AiosError' && isErrorCode(code)) err = new AiosError(code, message);
    else {
      err = new Error(message);
      err.name = name;
      if (code !== undefined) (err as Error & { code?: string }).code = code;
    }
    if (stack !== undefined) err.stack = `${name}: ${message}\n${stack}`;
    w.reject(err);
  }
}

