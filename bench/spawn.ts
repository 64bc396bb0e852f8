// Benchmark: spawn plus exit of a native agent (cached image), with up to 64
// spawns in flight, against worker_threads Workers spawned to exit in the same run.
import { Worker } from 'node:worker_threads';
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round } from './lib/stats.ts';

const N = isFull() ? 100_000 : 20_000;
const PARENT = `
import { defineAgent } from '@aios/runtime';
import { agentSpawn, asyncWait, ipcRecv, handleClose } from '@aios/runtime/kernel';
const CHILD = "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'c', main() {} });";
export default defineAgent({ name: 'spawner', async main(ctx) {
  const N = ${N};
  await asyncWait(agentSpawn({ source: CHILD }));  // warm the image cache
  let exited = 0;
  const drain = () => { for (;;) { try { const m = ipcRecv(); if (m.tag === 'exit') exited++; } catch { return; } } };
  const t0 = performance.now();
  let started = 0;
  const inflight = [];
  while (started < N) {
    while (inflight.length < 64 && started < N) { inflight.push(agentSpawn({ source: CHILD }, { name: 'c' })); started++; }
    const h = await asyncWait(inflight.shift());
    handleClose(h);
    drain();
  }
  for (const t of inflight) handleClose(await asyncWait(t));
  while (exited < N) { drain(); if (exited < N) await new Promise((r) => setTimeout(r, 0)); }
  const secs = (performance.now() - t0) / 1000;
  ctx.log('RESULT ' + JSON.stringify({ n: N, secs }));
} });
`;

async function workers(n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const w = new Worker('', { eval: true });
      w.once('exit', () => resolve());
      w.once('error', reject);
    });
  }
  return n / ((performance.now() - t0) / 1000);
}

const baseline = process.argv.includes('--only-ours') ? 1 : await workers(isFull() ? 100 : 20);
const host = createTestHost({ config: { rootQuota: { spawns: 1_000_000 }, behavior: false } });
const r = (await agentResult(host, PARENT, { name: 'spawner', domain: 'native', capabilities: ['spawn'], quotas: { mailboxDepth: 65_536 } })) as { n: number; secs: number };
host.shutdown();
const rate = r.n / r.secs;
console.log(JSON.stringify({
  bench: 'spawn-exit-native',
  agents: r.n,
  ours: { perSec: Math.round(rate), secs: round(r.secs) },
  baseline: { name: 'worker_threads Worker spawn to exit', perSec: round(baseline, 1) },
  ratio: Math.round(rate / baseline),
  goal: { perSec_at_least: 20_000 },
  met: rate >= 20_000,
}, null, 2));
