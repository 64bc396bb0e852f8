// The other process of the cluster benchmarks (forked by bench/lib/cluster.ts): node `b` of a cluster with the
// given prefix. It answers our request/reply ('echo') and raw NATS request/reply on `<prefix>.raw.echo` with the
// same bytes, counts one-way 1 KiB frames ('msg') and raw publishes on `<prefix>.raw.sink` and tells the parent
// (over the fork IPC channel, outside the measured path) when it has received N; on command it publishes
// agents in the directory ('agents': N of them; 'serve': one replica of an intent). It never destroys the buckets: the parent owns the prefix.
import { Cluster } from '../../packages/drivers/src/transport-nats/index.ts';

const [url, prefix, cookie, timing] = process.argv.slice(2) as [string, string, string, string];
const send = (m: unknown): void => void process.send?.(m);

const b = await Cluster.join({ url, node: 'b', cookie, prefix, ...(JSON.parse(timing) as object) });
let want = 0;
let got = { ours: 0, raw: 0 };
const count = (kind: 'ours' | 'raw'): void => {
  if (++got[kind] === want) send({ t: 'received', kind, n: want });
};
b.handleBytes('echo', (_from, body) => body);
b.handle('ask', () => ({ replica: 'b' }));
b.onFrame('msg', () => count('ours'));
b.connection.subscribe(`${prefix}.raw.echo`, { callback: (_e, m) => m.respond(m.data) });
b.connection.subscribe(`${prefix}.raw.sink`, { callback: () => count('raw') });

process.on('message', (m: { t: string; n?: number; intent?: string }) => {
  void (async () => {
    if (m.t === 'expect') {
      want = m.n!;
      got = { ours: 0, raw: 0 };
      send({ t: 'ok' });
    } else if (m.t === 'agents') {
      // Published in parallel batches: the directory bench measures lookups, not this fill.
      for (let i = 0; i < m.n!; i += 200) {
        await Promise.all(Array.from({ length: Math.min(200, m.n! - i) }, (_, j) =>
          b.putAgent({ name: `agent${i + j}`, id: 1000 + i + j, intents: [{ name: `${m.intent ?? 'task'}${(i + j) % 100}` }] })));
      }
      send({ t: 'ok' });
    } else if (m.t === 'serve') {
      // One agent serving `intent` (the failover bench's replica on this node).
      await b.putAgent({ name: 'replica', id: 1, intents: [{ name: m.intent! }] });
      send({ t: 'ok' });
    } else if (m.t === 'close') {
      await b.close();
      process.exit(0);
    }
  })().catch((e: Error) => send({ t: 'error', message: e.message }));
});
await b.connection.flush();
send({ t: 'ready' });
