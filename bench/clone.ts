// Benchmark: clone of an agent holding 10 MiB of state (serialize/restore hooks carry
// a 10 MiB memory region's address; the kernel copies the region page by page), in the
// native domain. Baseline in the same run: structuredClone of the same 10 MiB buffer.
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round, summarize } from './lib/stats.ts';

const MiB = 10;
const RUNS = isFull() ? 20 : 5;
const AGENT = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
import * as o from '@aios/runtime/orchestration';
const HOLDER = ${JSON.stringify(`
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
let region = 0;
export default defineAgent({ name: 'holder',
  main() { region = k.agentMemAlloc(${MiB} * 1048576); const chunk = new Uint8Array(1048576).fill(7); for (let i = 0; i < ${MiB}; i++) k.memWrite(region + i * 1048576, chunk); },
  onMessage() {},
  serialize: () => ({ region }),
  restore: (s) => { region = s.region; },
});`)};
export default defineAgent({ name: 'cloner', async main(ctx) {
  const h = await (await import('@aios/runtime')).spawn({ source: HOLDER }, { quotas: { memBytes: 1024 * 1048576 } });
  await k.sleep(50);
  const times = [];
  for (let i = 0; i < ${RUNS}; i++) {
    const t = performance.now();
    const c = await o.clone(h);
    times.push(performance.now() - t);
    k.agentKill(c);
  }
  ctx.log('RESULT ' + JSON.stringify(times));
} });`;
const host = createTestHost({ config: { behavior: false } });
const times = (await agentResult(host, AGENT, { capabilities: ['spawn'], domain: 'native', quotas: { memBytes: 4 * 1024 * 2 ** 20 } })) as unknown as number[];
host.shutdown();
const buf = new Uint8Array(MiB * 2 ** 20).fill(7);
const base: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  structuredClone(buf);
  base.push(performance.now() - t);
}
const s = summarize(times);
const b = summarize(base);
console.log(JSON.stringify({
  bench: 'clone-10MiB',
  runs: RUNS,
  ours: { p50Ms: round(s.p50, 1), maxMs: round(Math.max(...times), 1) },
  baseline: { name: 'structuredClone of 10 MiB', p50Ms: round(b.p50, 2) },
  ratio: round(s.p50 / b.p50, 1),
  note: 'the clone copies the region through a checkpoint image (base64 pages) and starts a new agent',
}, null, 2));
