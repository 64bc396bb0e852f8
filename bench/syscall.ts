// Benchmark: trivial syscall round trip (SelfHandle) from a native agent, p50 and
// p99 per call, against a plain function call measured in the same agent.
// Per-call times come from batches of 1,000 calls (the clock costs more than a call).
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round } from './lib/stats.ts';

const batches = isFull() ? 20_000 : 3_000;
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { selfHandle } from '@aios/runtime/kernel';
const B = 1000;
function stats(xs) { xs.sort((a, b) => a - b); return { p50: xs[Math.floor(xs.length * 0.5)], p99: xs[Math.floor(xs.length * 0.99)] }; }
let sink = 0;
function plain(nr, args) { return nr + args.length; }
export default defineAgent({ name: 'bench-syscall', main(ctx) {
  const N = ${batches};
  for (let i = 0; i < 50_000; i++) { sink += selfHandle(); sink += plain(17, []); }
  const sys = [], base = [];
  for (let b = 0; b < N; b++) {
    let t0 = performance.now();
    for (let i = 0; i < B; i++) sink += selfHandle();
    sys.push((performance.now() - t0) * 1000 / B);
    t0 = performance.now();
    for (let i = 0; i < B; i++) sink += plain(17, [i]);
    base.push((performance.now() - t0) * 1000 / B);
  }
  ctx.log('RESULT ' + JSON.stringify({ syscall: stats(sys), baseline: stats(base), sink: sink > 0 }));
} });
`;

const host = createTestHost();
const r = (await agentResult(host, AGENT, { name: 'bench-syscall', domain: 'native' })) as { syscall: { p50: number; p99: number }; baseline: { p50: number; p99: number } };
host.shutdown();
console.log(JSON.stringify({
  bench: 'syscall-roundtrip',
  unit: 'microseconds per call',
  calls: batches * 1000,
  ours: { p50: round(r.syscall.p50), p99: round(r.syscall.p99) },
  baseline: { name: 'plain function call', p50: round(r.baseline.p50), p99: round(r.baseline.p99) },
  ratio_p50: round(r.syscall.p50 / r.baseline.p50, 1),
  goal: { p50_us_at_most: 2 },
  met: r.syscall.p50 <= 2,
}, null, 2));
