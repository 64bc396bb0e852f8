// Benchmark: CPU fairness. Three agents of weights 1, 2 and 4 (nice 0, -3, -6 in the
// Linux table: 1024, 1991, 3906) compute in ~1 ms chunks and `await schedYield()`
// for D seconds. Jain's fairness index of (CPU share / weight share); goal >= 0.99.
// Baseline in the same run: the FIFO policy (arrival order, weights ignored).
import { createTestHost } from '@aios/testkit';
import { isFull, round } from './lib/stats.ts';

const SECONDS = isFull() ? 10 : 3;
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'spinner', async main(ctx) {
  const end = performance.now() + ${SECONDS * 1000};
  let x = 0;
  while (performance.now() < end) {
    const t = performance.now() + 1;
    while (performance.now() < t) x++;
    await schedYield();
  }
  ctx.log('done ' + (x > 0));
} });
`;

function jain(xs: number[]): number {
  const s = xs.reduce((a, b) => a + b, 0);
  return (s * s) / (xs.length * xs.reduce((a, b) => a + b * b, 0));
}

async function run(policy: 'cfs' | 'fifo'): Promise<{ jain: number; shares: number[]; weights: number[] }> {
  const host = createTestHost({ config: { sched: { policy } } });
  const nices = [0, -3, -6];
  const ids = await Promise.all(nices.map((nice) => host.spawn({ source: AGENT }, { name: `w${nice}`, nice, domain: 'native' })));
  const rows = await Promise.all(ids.map(async (id) => {
    await host.waitExit(id);
    return host.ps().find((a) => a.id === id)!;
  }));
  host.shutdown();
  const cpu = rows.map((r) => r.cpuMs);
  const totalCpu = cpu.reduce((a, b) => a + b, 0);
  const totalW = rows.reduce((a, r) => a + r.weight, 0);
  const xs = rows.map((r, i) => cpu[i]! / totalCpu / (r.weight / totalW));
  return { jain: jain(xs), shares: cpu.map((c) => round(c / totalCpu, 4)), weights: rows.map((r) => r.weight) };
}

const cfs = await run('cfs');
const fifo = await run('fifo');
console.log(JSON.stringify({
  bench: 'sched-fairness',
  seconds: SECONDS,
  weights: cfs.weights,
  ours: { policy: 'cfs', jain: round(cfs.jain, 4), cpuShares: cfs.shares },
  baseline: { policy: 'fifo', jain: round(fifo.jain, 4), cpuShares: fifo.shares },
  ratio: round(cfs.jain / fifo.jain, 3),
  goal: { jain_at_least: 0.99 },
  met: cfs.jain >= 0.99,
}, null, 2));
