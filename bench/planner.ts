// Benchmark of the planner (issue 14), in one node booted in this process: (1) per-step overhead of a plan (a chain
// of N trivial steps, N=1,000 with --full, 200 otherwise) against calling the same intent with ask() in a loop
// (here: the host's requests to semantic-ipcd, the same route a plan step takes); goal under 2x. (2) Parallel
// speedup: a fan-out of 32 steps that each wait 50 ms, against 32 x 50 ms; goal about one wait.
// (3) The peer: @langchain/langgraph running the same chain with its SQLite checkpointer (and MemorySaver), per
// step side by side with the planner's durable step (journaled in SQLite, synchronous); goal: cheaper per durable step.
// Prints one JSON object with `met`. Recovery after kill -9 is not measured here yet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot } from '../apps/node/src/node/boot.ts';
import { isFull, round } from './lib/stats.ts';
import { langgraphChain } from './peers/langgraph-chain.ts';

const N = isFull() ? 1_000 : 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const node = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-bench-planner-')), config: { services: true } });
const host = node.host;
let planner = 0;
for (let i = 0; i < 400 && planner === 0; i++) {
  try { planner = host.find('planner').id; } catch { await sleep(25); }
}
const sipc = host.find('semantic-ipcd').id;
// An agent handles one intent request at a time, so the fan-out needs 32 instances (semantic-ipcd picks the least loaded).
const INSTANCES = 32;
for (let i = 0; i < INSTANCES; i++) await host.spawn(join(import.meta.dirname, '../tests/planner/fixtures/steps.ts'), { domain: 'native' });
for (let i = 0; i < 400; i++) {
  if ((await host.request<unknown[]>(sipc, { op: 'intents' })).length >= 5 * INSTANCES) break;
  await sleep(25);
}

async function runPlan(plan: unknown): Promise<number> {
  const t0 = performance.now();
  const { id } = await host.request<{ id: string }>(planner, { op: 'submit', plan });
  let since = 0;
  for (;;) {
    const v = await host.request<{ state: string; version: number }>(planner, { op: 'watch', planId: id, since, waitMs: 20_000, outputs: false }, 30_000);
    since = v.version;
    if (v.state === 'done' || v.state === 'failed') {
      if (v.state !== 'done') throw new Error(`plan ${id} ${v.state}`);
      return performance.now() - t0;
    }
  }
}

// Warm up both paths.
for (let i = 0; i < 20; i++) await host.request(sipc, { op: 'ask', text: 'plan.echo', payload: i });
await runPlan({ goal: 'warm', steps: [{ id: 'a', intent: 'plan.echo' }] });

let t0 = performance.now();
for (let i = 0; i < N; i++) await host.request(sipc, { op: 'ask', text: 'plan.echo', payload: i });
const askMs = performance.now() - t0;
const chain = { goal: 'chain', steps: Array.from({ length: N }, (_, i) => ({ id: `s${i}`, intent: 'plan.echo', input: i, ...(i > 0 ? { after: [`s${i - 1}`] } : {}) })) };
const planMs = await runPlan(chain);

const fan = { goal: 'fan-out', steps: Array.from({ length: 32 }, (_, i) => ({ id: `w${i}`, intent: 'plan.wait', input: { ms: 50 } })) };
const fanMs = await runPlan(fan);
t0 = performance.now();
await node.shutdown();

const ratio = planMs / askMs;
const lg = await langgraphChain(N);
const planPerStep = planMs / N;
console.log(JSON.stringify({
  bench: 'planner',
  chain: { steps: N, askLoopMsPerStep: round(askMs / N, 3), planMsPerStep: round(planMs / N, 3), ratio: round(ratio, 2), goal: '< 2x' },
  fanOut: { steps: 32, waitMs: 50, instances: INSTANCES, totalMs: round(fanMs, 1), serialMs: 32 * 50, speedup: round((32 * 50) / fanMs, 1) },
  langgraph: {
    version: '1.7.3', steps: N, sqliteMsPerStep: round(lg.sqliteMsPerStep, 3), memoryMsPerStep: round(lg.memoryMsPerStep, 3),
    planMsPerStep: round(planPerStep, 3), ratioPlanToLangGraphSqlite: round(planPerStep / lg.sqliteMsPerStep, 2),
    ratioPlanToLangGraphMemory: round(planPerStep / lg.memoryMsPerStep, 2), goal: 'plan step cheaper than a LangGraph step with its SQLite checkpointer',
  },
  notMeasured: ['recovery time with 100 running plans after kill -9'],
  met: { chainUnder2x: ratio < 2, fanOutAboutOneWait: fanMs < 4 * 50, cheaperThanLangGraphDurable: planPerStep < lg.sqliteMsPerStep },
}, null, 2));
process.exit(0);
