// Benchmark: executors (sandboxed agents on worker threads). In one run:
// (1) scaling: K CPU-bound wasm agents, each a fixed amount of work in slices with schedYield(); wall
//     time from spawn to the last exit with executors=1 against executors=N (N = available parallelism),
//     and inline (executors=0, today's single loop) for reference. Goal: speedup >= 0.85 x N.
// (2) syscall round trip from an executor (ClockNow): p50/p99 measured in the worker around the ring call
//     (request written -> reply read), against the inline path (the same syscall through the dispatcher on
//     the kernel thread, timed around dispatcher.syscall). Also the mean per call seen by the agent. Goal: p50 < 5 us.
// (3) fairness: agents of weights 1:2:4 (nice 0, -3, -6) spinning in slices across N executors; Jain's index
//     of (CPU share / weight share). Goal >= 0.95. Reported for one agent per weight and for three per weight
//     (spinning in main: such agents never move, placement alone decides), and for one agent per weight with
//     serialize/restore hooks (spinning by messages to itself between activations: the balancer may move them).
import { availableParallelism, loadavg } from 'node:os';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import { isFull, round, summarize } from './lib/stats.ts';
import { haveErlang, runErlang } from './peers/erlang.ts';

const N = Math.max(2, availableParallelism());
const K = isFull() ? 8 : 4;
const SLICES = isFull() ? 400 : 150;
const SYSCALLS = isFull() ? 200_000 : 50_000;
const FAIR_SECONDS = isFull() ? 8 : 3;
/** How long a scaling run's node idles after boot before the clock starts (its executors prepare sandboxes). */
const BOOTED_IDLE_MS = 300;

const WORKER = (slices: number) => `
import { defineAgent } from '@aios/runtime';
import { schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'cruncher', async main(ctx) {
  let x = 0;
  for (let s = 0; s < ${slices}; s++) {
    for (let i = 0; i < 20000; i++) x = (x * 31 + i) | 0;
    await schedYield();
  }
  ctx.log('done ' + x);
} });
`;

/** Yields only: the cost of one switch between two agents (executor: a handoff each time). */
const YIELDER = (n: number) => `
import { defineAgent } from '@aios/runtime';
import { schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'yielder', async main() { for (let i = 0; i < ${n}; i++) await schedYield(); } });
`;

const CALLER = `
import { defineAgent } from '@aios/runtime';
import { clockNow } from '@aios/runtime/kernel';
export default defineAgent({ name: 'caller', main(ctx) {
  const t0 = Date.now();
  let s = 0;
  for (let i = 0; i < ${SYSCALLS}; i++) s += clockNow() > 0 ? 1 : 0;
  ctx.log('RESULT ' + JSON.stringify({ ms: Date.now() - t0, n: s }));
} });
`;

const SPINNER = `
import { defineAgent } from '@aios/runtime';
import { schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'spinner', async main(ctx) {
  const end = Date.now() + ${FAIR_SECONDS * 1000};
  let x = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 5000; i++) x = (x * 31 + i) | 0;
    await schedYield();
  }
  ctx.log('done ' + x);
} });
`;

/** The same spinning as a message server with hooks: each activation is one slice, so it can move between them. */
const MOVABLE_SPINNER = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, selfHandle } from '@aios/runtime/kernel';
let end = 0;
let x = 0;
export default defineAgent({ name: 'movable-spinner',
  onMessage(m, ctx) {
    if (end === 0) end = Date.now() + ${FAIR_SECONDS * 1000};
    if (Date.now() >= end) { ctx.log('done ' + x); return; }
    for (let i = 0; i < 5000; i++) x = (x * 31 + i) | 0;
    ipcSend(selfHandle(), new TextEncoder().encode('more'));
  },
  serialize() { return { end, x }; },
  restore(s) { end = s.end; x = s.x; },
});
`;

/** Cores this process used during the last scaling run (CPU time / wall time): how much the machine gave us. */
const coresUsed: Record<number, number> = {};

/** Waits until the host is as after `aios boot`: its executors' workers started and idle for BOOTED_IDLE_MS. */
async function booted(host: KernelHost): Promise<void> {
  if (host.kernel.exec !== null) await host.kernel.exec.ready();
  await new Promise((r) => setTimeout(r, BOOTED_IDLE_MS));
}

/** Wall time of the last scaling run counted from the host's creation (worker threads still starting), by executors. */
const coldWall: Record<number, number> = {};

/**
 * Wall time from the first spawn to the last exit, on a booted node: the executors' workers have started
 * and had BOOTED_IDLE_MS to prepare blank sandboxes, as after `aios boot` (spawn throughput has its own
 * bench). The time since the host's creation is kept too (coldWall).
 */
async function scaling(executors: number): Promise<number> {
  const tCreate = performance.now();
  const host = createTestHost({ config: { executors } });
  try {
    await booted(host);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const ids = await Promise.all(Array.from({ length: K }, (_, i) => host.spawn({ source: WORKER(SLICES) }, { name: `c${i}`, domain: 'wasm' })));
    for (const id of ids) {
      const st = await host.waitExit(id);
      if (st.code !== 0) throw new Error(`cruncher exited ${st.code}: ${st.reason}`);
    }
    const wall = performance.now() - t0;
    coldWall[executors] = performance.now() - tCreate - BOOTED_IDLE_MS;
    const c = process.cpuUsage(c0);
    coresUsed[executors] = round((c.user + c.system) / 1000 / wall, 2);
    return wall;
  } finally {
    host.shutdown();
  }
}

async function syscalls(executors: number): Promise<{ p50us: number; p99us: number; meanPerCallUs: number }> {
  const host: KernelHost = createTestHost({ config: { executors, behavior: false, sliceMs: 120_000 } });
  try {
    const samples: number[] = [];
    let restore: (() => void) | null = null;
    if (executors === 0) {
      // time the inline path where the executor's worker times its ring call: around the dispatcher
      const d = host.kernel.dispatcher;
      const orig = d.syscall.bind(d);
      d.syscall = (a, nr, args) => {
        const t = performance.now();
        try {
          return orig(a, nr, args);
        } finally {
          if (a.name === 'caller') samples.push((performance.now() - t) * 1000);
        }
      };
      restore = () => (d.syscall = orig);
    } else await host.kernel.exec!.stats(true);
    const id = await host.spawn({ source: CALLER }, { name: 'caller', domain: 'wasm' });
    const st = await host.waitExit(id);
    if (st.code !== 0) throw new Error(`caller exited ${st.code}: ${st.reason}`);
    const line = host.logs(id).find((l) => l.startsWith('RESULT '))!;
    const r = JSON.parse(line.slice(7)) as { ms: number; n: number };
    restore?.();
    let p50 = 0;
    let p99 = 0;
    if (executors === 0) {
      const s = summarize(samples);
      p50 = s.p50;
      p99 = s.p99;
    } else {
      const st2 = (await host.kernel.exec!.stats()) as Array<{ syscalls: number; p50us: number; p99us: number }>;
      const used = st2.filter((x) => x.syscalls > 0).sort((a, b) => b.syscalls - a.syscalls)[0]!;
      p50 = used.p50us;
      p99 = used.p99us;
    }
    return { p50us: round(p50, 2), p99us: round(p99, 2), meanPerCallUs: round((r.ms * 1000) / SYSCALLS, 2) };
  } finally {
    host.shutdown();
  }
}

/** Two agents that only yield, on one executor (or inline): wall time per yield, on a booted node. */
async function yieldSwitch(executors: number): Promise<{ usPerYield: number; handoffs: number | null }> {
  const n = isFull() ? 20_000 : 4_000;
  const host = createTestHost({ config: { executors } });
  try {
    await booted(host);
    const ids = await Promise.all([0, 1].map((i) => host.spawn({ source: YIELDER(n) }, { name: `y${i}`, domain: 'wasm' })));
    const t0 = performance.now();
    for (const id of ids) await host.waitExit(id);
    return { usPerYield: round(((performance.now() - t0) * 1000) / (2 * n), 1), handoffs: host.kernel.exec?.handoffs ?? null };
  } finally {
    host.shutdown();
  }
}

function jain(xs: number[]): number {
  const s = xs.reduce((a, b) => a + b, 0);
  return (s * s) / (xs.length * xs.reduce((a, b) => a + b * b, 0));
}

async function fairness(executors: number, perWeight: number, movable = false): Promise<{ jain: number; cpuShares: number[]; weights: number[]; placement: Array<number | undefined>; migrations: number[] }> {
  const host = createTestHost({ config: { executors } });
  try {
    const nices: number[] = [];
    for (let i = 0; i < perWeight; i++) nices.push(0, -3, -6);
    const ids = await Promise.all(nices.map((nice, i) => host.spawn({ source: movable ? MOVABLE_SPINNER : SPINNER }, { name: `w${i}`, nice, domain: 'wasm' })));
    if (movable) {
      for (const id of ids) host.send(id, 'go');
      const deadline = performance.now() + FAIR_SECONDS * 1000 + 30_000;
      while (!ids.every((id) => host.logs(id).some((l) => l.startsWith('done ')))) {
        if (performance.now() > deadline) throw new Error('movable spinners did not finish');
        await new Promise((r) => setTimeout(r, 20));
      }
    } else for (const id of ids) await host.waitExit(id);
    const rows = ids.map((id) => host.ps().find((a) => a.id === id)!);
    const cpu = rows.map((r) => r.cpuMs);
    const totalCpu = cpu.reduce((a, b) => a + b, 0);
    const totalW = rows.reduce((a, r) => a + r.weight, 0);
    const xs = rows.map((r, i) => cpu[i]! / totalCpu / (r.weight / totalW));
    return { jain: round(jain(xs), 4), cpuShares: cpu.map((c) => round(c / totalCpu, 4)), weights: rows.map((r) => r.weight), placement: rows.map((r) => r.executor), migrations: rows.map((r) => r.migrations ?? 0) };
  } finally {
    host.shutdown();
  }
}

const inlineWall = await scaling(0);
const oneWall = await scaling(1);
const nWall = await scaling(N);
const inlineYield = await yieldSwitch(0);
const execYield = await yieldSwitch(1);
const inlineRtt = await syscalls(0);
const execRtt = await syscalls(1);
const fair1 = await fairness(N, 1);
const fair3 = await fairness(N, 3);
const fairMovable = await fairness(N, 1, true);
const speedup = oneWall / nWall;
// Erlang/OTP, the same crunch (K processes, slices of 20,000 steps, erlang:yield() between): +S 1 against +S N.
// BEAM does a slice in far less time than QuickJS, so it runs ERL_SLICES_FACTOR times the slices to be measurable.
const ERL_SLICES_FACTOR = 10;
const erlArg = `{${K}, ${SLICES * ERL_SLICES_FACTOR}}`;
const erl = haveErlang()
  ? (() => {
      const one = runErlang('crunch', erlArg, 1) as { wallMs: number };
      const n = runErlang('crunch', erlArg, N) as { wallMs: number };
      return { schedulers: N, slicesEach: SLICES * ERL_SLICES_FACTOR, wallMsOne: round(one.wallMs, 1), wallMsN: round(n.wallMs, 1), speedup: round(one.wallMs / n.wallMs, 3), usPerSliceOne: round((one.wallMs * 1000) / (K * SLICES * ERL_SLICES_FACTOR), 2) };
    })()
  : { skipped: 'erl is not on the PATH' };

console.log(JSON.stringify({
  bench: 'executors',
  cpus: N,
  scaling: {
    agents: K, slicesEach: SLICES,
    ours: { executors: N, wallMs: round(nWall, 1), coresUsed: coresUsed[N] },
    baseline: { executors: 1, wallMs: round(oneWall, 1), coresUsed: coresUsed[1] },
    inline: { executors: 0, wallMs: round(inlineWall, 1), coresUsed: coresUsed[0] },
    loadAverage: loadavg().map((x) => round(x, 2)),
    speedup: round(speedup, 3),
    usPerSliceOne: round((oneWall * 1000) / (K * SLICES), 1),
    erlang: erl,
    fromCreation: { note: 'clock from the host creation (worker threads start and load meanwhile), idle time excluded', wallMs: { n: round(coldWall[N]!, 1), one: round(coldWall[1]!, 1), inline: round(coldWall[0]!, 1) }, speedup: round(coldWall[1]! / coldWall[N]!, 3) },
    goal: { speedup_at_least: round(0.85 * N, 2) },
    met: speedup >= 0.85 * N,
  },
  yieldSwitch: {
    note: 'two agents that only yield, sharing one executor: wall time per yield (the executor path is a handoff each time)',
    ours: { executors: 1, ...execYield },
    baseline: { executors: 0, ...inlineYield },
    ratio: round(execYield.usPerYield / Math.max(inlineYield.usPerYield, 0.001), 2),
  },
  syscallRoundTrip: {
    syscall: 'ClockNow', calls: SYSCALLS,
    ours: { path: 'executor ring', ...execRtt },
    baseline: { path: 'inline (kernel thread)', ...inlineRtt },
    ratio: round(execRtt.p50us / Math.max(inlineRtt.p50us, 0.001), 2),
    goal: { p50_us_below: 5 },
    met: execRtt.p50us < 5,
  },
  fairness: {
    weights: '1:2:4', seconds: FAIR_SECONDS,
    onePerWeight: fair1,
    threePerWeight: fair3,
    onePerWeightWithHooks: fairMovable,
    goal: { jain_at_least: 0.95 },
    met: { onePerWeight: fair1.jain >= 0.95, threePerWeight: fair3.jain >= 0.95, onePerWeightWithHooks: fairMovable.jain >= 0.95 },
  },
}, null, 2));
process.exit(0);
