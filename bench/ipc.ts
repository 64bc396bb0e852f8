// Benchmark: IPC throughput with 1 KiB messages between two native agents on one
// node, against Node's MessageChannel measured in the same process.
import { MessageChannel } from 'node:worker_threads';
import { createTestHost } from '@aios/testkit';
import { agentResult, isFull, round } from './lib/stats.ts';

const N = isFull() ? 5_000_000 : 1_000_000;

const RECEIVER = `
import { defineAgent } from '@aios/runtime';
import { ipcRecv, ipcWait } from '@aios/runtime/kernel';
export default defineAgent({ name: 'rx', async main(ctx) {
  const N = ${N}; let got = 0, bytes = 0; const t0 = performance.now();
  while (got < N) {
    for (;;) { let m; try { m = ipcRecv(); } catch { break; } got++; bytes += m.data.length; }
    if (got < N) { const m = await ipcWait(); got++; bytes += m.data.length; }
  }
  const secs = (performance.now() - t0) / 1000;
  ctx.log('RESULT ' + JSON.stringify({ msgs: got, bytes, secs }));
} });
`;
const SENDER = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, nsLookup, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'tx', async main() {
  const rx = nsLookup('rx'); const N = ${N}; const payload = new Uint8Array(1024).fill(7); let sent = 0;
  while (sent < N) {
    try { ipcSend(rx, payload); sent++; } catch (e) { if (e.code !== 'EAGAIN') throw e; await schedYield(); }
  }
} });
`;

async function ours(): Promise<{ rate: number; secs: number }> {
  const host = createTestHost();
  const rxId = await host.spawn({ source: RECEIVER }, { name: 'rx', domain: 'native', quotas: { mailboxDepth: 65_536 } });
  const rxHandle = host.handleFor(rxId);
  const done = agentResultById(host, rxId);
  await host.spawn({ source: SENDER }, { name: 'tx', domain: 'native', namespace: { rx: rxHandle } });
  const r = await done;
  host.shutdown();
  return { rate: r.msgs / r.secs, secs: r.secs };
}

async function agentResultById(host: ReturnType<typeof createTestHost>, id: number): Promise<{ msgs: number; secs: number }> {
  await host.waitExit(id);
  const line = host.logs(id).find((l) => l.startsWith('RESULT '))!;
  return JSON.parse(line.slice(7));
}

function messageChannel(n: number): Promise<{ rate: number; secs: number }> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    const payload = new Uint8Array(1024).fill(7);
    let got = 0;
    const t0 = performance.now();
    port2.on('message', () => {
      if (++got === n) {
        const secs = (performance.now() - t0) / 1000;
        port1.close();
        port2.close();
        resolve({ rate: n / secs, secs });
      }
    });
    let sent = 0;
    const pump = () => {
      // Send in chunks so the receiver runs; a single synchronous burst would only measure queueing.
      const end = Math.min(n, sent + 10_000);
      for (; sent < end; sent++) port1.postMessage(payload);
      if (sent < n) setImmediate(pump);
    };
    pump();
  });
}

void agentResult;
const mc = process.argv.includes('--only-ours') ? { rate: 1, secs: 0 } : await messageChannel(Math.min(N, 1_000_000));
const o = await ours();
console.log(JSON.stringify({
  bench: 'ipc-throughput-1KiB',
  messages: N,
  ours: { msgsPerSec: Math.round(o.rate), secs: round(o.secs) },
  baseline: { name: 'node MessageChannel (same process)', msgsPerSec: Math.round(mc.rate), secs: round(mc.secs) },
  ratio: round(o.rate / mc.rate, 2),
  goal: { msgsPerSec_at_least: 1_000_000, ratio_at_least: 5 },
  met: o.rate >= 1_000_000 && o.rate / mc.rate >= 5,
}, null, 2));
