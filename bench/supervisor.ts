// Benchmark: restart of a crashed sandboxed (wasm) agent under a one_for_one
// supervisor (the agentsupervisor image): time from the crashed child's exit to its
// replacement's start, as the kernel's events see them. Baseline in the same run: a
// worker_threads Worker that throws, from its 'error' event to the new Worker 'online'.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createTestHost } from '@aios/testkit';
import { isFull, round, summarize } from './lib/stats.ts';

const N = isFull() ? 2_000 : 300;
const WARMUP = 20;
const SUPERVISOR = fileURLToPath(new URL('../packages/services/src/agentsupervisor/agent.ts', import.meta.url));
const CHILD = `
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'crashy', onMessage(m) { if (m.text() === 'crash') throw new Error('crash on purpose'); } });
`;

async function ours(): Promise<number[]> {
  const host = createTestHost({ config: { rootQuota: { spawns: 1_000_000 } } });
  const exitAt = new Map<number, number>();
  let startWaiter: ((id: number, t: number) => void) | null = null;
  let sup = -1;
  host.kernel.subscribeHost('agent.*.exit', (e) => exitAt.set(e.data.id as number, performance.now()));
  host.kernel.subscribeHost('agent.*.start', (e) => {
    const t = performance.now();
    const a = host.kernel.agents.get(e.data.id as number);
    if (a && a.parent?.id === sup && startWaiter) startWaiter(a.id, t);
  });
  const nextStart = () => new Promise<{ id: number; t: number }>((resolve) => { startWaiter = (id, t) => { startWaiter = null; resolve({ id, t }); }; });
  let first = nextStart();
  sup = await host.spawn({ path: SUPERVISOR }, {
    name: 'sup', domain: 'native', capabilities: ['spawn'],
    config: { flags: { strategy: 'one_for_one', intensity: 1_000_000, period: 1 }, specs: [{ id: 'crashy', start: { image: { source: CHILD }, opts: { domain: 'wasm' } } }] },
  });
  let cur = await first;
  const samples: number[] = [];
  for (let i = 0; i < N + WARMUP; i++) {
    first = nextStart();
    host.send(cur.id, 'crash');
    const next = await first;
    if (i >= WARMUP) samples.push(next.t - exitAt.get(cur.id)!);
    cur = next;
  }
  host.shutdown();
  return samples;
}

async function baseline(n: number): Promise<number[]> {
  const code = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => { throw new Error('crash on purpose'); });`;
  const samples: number[] = [];
  let crashedAt = 0;
  const start = () => new Promise<Worker>((resolve) => {
    const w = new Worker(code, { eval: true });
    w.once('online', () => {
      if (crashedAt > 0) samples.push(performance.now() - crashedAt);
      resolve(w);
    });
  });
  let w = await start();
  for (let i = 0; i < n + WARMUP; i++) {
    await new Promise<void>((resolve) => {
      w.once('error', () => {
        crashedAt = performance.now();
        resolve();
      });
      w.postMessage('crash');
    });
    w = await start();
  }
  await w.terminate();
  return samples.slice(WARMUP);
}

const a = summarize(await ours());
const b = summarize(await baseline(isFull() ? 500 : 100));
console.log(JSON.stringify({
  bench: 'supervisor-restart-one_for_one-wasm',
  restarts: a.n,
  ours: { p50_ms: round(a.p50), p99_ms: round(a.p99), mean_ms: round(a.mean) },
  baseline: { name: 'worker_threads Worker respawned after it throws (error -> online)', n: b.n, p50_ms: round(b.p50), p99_ms: round(b.p99), mean_ms: round(b.mean) },
  ratio_p50: round(b.p50 / a.p50, 2),
  goal: { p50_ms_at_most: 5 },
  met: a.p50 <= 5,
}, null, 2));
