// Benchmark (issue 16): cross-node request/reply with a 1 KiB body between two processes (node a here, node b
// forked), through our link (Cluster.requestBytes: a binary frame sealed with ChaCha20-Poly1305 both ways, replay
// window, dispatch to b's byte handler), against raw NATS request/reply of the same 1 KiB between the same two connections.
// Sequential calls, the two kinds in alternating rounds so both see the same machine load. Goal: our p50 and
// p99 within 1.5x of raw NATS. Prints one JSON object. Buckets are destroyed at the end.
// Run: npx tsx --conditions=aios-source bench/cluster-rpc.ts [--full]
import { performance } from 'node:perf_hooks';
import { configuration } from './lib/config.ts';
import { KIB, NATS_URL, pair } from './lib/cluster.ts';
import { isFull, round, summarize } from './lib/stats.ts';

const ROUNDS = 6;
const PER_ROUND = isFull() ? 2_000 : 500;
const GOAL = 1.5;

const p = await pair();
try {
  const nc = p.a.connection;
  const ours = async (): Promise<void> => {
    const r = await p.a.requestBytes('b', 'echo', KIB);
    if (r.length !== KIB.length) throw new Error('echo mismatch');
  };
  const raw = async (): Promise<void> => {
    const r = await nc.request(`${p.prefix}.raw.echo`, KIB, { timeout: 5_000 });
    if (r.data.length !== KIB.length) throw new Error('raw echo mismatch');
  };
  // Warm-up: the link handshake and JIT, not measured.
  for (let i = 0; i < 200; i++) {
    await ours();
    await raw();
  }
  const samples = { ours: [] as number[], raw: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [kind, fn] of (r % 2 === 0 ? [['ours', ours], ['raw', raw]] : [['raw', raw], ['ours', ours]]) as Array<['ours' | 'raw', () => Promise<void>]>) {
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        await fn();
        samples[kind].push(performance.now() - t0);
      }
    }
  }
  const o = summarize(samples.ours);
  const b = summarize(samples.raw);
  const ratio = { p50: round(o.p50 / b.p50, 2), p99: round(o.p99 / b.p99, 2) };
  console.log(JSON.stringify({
    bench: 'cluster-rpc',
    configuration: configuration({ nats: NATS_URL, payloadBytes: KIB.length, calls: o.n, rounds: ROUNDS, processes: 2, path: 'Cluster.requestBytes (sealed link) vs nc.request' }),
    ours: { p50_ms: round(o.p50), p99_ms: round(o.p99), mean_ms: round(o.mean) },
    baseline: { name: 'raw NATS request/reply', p50_ms: round(b.p50), p99_ms: round(b.p99), mean_ms: round(b.mean) },
    ratio,
    goal: `ours within ${GOAL}x of raw NATS at p50 and p99`,
    met: ratio.p50 <= GOAL && ratio.p99 <= GOAL,
  }, null, 2));
} finally {
  await p.finish();
}
