// Shared setup of the cluster benchmarks: a unique prefix, node `a` in this process and node `b` in a forked
// process (bench/lib/cluster-peer.ts), both on the NATS server at AIOS_TEST_NATS (default 127.0.0.1:4222).
// The control channel between them is the fork's IPC, never NATS, so it does not load the measured path.
// finish() closes both and destroys the prefix's buckets; a hard deadline kills the run if it hangs.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Cluster } from '../../packages/drivers/src/transport-nats/index.ts';

export const NATS_URL = process.env.AIOS_TEST_NATS ?? 'nats://127.0.0.1:4222';
const COOKIE = 'bench-cluster-cookie';

export interface Pair {
  prefix: string;
  a: Cluster;
  child: ChildProcess;
  /** Sends a control message to b and resolves with b's next control message of type `t`. */
  ask(m: Record<string, unknown>, t?: string): Promise<Record<string, unknown>>;
  /** Resolves at b's next control message of type `t`. */
  next(t: string): Promise<Record<string, unknown>>;
  /** Joins another in-process node (same prefix, cookie and timing). */
  join(node: string): Promise<Cluster>;
  finish(): Promise<void>;
}

export async function pair(timing: Record<string, number> = {}, deadlineMs = 180_000): Promise<Pair> {
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const extra: Cluster[] = [];
  const child = fork(join(import.meta.dirname, 'cluster-peer.ts'), [NATS_URL, prefix, COOKIE, JSON.stringify(timing)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters: Array<{ t: string; resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  child.on('message', (m: Record<string, unknown>) => {
    const i = m.t === 'error' ? 0 : waiters.findIndex((w) => w.t === m.t);
    if (i < 0 || waiters.length === 0) return;
    const [w] = waiters.splice(i, 1);
    if (m.t === 'error') w!.reject(new Error(`peer: ${String(m.message)}`));
    else w!.resolve(m);
  });
  const next = (t: string): Promise<Record<string, unknown>> => new Promise((resolve, reject) => waiters.push({ t, resolve, reject }));
  const deadline = setTimeout(() => {
    console.error(`cluster bench: deadline of ${deadlineMs} ms passed, stopping`);
    child.kill('SIGKILL');
    process.exit(2);
  }, deadlineMs);
  deadline.unref();
  const ready = next('ready');
  const a = await Cluster.join({ url: NATS_URL, node: 'a', cookie: COOKIE, prefix, ...timing });
  await ready;
  const end = Date.now() + 10_000;
  while (a.directory.node('b') === null) {
    if (Date.now() > end) throw new Error('node b never appeared in the directory');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    prefix, a, child, next,
    ask: (m, t = 'ok') => {
      const p = next(t);
      child.send(m);
      return p;
    },
    join: async (node) => {
      const c = await Cluster.join({ url: NATS_URL, node, cookie: COOKIE, prefix, ...timing });
      extra.push(c);
      return c;
    },
    finish: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ t: 'close' });
        await new Promise<void>((r) => {
          const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 5_000);
          child.once('exit', () => { clearTimeout(t); r(); });
        });
      }
      for (const c of extra) await c.close();
      await a.close({ destroy: true });
      clearTimeout(deadline);
    },
  };
}

/** 1 KiB of bytes that do not compress to anything trivial. */
export const KIB = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131 + 7) & 0xff);
