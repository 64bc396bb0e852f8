// The executor worker: a worker thread that hosts sandboxed agents with the wasm domain (QuickJS), one
// command at a time. Each instance's gate goes over the syscall ring to the kernel thread; a blocking
// syscall returns a promise that a later 'settle' command resolves. After each run or settle command
// (and the microtasks it caused) the worker reports its measured time (DONE), which the kernel charges.
// Trusts the kernel thread (its commands); the sandboxes are the wasm domain's business.

import { randomFillSync } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { createWasmDomain } from '../domain/wasm/index.ts';
import { TrapError, type AgentInstance, type Gate } from '../domain/types.ts';
import { HANDOFF, OP, REPLY, type Command, type WorkerInit } from './protocol.ts';
import { readCommand } from './commands.ts';
import { RingClient } from './ring.ts';
import { Reader, readError, writeError, writeValue, type Writer } from './wire.ts';

/** Statistics of syscall round trips (us) kept for the bench (the last SAMPLES). */
const SAMPLES = 1 << 16;
/** At most one memory reading per instance per this many ms (reading QuickJS's usage is not free). */
const MEM_EVERY_MS = 100;
/** Blank sandboxes the worker prepares while it has nothing to do (as the kernel's idle steps do inline). */
const PREWARM_INSTANCES = 4;

const init = workerData as WorkerInit;
const ring = new RingClient(init.ring);
const domain = createWasmDomain({
  random: (n) => randomFillSync(new Uint8Array(n)),
  now: () => performance.now(),
  wallClock: () => Date.now(),
});

interface Hosted {
  inst: AgentInstance | null;
  pending: Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>;
  memAt: number;
}
const hosted = new Map<number, Hosted>();
const rtt = new Float64Array(SAMPLES);
let rttN = 0;
/** When the current run/settle command started (or was last handed off): its DONE reports the time since. */
let cmdStart = 0;
/** postMessage batches received (the kernel puts commands in a ring reply only when none is still on the way). */
let batches = 0;
/** DONE reports deferred while the next command runs; they go in front of the next ring message. */
const dones: Array<{ inst: number; cpuMs: number; mem: number }> = [];

/** Starts a ring message: the deferred DONE reports first (OP.DONE_BEFORE), then the caller's op. */
function begin(): Writer {
  const w = ring.begin();
  for (const d of dones) {
    w.u8(OP.DONE_BEFORE);
    w.u32(d.inst);
    w.f64(d.cpuMs);
    w.f64(d.mem);
  }
  dones.length = 0;
  return w;
}

/**
 * Sends a message and returns the reader positioned after the reply's status byte, with the status. Call-ins
 * the kernel makes first (loads of images for this executor) are carried out here, nested, as they come.
 */
function exchange(w: Writer): { status: number; r: Reader } {
  let r = ring.call(w);
  for (;;) {
    const status = r.u8();
    if (status !== REPLY.CALLIN) return { status, r };
    const inst = r.u32();
    const code = r.str();
    const limits = { memoryBytes: r.f64(), stackBytes: r.f64(), sliceMs: r.f64() };
    load({ t: 'load', inst, code, limits });
    r = ring.next();
  }
}

function gateFor(id: number, h: Hosted): Gate {
  return (nr, args) => {
    const w = begin();
    w.u8(OP.SYSCALL);
    w.u32(id);
    w.u32(nr);
    w.u32(batches);
    w.f64(performance.now() - cmdStart);
    writeValue(w, args);
    const t0 = performance.now();
    const { status, r } = exchange(w);
    rtt[rttN++ & (SAMPLES - 1)] = (performance.now() - t0) * 1000;
    if (status === REPLY.OK) return r.value();
    if (status === REPLY.ERROR) throw readError(r);
    const token = r.u32();
    if (r.u8() === HANDOFF.YES) {
      // the kernel charged this command so far and started the next activation: its commands run after this one
      cmdStart = performance.now();
      for (let n = r.u32(); n > 0; n--) queue.push(readCommand(r));
    }
    return new Promise((resolve, reject) => h.pending.set(token, { resolve, reject }));
  };
}

/** Sends one event (no syscall); its reply is a bare OK. */
function event(fill: (w: Writer) => void): void {
  const w = begin();
  fill(w);
  exchange(w);
}

function memOf(h: Hosted, force: boolean): number {
  if (h.inst === null) return 0;
  const now = performance.now();
  if (!force && now - h.memAt < MEM_EVERY_MS) return -1;
  h.memAt = now;
  return h.inst.memoryBytes();
}

function load(cmd: Extract<Command, { t: 'load' }>): void {
  const h: Hosted = { inst: null, pending: new Map(), memAt: 0 };
  hosted.set(cmd.inst, h);
  try {
    h.inst = domain.instantiate(cmd.code, gateFor(cmd.inst, h), cmd.limits);
  } catch (e) {
    hosted.delete(cmd.inst);
    const t = e instanceof TrapError ? e : new TrapError('load', e instanceof Error ? e.message : String(e));
    event((w) => {
      w.u8(OP.LOADFAIL);
      w.u32(cmd.inst);
      writeError(w, t);
    });
    return;
  }
  const info = h.inst.info;
  event((w) => {
    w.u8(OP.LOADED);
    w.u32(cmd.inst);
    writeValue(w, info);
    w.f64(memOf(h, true));
  });
}

function run(cmd: Extract<Command, { t: 'run' }>): void {
  const h = hosted.get(cmd.inst);
  const report = (ok: boolean, v: unknown): void =>
    event((w) => {
      w.u8(OP.RESULT);
      w.u32(cmd.inst);
      w.u32(cmd.id);
      w.u8(ok ? 1 : 0);
      if (!ok) return writeError(w, v);
      const mark = w.len;
      try {
        writeValue(w, v);
      } catch (e) {
        w.len = mark - 1;
        w.u8(0);
        writeError(w, e);
      }
    });
  if (h?.inst == null) return report(false, new TrapError('load', 'agent instance is disposed'));
  h.inst.dispatch(cmd.kind, cmd.payload).then(
    (v) => report(true, v),
    (e: unknown) => report(false, e),
  );
}

function settle(cmd: Extract<Command, { t: 'settle' }>): void {
  const h = hosted.get(cmd.inst);
  const p = h?.pending.get(cmd.token);
  if (h === undefined || p === undefined) return;
  h.pending.delete(cmd.token);
  const r = new Reader(cmd.wire);
  if (r.u8() === 1) p.resolve(r.value());
  else p.reject(readError(r));
}

function free(inst: number): void {
  const h = hosted.get(inst);
  hosted.delete(inst);
  h?.inst?.dispose();
}

function stats(reset: boolean): void {
  const n = Math.min(rttN, SAMPLES);
  const s = Array.from(rtt.subarray(0, n)).sort((a, b) => a - b);
  const q = (p: number): number => (n === 0 ? 0 : s[Math.min(n - 1, Math.floor(p * n))]!);
  if (reset) rttN = 0;
  event((w) => {
    w.u8(OP.STATS);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s[i]!;
    writeValue(w, { syscalls: n, p50us: q(0.5), p90us: q(0.9), p99us: q(0.99), meanUs: n === 0 ? 0 : sum / n });
  });
}

const queue: Command[] = [];
let running = false;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs commands in order; a run or settle is timed through the microtasks it causes, then reported. */
async function drain(): Promise<void> {
  running = true;
  while (queue.length > 0) {
    const cmd = queue.shift()!;
    switch (cmd.t) {
      case 'load':
        load(cmd);
        break;
      case 'free':
        free(cmd.inst);
        break;
      case 'stats':
        stats(cmd.reset);
        break;
      case 'run':
      case 'settle': {
        cmdStart = performance.now();
        if (cmd.t === 'run') run(cmd);
        else settle(cmd);
        await turn();
        const dt = performance.now() - cmdStart;
        const h = hosted.get(cmd.inst);
        const mem = h === undefined ? -1 : memOf(h, false);
        // with a next command waiting (a handoff's), the report rides in front of the next ring message
        if (queue.length > 0) dones.push({ inst: cmd.inst, cpuMs: dt, mem });
        else
          event((w) => {
            w.u8(OP.DONE);
            w.u32(cmd.inst);
            w.f64(dt);
            w.f64(mem);
          });
        break;
      }
    }
  }
  // deferred reports whose next command sent nothing (a free): the last goes as the message's own op
  const last = dones.pop();
  if (last !== undefined)
    event((w) => {
      w.u8(OP.DONE);
      w.u32(last.inst);
      w.f64(last.cpuMs);
      w.f64(last.mem);
    });
  running = false;
  setImmediate(prewarm);
}

/** While idle, prepares sandboxes one at a time (the wasm domain's pool), yielding between them. */
function prewarm(): void {
  if (running || queue.length > 0) return;
  if (domain.prewarmStep(PREWARM_INSTANCES)) setImmediate(prewarm);
}

parentPort!.on('message', (batch: Command[]) => {
  batches++;
  for (const c of batch) queue.push(c);
  if (!running) void drain();
});
