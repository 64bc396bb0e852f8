// Benchmark: the cost of a capability check on the syscall path (issue "Security": a cached capability check,
// goal at most 10 % overhead on the trivial-syscall benchmark). From one native agent, same run: ObjInfo(handle)
// (argument array + handle lookup with type and rights + 4-field result) against SelfInfo() (no argument, no
// lookup, 5-field result); overhead = (ObjInfo - SelfInfo) / SelfInfo, an upper bound on the check's share as it
// also counts passing one argument. The trivial syscall (SelfHandle, bench/syscall.ts) is reported beside it.
// Batches of 1,000 calls (the clock costs more than a call).
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round } from './lib/stats.ts';

const batches = isFull() ? 20_000 : 4_000;
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { objCreate, objInfo, selfInfo, selfHandle } from '@aios/runtime/kernel';
const B = 1000;
const med = (xs) => { xs.sort((a, b) => a - b); return { p50: xs[Math.floor(xs.length / 2)], p99: xs[Math.floor(xs.length * 0.99)] }; };
export default defineAgent({ name: 'bench-cap', main(ctx) {
  const h = objCreate('bench');
  let sink = 0;
  for (let i = 0; i < 100000; i++) { sink += objInfo(h).rights; sink += selfInfo().id; sink += selfHandle(); }
  const withCheck = [], without = [], trivial = [];
  for (let b = 0; b < ${batches}; b++) {
    let t = performance.now();
    for (let i = 0; i < B; i++) sink += objInfo(h).rights;
    withCheck.push((performance.now() - t) * 1000 / B);
    t = performance.now();
    for (let i = 0; i < B; i++) sink += selfInfo().id;
    without.push((performance.now() - t) * 1000 / B);
    t = performance.now();
    for (let i = 0; i < B; i++) sink += selfHandle();
    trivial.push((performance.now() - t) * 1000 / B);
  }
  ctx.log('RESULT ' + JSON.stringify({ withCheck: med(withCheck), without: med(without), trivial: med(trivial), sink: sink > 0 }));
} });
`;
const host = createTestHost({ config: { behavior: false } });
type P = { p50: number; p99: number };
const r = (await agentResult(host, AGENT, { domain: 'native' })) as { withCheck: P; without: P; trivial: P };
host.shutdown();

const trivialNs = r.trivial.p50 * 1000;
const checkNs = (r.withCheck.p50 - r.without.p50) * 1000;
const endToEnd = (r.withCheck.p50 - r.without.p50) / r.without.p50;
console.log(JSON.stringify({
  bench: 'capability-check-overhead',
  unit: 'microseconds per call',
  checkNs: round(checkNs, 2),
  trivialSyscallNs: round(trivialNs, 2),
  endToEnd: {
    ours: { name: 'ObjInfo(handle)', p50: round(r.withCheck.p50, 4), p99: round(r.withCheck.p99, 4) },
    baseline: { name: 'SelfInfo() (no argument, no lookup)', p50: round(r.without.p50, 4), p99: round(r.without.p99, 4) },
    overhead: round(endToEnd, 3),
  },
  goal: { overhead_at_most: 0.1 },
  met: endToEnd <= 0.1,
}, null, 2));
