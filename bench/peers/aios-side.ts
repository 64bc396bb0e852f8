// The AIOS side of the peer benchmarks: the same three workloads as aios_peer.erl, run as agents on a test
// kernel (real ports, behaviour monitor on as in a node) in the native or the wasm domain.
import { createTestHost } from '@aios/testkit';
import type { Domain } from '@aios/abi';

type Host = ReturnType<typeof createTestHost>;

async function resultOf(host: Host, id: number): Promise<Record<string, number>> {
  const st = await host.waitExit(id);
  const line = host.logs(id).find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`bench agent exited ${st.code} (${st.reason}) without a RESULT: ${host.logs(id).join(' | ')}`);
  return JSON.parse(line.slice(7)) as Record<string, number>;
}

/**
 * Spawn and exit of N children of `domain`, at most 64 in flight, each exit seen by the parent. `behavior`
 * is the kernel's behaviour-monitor setting: off by default (see below), or thresholds to run it with.
 */
export async function aiosSpawnExit(domain: Domain, n: number, behavior: false | Record<string, number> = false, executors?: number): Promise<{ perSec: number; secs: number }> {
  const PARENT = `
import { defineAgent } from '@aios/runtime';
import { agentSpawn, asyncWait, ipcRecv, ipcWait, handleClose, clockNow } from '@aios/runtime/kernel';
const CHILD = "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'c', main() {} });";
export default defineAgent({ name: 'spawner', async main(ctx) {
  const N = ${n}, opts = { name: 'c', domain: ${JSON.stringify(domain)} };
  handleClose(await asyncWait(agentSpawn({ source: CHILD }, opts))); await ipcWait(); // warm the image
  let exited = 0, started = 0; const inflight = [];
  const drain = () => { for (;;) { try { if (ipcRecv().tag === 'exit') exited++; } catch { return; } } };
  const t0 = clockNow();
  while (started < N) {
    while (inflight.length < 64 && started < N) { inflight.push(agentSpawn({ source: CHILD }, opts)); started++; }
    handleClose(await asyncWait(inflight.shift()));
    drain();
  }
  for (const t of inflight) handleClose(await asyncWait(t));
  while (exited < N) { drain(); if (exited < N) { const m = await ipcWait(); if (m.tag === 'exit') exited++; } }
  ctx.log('RESULT ' + JSON.stringify({ secs: (clockNow() - t0) / 1000 }));
} });`;
  // The behaviour monitor is off by default here, and the report says so: it reads a burst of 64 spawns in
  // flight as a spawn bomb and quarantines the spawner (bench/spawn.ts also runs it on, burst threshold raised).
  // executors: sandboxed children on that many worker threads (0: inline); unset: AIOS_CPUS as in the tests.
  const host = createTestHost({ config: { rootQuota: { spawns: 10_000_000 }, behavior, ...(executors !== undefined ? { executors } : {}) } });
  try {
    const id = await host.spawn({ source: PARENT }, { name: 'spawner', domain: 'native', capabilities: ['spawn'], quotas: { mailboxDepth: 65_536 } });
    const r = await resultOf(host, id);
    return { perSec: n / r.secs!, secs: r.secs! };
  } finally {
    host.shutdown();
  }
}

/** Kernel settings of a message bench's test host (e.g. `{ executors: 2 }`). */
type HostConfig = NonNullable<Parameters<typeof createTestHost>[0]>['config'];

/** N messages of 1 KiB from one agent to another (the sender backs off on EAGAIN). */
export async function aiosMessages(domain: Domain, n: number, config: HostConfig = {}): Promise<{ perSec: number; secs: number }> {
  const RX = `
import { defineAgent } from '@aios/runtime';
import { ipcRecv, ipcWait, clockNow, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'rx', async main(ctx) {
  // The clock starts at the first message (not at spawn: the sender's image is still being built then).
  const N = ${n}; const first = await ipcWait(); let got = 1, bytes = first.data.length; const t0 = clockNow();
  // Drains up to 512 queued messages per turn, then yields (a sandboxed turn must end within its slice).
  while (got < N) {
    let k = 0;
    for (; k < 512; k++) { let m; try { m = ipcRecv(); } catch { break; } got++; bytes += m.data.length; }
    if (got >= N) break;
    if (k === 512) await schedYield(); else { const m = await ipcWait(); got++; bytes += m.data.length; }
  }
  if (bytes !== N * 1024) throw new Error('lost bytes');
  ctx.log('RESULT ' + JSON.stringify({ secs: (clockNow() - t0) / 1000 }));
} });`;
  const TX = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, nsLookup, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'tx', async main() {
  const rx = nsLookup('rx'); const p = new Uint8Array(1024).fill(7); let sent = 0;
  // Yields every 512 sends, and at once on EAGAIN (a sandboxed turn must end within its CPU slice).
  while (sent < ${n}) {
    for (let i = 0; i < 512 && sent < ${n}; i++) { try { ipcSend(rx, p); sent++; } catch (e) { if (e.code !== 'EAGAIN') throw e; break; } }
    await schedYield();
  }
} });`;
  const host = createTestHost({ config });
  try {
    const rx = await host.spawn({ source: RX }, { name: 'rx', domain, quotas: { mailboxDepth: 65_536 } });
    await host.spawn({ source: TX }, { name: 'tx', domain, namespace: { rx: host.handleFor(rx) } });
    const r = await resultOf(host, rx);
    return { perSec: (n - 1) / r.secs!, secs: r.secs! };
  } finally {
    host.shutdown();
  }
}

/**
 * As aiosMessages, with the vectored calls: the sender queues `batch` messages per IPCSendMany (the same 1 KiB
 * buffer each time), the receiver takes up to `batch` per IPCRecvMany. Each side still yields every 512 messages.
 */
export async function aiosMessagesBatched(domain: Domain, n: number, batch = 64, config: HostConfig = {}, txDomain: Domain = domain): Promise<{ perSec: number; secs: number }> {
  const RX = `
import { defineAgent } from '@aios/runtime';
import { ipcRecvMany, ipcWait, clockNow, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'rx', async main(ctx) {
  // The clock starts at the first message (not at spawn: the sender's image is still being built then).
  const N = ${n}; const first = await ipcWait(); let got = 1, bytes = first.data.length; const t0 = clockNow();
  while (got < N) {
    let k = 0;
    while (k < 512) {
      let l; try { l = ipcRecvMany(${batch}); } catch { break; }
      for (let i = 0; i < l.length; i++) bytes += l[i].data.length;
      k += l.length;
    }
    got += k;
    if (got >= N) break;
    if (k >= 512) await schedYield(); else { const m = await ipcWait(); got++; bytes += m.data.length; }
  }
  if (bytes !== N * 1024) throw new Error('lost bytes');
  ctx.log('RESULT ' + JSON.stringify({ secs: (clockNow() - t0) / 1000 }));
} });`;
  const TX = `
import { defineAgent } from '@aios/runtime';
import { ipcSendMany, nsLookup, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'tx', async main() {
  const rx = nsLookup('rx'); const p = new Uint8Array(1024).fill(7); const all = []; let sent = 0;
  for (let i = 0; i < ${batch}; i++) all.push(p);
  while (sent < ${n}) {
    let turn = 0;
    while (turn < 512 && sent < ${n}) {
      const q = ${n} - sent >= all.length ? all : all.slice(0, ${n} - sent);
      let k; try { k = ipcSendMany(rx, q); } catch (e) { if (e.code !== 'EAGAIN') throw e; break; }
      sent += k; turn += k;
      if (k < q.length) break;
    }
    await schedYield();
  }
} });`;
  const host = createTestHost({ config });
  try {
    const rx = await host.spawn({ source: RX }, { name: 'rx', domain, quotas: { mailboxDepth: 65_536 } });
    await host.spawn({ source: TX }, { name: 'tx', domain: txDomain, namespace: { rx: host.handleFor(rx) } });
    const r = await resultOf(host, rx);
    return { perSec: (n - 1) / r.secs!, secs: r.secs! };
  } finally {
    host.shutdown();
  }
}

/**
 * N request/reply round trips, one outstanding: a 1 KiB request to a server agent, a small reply. The
 * client hands the server a reply handle once (as an Erlang client's pid travels in its first call); each
 * round trip is then ipcSend + ipcWait on both sides.
 */
export async function aiosRpc(domain: Domain, n: number): Promise<{ perSec: number; [k: string]: number }> {
  const SERVER = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, ipcWait } from '@aios/runtime/kernel';
export default defineAgent({ name: 'server', async main() {
  const first = await ipcWait(); const reply = first.handles[0]; const out = new Uint8Array(8);
  ipcSend(reply, out);
  for (;;) { const m = await ipcWait(); if (m.data.length === 0) return; out[0] = m.data.length & 255; ipcSend(reply, out); }
} });`;
  const CLIENT = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, ipcWait, nsLookup, selfHandle, capDerive, clockNow } from '@aios/runtime/kernel';
export default defineAgent({ name: 'client', async main(ctx) {
  const s = nsLookup('server'); const req = new Uint8Array(1024).fill(7);
  ipcSend(s, new Uint8Array(1), { handles: [capDerive(selfHandle(), 8 | 256 /* SEND, TRANSFER */)] }); await ipcWait();
  // The sandbox has only the millisecond node clock: per-call percentiles come from native agents only.
  const fine = typeof performance !== 'undefined'; const now = fine ? () => performance.now() : clockNow;
  const N = ${n}; const lat = new Float64Array(N); const t0 = now();
  for (let i = 0; i < N; i++) { const t = now(); ipcSend(s, req); await ipcWait(); lat[i] = (now() - t) * 1000; }
  const secs = (now() - t0) / 1000; ipcSend(s, new Uint8Array(0));
  lat.sort();
  ctx.log('RESULT ' + JSON.stringify(fine ? { secs, p50us: lat[Math.floor(N / 2)], p99us: lat[Math.floor(N * 0.99)] } : { secs, meanUs: secs * 1e6 / N }));
} });`;
  const host = createTestHost();
  try {
    const server = await host.spawn({ source: SERVER }, { name: 'server', domain });
    const client = await host.spawn({ source: CLIENT }, { name: 'client', domain, namespace: { server: host.handleFor(server) } });
    const r = await resultOf(host, client);
    return { perSec: n / r.secs!, ...r };
  } finally {
    host.shutdown();
  }
}
