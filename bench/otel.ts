// Benchmark: the cost of tracing on a syscall-heavy workload. A native agent runs rounds of 20 cheap syscalls
// (SelfHandle, untraced) plus one IPCSend to itself and one IPCRecv (traced: a span each, and a receipt span).
// Three runs in this process, interleaved twice: tracing off (no tracer port: the kernel's only cost is a null
// check), off again (the noise between two identical runs), and on (the official OpenTelemetry SDK with a
// BatchSpanProcessor whose exporter drops spans, so the network is not measured).
// Goal: off within noise of off, on under 10% over off.
import { createTestHost } from '@aios/testkit';
import { createOtelTracer } from '@aios/drivers/otel';
import { agentResult, isFull, round } from './lib/stats.ts';

const rounds = isFull() ? 200_000 : Number(process.env.OTEL_BENCH_ROUNDS ?? 30_000);
const AGENT = `
import { defineAgent } from '@aios/runtime';
import { selfHandle, ipcSend, ipcRecv } from '@aios/runtime/kernel';
export default defineAgent({ name: 'bench-otel', main(ctx) {
  const me = selfHandle(); const data = new Uint8Array(16); let sink = 0;
  const t0 = performance.now();
  for (let r = 0; r < ${rounds}; r++) {
    for (let i = 0; i < 20; i++) sink += selfHandle();
    ipcSend(me, data); sink += ipcRecv().data.length;
  }
  ctx.log('RESULT ' + JSON.stringify({ ms: performance.now() - t0, sink: sink > 0 }));
} });`;

async function run(tracer?: Awaited<ReturnType<typeof createOtelTracer>>): Promise<number> {
  const host = createTestHost({ config: { behavior: false }, ...(tracer ? { tracer: tracer.port } : {}) });
  const r = (await agentResult(host, AGENT, { name: 'bench-otel', domain: 'native' })) as { ms: number };
  host.shutdown();
  return r.ms;
}

const dropping = { export: (_spans: unknown[], done: (r: { code: number }) => void) => done({ code: 0 }), shutdown: async () => {} };
const on = await createOtelTracer({ url: 'http://127.0.0.1:9/v1/traces', protocol: 'http/json', serviceName: 'bench' }, dropping as never);
await run(); // warm-up (JIT, image build)
const offA: number[] = [], offB: number[] = [], onT: number[] = [];
for (let i = 0; i < 2; i++) {
  offA.push(await run());
  onT.push(await run(on));
  offB.push(await run());
}
await on.shutdown();
const best = (xs: number[]) => Math.min(...xs);
const syscallsPerRound = 22;
const perCall = (ms: number) => (ms * 1000) / (rounds * syscallsPerRound);
const noise = Math.abs(best(offB) / best(offA) - 1);
const overheadOn = best(onT) / Math.min(best(offA), best(offB)) - 1;
console.log(JSON.stringify({
  bench: 'otel-overhead',
  unit: 'microseconds per syscall (best of 2)',
  syscalls: rounds * syscallsPerRound,
  off: round(perCall(best(offA))),
  off_again: round(perCall(best(offB))),
  on: round(perCall(best(onT))),
  noise_off_vs_off: round(noise, 3),
  overhead_on: round(overheadOn, 3),
  goal: { off_within_noise: true, on_overhead_below: 0.1 },
  met: overheadOn < 0.1,
}, null, 2));
