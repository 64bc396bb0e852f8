// Benchmark of the model device: 20 agents (16 backlogged batch agents mixing long and short
// requests, 4 interactive agents sending short ones) through the real llm-openai driver against
// the simulated server, WFQ vs FIFO in the same run. Prints one JSON object. --full (or FULL=1): longer.
// The two arms are identical but for the policy (same slots, pipeline, driver, server) and run as
// interleaved segments FIFO, WFQ, WFQ, FIFO, so drift in machine load falls on both alike.
import { createOpenAIChatDriver } from '../packages/drivers/src/llm-openai/index.ts';
import { createModelDevice } from '../packages/kernel/src/llm/index.ts';
import type { LlmQueuePolicy } from '../packages/kernel/src/llm/index.ts';
import type { LlmRequest } from '@aios/abi';
import { startSimLlmServerProcess } from './sim-llm-server.ts';
import { rng } from '../scripts/encoder/data.ts';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const SLOTS = 4;
/** Requests the device keeps queued at the server beyond its slots, hiding the HTTP turnaround. */
/** The driver's default (what a node uses) unless LLM_BENCH_PIPELINE overrides it. */
let PIPELINE = 0;
const PIPELINE_OVERRIDE = process.env.LLM_BENCH_PIPELINE === undefined ? undefined : Number(process.env.LLM_BENCH_PIPELINE);
const MS_PER_TOKEN = Number(process.env.LLM_BENCH_MS_PER_TOKEN ?? 0.25); // long request = 600 tokens = 150 ms; short = 60 tokens = 15 ms
const IDEAL_TOKENS_PER_S = (SLOTS * 1000) / MS_PER_TOKEN; // every slot busy all the time
const RUN_MS = FULL ? 60_000 : 12_000; // per arm, split into two segments
const WARM_MS = 1_500; // per segment, not measured
const TAIL_MS = 500; // per segment, run but not measured, so requests at work when the window ends still finish
const BATCH_AGENTS = 16;
const INTERACTIVE_AGENTS = 4;
const DEPTH = 3; // requests each batch agent keeps outstanding
const THINK_MS = 100; // pause of an interactive agent between requests (it asks for less than its fair share)
const LONG = { prompt: 300, completion: 300 };
const SHORT = { prompt: 30, completion: 30 };


const makeReq = (size: { prompt: number; completion: number }): LlmRequest => ({
  messages: [{ role: 'user', content: Array(size.prompt - 2).fill('w').join(' ') }],
  maxTokens: size.completion,
});

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const jain = (xs: number[]): number => {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return sq === 0 ? 0 : (sum * sum) / (xs.length * sq);
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

interface Done { agent: number; tokens: number; short: boolean; interactive: boolean; submittedAt: number; doneAt: number }

/**
 * Tokens of a request credited to the window [from, to]: in proportion to how much of its work at
 * the server (tokens x MS_PER_TOKEN, ending when the answer arrived) lies in the window, so that
 * requests straddling an edge add no noise.
 */
const credited = (d: Done, from: number, to: number): number => {
  const start = d.doneAt - d.tokens * MS_PER_TOKEN;
  const overlap = Math.min(d.doneAt, to) - Math.max(start, from);
  return overlap <= 0 ? 0 : (d.tokens * overlap) / (d.doneAt - start);
};

const weights = new Map<number, number>();
for (let a = 1; a <= BATCH_AGENTS; a++) weights.set(a, a % 8 === 1 || a % 8 === 2 ? 2 : 1);

/** What one segment measured: its requests, its window [from, to] in ms since its start, errors. */
interface Segment { done: Done[]; from: number; to: number; errors: string[] }

/** Runs all agents against a fresh device and driver for durationMs; measured is [WARM_MS, durationMs - TAIL_MS]. */
async function runSegment(baseURL: string, policy: LlmQueuePolicy, durationMs: number): Promise<Segment> {
  const driver = createOpenAIChatDriver({ baseURL, model: 'sim-1', slots: SLOTS, timeoutMs: 60_000, ...(PIPELINE_OVERRIDE !== undefined ? { pipeline: PIPELINE_OVERRIDE } : {}) });
  const dev = createModelDevice({ driver, clock: { now: () => performance.now() }, policy });
  PIPELINE = dev.stats().pipeline;
  const done: Done[] = [];
  const t0 = performance.now();
  let stop = false;
  const errors: string[] = [];

  const one = async (agent: number, short: boolean, interactive: boolean): Promise<void> => {
    const submittedAt = performance.now();
    try {
      const r = await dev.submit(agent, makeReq(short ? SHORT : LONG), { weight: weights.get(agent) ?? 1, interactive });
      done.push({ agent, tokens: r.usage.promptTokens + r.usage.completionTokens, short, interactive, submittedAt: submittedAt - t0, doneAt: performance.now() - t0 });
    } catch (e) {
      if (!stop) errors.push(String(e));
    }
  };
  const batch = async (agent: number): Promise<void> => {
    const rand = rng(agent * 7919);
    const longHeavy = agent <= BATCH_AGENTS / 2; // 90 % long; the others 90 % short
    const worker = async (): Promise<void> => {
      while (!stop) await one(agent, longHeavy ? rand() >= 0.9 : rand() < 0.9, false);
    };
    await Promise.all(Array.from({ length: DEPTH }, worker));
  };
  const interactive = async (agent: number): Promise<void> => {
    while (!stop) {
      await one(agent, true, true);
      await new Promise((r) => setTimeout(r, THINK_MS));
    }
  };
  const loops = [
    ...Array.from({ length: BATCH_AGENTS }, (_, i) => batch(i + 1)),
    ...Array.from({ length: INTERACTIVE_AGENTS }, (_, i) => interactive(BATCH_AGENTS + 1 + i)),
  ];
  await new Promise((r) => setTimeout(r, durationMs));
  stop = true;
  for (let a = 1; a <= BATCH_AGENTS + INTERACTIVE_AGENTS; a++) dev.cancelAgent(a);
  await Promise.all(loops);

  return { done, from: WARM_MS, to: Math.max(WARM_MS, durationMs - TAIL_MS), errors };
}

/** Figures of one policy over its segments (tokens and samples pooled). */
function summarize(policy: LlmQueuePolicy, segs: Segment[]) {
  const inWindow = segs.flatMap((s) => s.done.filter((d) => d.doneAt >= s.from && d.doneAt <= s.to));
  const windowS = segs.reduce((t, s) => t + (s.to - s.from) / 1000, 0);
  const errors = segs.flatMap((s) => s.errors);
  const perAgent = new Map<number, number>();
  let tokens = 0;
  for (const s of segs) {
    for (const d of s.done) {
      const c = credited(d, s.from, s.to);
      perAgent.set(d.agent, (perAgent.get(d.agent) ?? 0) + c);
      tokens += c;
    }
  }
  const batchIds = Array.from({ length: BATCH_AGENTS }, (_, i) => i + 1);
  const total = batchIds.reduce((s, a) => s + (perAgent.get(a) ?? 0), 0);
  const normShares = batchIds.map((a) => (perAgent.get(a) ?? 0) / total / (weights.get(a)! / batchIds.reduce((s, b) => s + weights.get(b)!, 0)));
  const lat = (f: (d: Done) => boolean) => inWindow.filter((d) => d.submittedAt >= WARM_MS && f(d)).map((d) => d.doneAt - d.submittedAt);
  const interactiveLat = lat((d) => d.interactive);
  const shortLat = lat((d) => d.short);
  const throughput = tokens / windowS;
  return {
    policy,
    jainShareOverWeight: r3(jain(normShares)),
    shareOverWeightMinMax: [r3(Math.min(...normShares)), r3(Math.max(...normShares))],
    throughputTokensPerS: Math.round(throughput),
    backendUtilization: r3(throughput / IDEAL_TOKENS_PER_S),
    requestsCompleted: inWindow.length,
    interactiveShortP95Ms: r3(pct(interactiveLat, 95)),
    interactiveShortP50Ms: r3(pct(interactiveLat, 50)),
    interactiveSamples: interactiveLat.length,
    allShortP95Ms: r3(pct(shortLat, 95)),
    errors: errors.slice(0, 3),
  };
}

const server = await startSimLlmServerProcess({ slots: SLOTS, msPerPromptToken: MS_PER_TOKEN, msPerCompletionToken: MS_PER_TOKEN });
try {
  await runSegment(server.baseURL, 'fifo', 500); // warm up JIT and connections, both code paths
  await runSegment(server.baseURL, 'wfq', 500);
  const segs: Record<LlmQueuePolicy, Segment[]> = { fifo: [], wfq: [] };
  for (const policy of ['fifo', 'wfq', 'wfq', 'fifo'] as const) segs[policy].push(await runSegment(server.baseURL, policy, RUN_MS / 2));
  const fifo = summarize('fifo', segs.fifo);
  const wfq = summarize('wfq', segs.wfq);
  const thr = wfq.throughputTokensPerS / fifo.throughputTokensPerS;
  const lat = fifo.interactiveShortP95Ms / wfq.interactiveShortP95Ms;
  const out = {
    bench: 'llm-sched',
    setup: {
      agents: BATCH_AGENTS + INTERACTIVE_AGENTS, batchAgents: BATCH_AGENTS, interactiveAgents: INTERACTIVE_AGENTS, slots: SLOTS, pipeline: PIPELINE,
      msPerToken: MS_PER_TOKEN, long: LONG, short: SHORT, depthPerBatchAgent: DEPTH, runMs: RUN_MS, segments: 'fifo,wfq,wfq,fifo', warmupMsPerSegment: WARM_MS, tailMsPerSegment: TAIL_MS, full: FULL,
      note: 'batch agents 1-8 send 90% long, 9-16 90% short, weights 2 for agents 1,2,9,10; fairness is over the backlogged batch agents; latency is of the interactive agents\' short requests',
      serverMaxBusy: server.stats.maxBusy,
    },
    ours: wfq,
    baseline: fifo,
    ratios: { jainWfq: wfq.jainShareOverWeight, jainFifo: fifo.jainShareOverWeight, throughputWfqOverFifo: r3(thr), shortP95FifoOverWfq: r3(lat), allShortP95FifoOverWfq: r3(fifo.allShortP95Ms / wfq.allShortP95Ms) },
    goals: {
      fairness: { goal: 'Jain(share/weight) >= 0.95', value: wfq.jainShareOverWeight, met: wfq.jainShareOverWeight >= 0.95 },
      throughput: {
        goal: 'WFQ tokens/s >= FIFO tokens/s', value: r3(thr), met: thr >= 1,
        requestsWfqOverFifo: r3(wfq.requestsCompleted / fifo.requestsCompleted),
        idealTokensPerS: IDEAL_TOKENS_PER_S,
        utilizationWfq: wfq.backendUtilization, utilizationFifo: fifo.backendUtilization,
        note: 'WFQ completes ~2x the requests of FIFO for the same tokens (fair token shares favour the short-heavy agents), so any per-request idle time at the server costs it more; the pipeline keeps the next request queued at the server so a freed slot starts at once instead of after an HTTP round trip',
      },
      shortLatency: { goal: 'short-request p95 >= 3x better than FIFO', value: r3(lat), met: lat >= 3 },
    },
  };
  await server.close();
  out.setup.serverMaxBusy = server.stats.maxBusy;
  console.log(JSON.stringify(out, null, 2));
} catch (e) {
  await server.close().catch(() => undefined);
  throw e;
}
