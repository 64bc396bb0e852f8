// Benchmark: the cost of tracing on a syscall-heavy workload. A native agent runs rounds of 20 cheap syscalls
// (SelfHandle, untraced) plus one request to itself: an IPCSend tagged as a reply (traced: the root span of a
// new trace each round) and one IPCRecv (the receipt span, a child of the send; a reply does not become the
// agent's ambient context, so the next round is a new trace, sampled on its own).
// Runs in this process, interleaved twice: tracing off (no tracer port: the kernel's only cost is a null
// check), off again (the noise between two identical runs), on at 100 % (parentbased_always_on)
// and on at the default sampling (parentbased_traceidratio 0.1), both on the node's tracer (light span path, official OTLP
// exporter replaced by one that drops the spans, so the network is not measured).
// Goal: off within noise of off, on (at the default sampling) under 10% over off.
import { createTestHost } from '@aios/testkit';
import { createOtelTracer, samplerFromEnv } from '@aios/drivers/otel';
import { agentResult, isFull, round } from './lib/stats.ts';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rounds = isFull() ? 200_000 : Number(process.env.OTEL_BENCH_ROUNDS ?? 30_000);
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { selfHandle, ipcSend, ipcRecv } from '@aios/runtime/kernel';
export default defineAgent({ name: 'bench-otel', main(ctx) {
  const me = selfHandle(); const data = new Uint8Array(16); let sink = 0;
  const t0 = performance.now();
  for (let r = 0; r < ${rounds}; r++) {
    for (let i = 0; i < 20; i++) sink += selfHandle();
    ipcSend(me, data, { tag: 'reply' }); sink += ipcRecv().data.length;
  }
  ctx.log('RESULT ' + JSON.stringify({ ms: performance.now() - t0, sink: sink > 0 }));
} });`;

async function run(tracer?: Awaited<ReturnType<typeof createOtelTracer>>): Promise<number> {
  const host = createTestHost({ config: { behavior: false }, ...(tracer ? { tracer: tracer.port } : {}) });
  const r = (await agentResult(host, AGENT, { name: 'bench-otel', domain: 'native' })) as { ms: number };
  host.shutdown();
  return r.ms;
}

// Each mode runs in its own process (warm-up, then best of 3): in one process the kernel's IPC code, once it has
// seen traced messages, stays slower for untraced ones too (shared inline caches), which would blur off vs on.
type Mode = 'off' | 'on_100' | 'on_default';
const MODES: Mode[] = ['off', 'on_100', 'on_default', 'off'];
const mode = process.env.OTEL_BENCH_MODE as Mode | undefined;

if (mode !== undefined) {
  let exported = 0;
  const dropping = { export: (spans: unknown[], done: (r: { code: number }) => void) => { exported += spans.length; done({ code: 0 }); }, shutdown: async () => {} };
  const cfg = { url: 'http://127.0.0.1:9/v1/traces', protocol: 'http/json' as const, serviceName: 'bench' };
  const tracer = mode === 'off' ? undefined : await createOtelTracer({ ...cfg, sampler: samplerFromEnv(mode === 'on_100' ? { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } : {}) }, dropping as never);
  await run(tracer); // warm-up (JIT, image build)
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) ms.push(await run(tracer));
  await tracer?.flush();
  console.log(JSON.stringify({ ms: Math.min(...ms), exported, dropped: tracer?.dropped ?? 0 }));
  await tracer?.shutdown();
} else {
  const results: Array<{ mode: Mode; ms: number; exported: number; dropped: number }> = [];
  for (const m of MODES) {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { env: { ...process.env, OTEL_BENCH_MODE: m }, encoding: 'utf8' });
    results.push({ mode: m, ...(JSON.parse(out.trim().split('\n').pop()!) as { ms: number; exported: number; dropped: number }) });
  }
  const [offA, on100, onDefault, offB] = results as [typeof results[0], typeof results[0], typeof results[0], typeof results[0]];
  const offBest = Math.min(offA.ms, offB.ms);
  const syscallsPerRound = 22;
  const perCall = (ms: number) => (ms * 1000) / (rounds * syscallsPerRound);
  const overheadOn = on100.ms / offBest - 1;
  const overheadDefault = onDefault.ms / offBest - 1;
  console.log(JSON.stringify({
    bench: 'otel-overhead',
    unit: 'microseconds per syscall (best of 3, each mode in its own process)',
    syscalls: rounds * syscallsPerRound,
    default_sampler: samplerFromEnv({}).name + ' ' + samplerFromEnv({}).ratio,
    off: round(perCall(offA.ms)),
    off_again: round(perCall(offB.ms)),
    on_100_percent: round(perCall(on100.ms)),
    on_default_sampling: round(perCall(onDefault.ms)),
    noise_off_vs_off: round(Math.abs(offB.ms / offA.ms - 1), 3),
    overhead_on_100_percent: round(overheadOn, 3),
    overhead_on_default_sampling: round(overheadDefault, 3),
    spans_exported: { on_100_percent: on100.exported, on_default: onDefault.exported },
    spans_dropped_queue_full: { on_100_percent: on100.dropped, on_default: onDefault.dropped },
    goal: { off_within_noise: true, on_at_default_sampling_overhead_below: 0.1 },
    met: overheadDefault < 0.1,
  }, null, 2));
}
