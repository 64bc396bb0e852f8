// Benchmark: the cost of a capability check on the syscall path. Two trivial syscalls
// from a native agent that differ only in the handle lookup with rights: ObjInfo(handle)
// (look up a handle with rights, return 4 fields) against SelfInfo() (no lookup, return
// 5 fields). Overhead = (ObjInfo - SelfInfo) / SelfInfo; goal <= 10 %. Batches of 1,000 calls.
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round } from './lib/stats.ts';

const batches = isFull() ? 20_000 : 4_000;
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { objCreate, objInfo, selfInfo } from '@aios/runtime/kernel';
const B = 1000;
const med = (xs) => { xs.sort((a, b) => a - b); return { p50: xs[Math.floor(xs.length / 2)], p99: xs[Math.floor(xs.length * 0.99)] }; };
export default defineAgent({ name: 'bench-cap', main(ctx) {
  const h = objCreate('bench');
  let sink = 0;
  for (let i = 0; i < 100000; i++) { sink += objInfo(h).rights; sink += selfInfo().id; }
  const withCheck = [], without = [];
  for (let b = 0; b < ${batches}; b++) {
    let t = performance.now();
    for (let i = 0; i < B; i++) sink += objInfo(h).rights;
    withCheck.push((performance.now() - t) * 1000 / B);
    t = performance.now();
    for (let i = 0; i < B; i++) sink += selfInfo().id;
    without.push((performance.now() - t) * 1000 / B);
  }
  ctx.log('RESULT ' + JSON.stringify({ withCheck: med(withCheck), without: med(without), sink: sink > 0 }));
} });
`;
const host = createTestHost({ config: { behavior: false } });
const r = (await agentResult(host, AGENT, { domain: 'native' })) as { withCheck: { p50: number; p99: number }; without: { p50: number; p99: number } };
host.shutdown();
const overhead = (r.withCheck.p50 - r.without.p50) / r.without.p50;
console.log(JSON.stringify({
  bench: 'capability-check-overhead',
  unit: 'microseconds per call',
  ours: { syscallWithHandleCheck: { p50: round(r.withCheck.p50, 4), p99: round(r.withCheck.p99, 4) } },
  baseline: { name: 'same-size syscall without a handle lookup (SelfInfo)', p50: round(r.without.p50, 4), p99: round(r.without.p99, 4) },
  overhead: round(overhead, 3),
  goal: { overhead_at_most: 0.1 },
  met: overhead <= 0.1,
}, null, 2));
