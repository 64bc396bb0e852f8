// Benchmark: sandboxed agents in a whole node. (1) N idle wasm agents (default
// 2,000; --full 10,000) spawned in a node with its HTTP API (each spawn timed to ready: the
// kernel prepares sandboxes of recently spawned images when idle), then the time of
// GET /v1/agents (what `aios ps` calls) and host memory per agent; (2) messages per
// second between two sandboxed agents (1 KiB), against two native agents in the same run.
import { boot } from 'aios';
import { createTestHost } from '@aios/testkit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFull, round, summarize } from './lib/stats.ts';

const N = isFull() ? 10_000 : 2_000;
const MSGS = isFull() ? 200_000 : 50_000;
const gc = (globalThis as { gc?: () => void }).gc;
const IDLE = `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'idle', onMessage() {} });`;

async function idleAgents(): Promise<Record<string, unknown>> {
  const node = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-bench-')), config: { api: true, port: 0 } });
  await node.spawn(IDLE); // warm the image cache
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const each: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await node.spawn({ source: IDLE }, { name: `idle${i}` });
    each.push(performance.now() - t);
    // Give the scheduler an idle turn, as a node between requests has: it prepares the next sandbox.
    await new Promise((r) => setImmediate(r));
  }
  const spawnSecs = (performance.now() - t0) / 1000;
  const ready = summarize(each);
  gc?.();
  const after = process.memoryUsage();
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${node.api!.port}/v1/agents`, { headers: { authorization: `Bearer ${node.api!.token}` } });
    count = ((await res.json()) as unknown[]).length;
    times.push(performance.now() - t);
  }
  await node.shutdown();
  const ps = summarize(times);
  return {
    agents: N,
    listed: count,
    spawnPerSec: Math.round(N / spawnSecs),
    spawnToReadyMs: { p50: round(ready.p50, 3), p99: round(ready.p99, 3) },
    psMs: { p50: round(ps.p50, 1), max: round(Math.max(...times), 1) },
    rssPerAgentKiB: round((after.rss - before.rss) / N / 1024, 1),
    heapPerAgentKiB: round((after.heapUsed - before.heapUsed) / N / 1024, 1),
    gcExposed: gc !== undefined,
  };
}

const RX = `
import { defineAgent } from '@aios/runtime';
import { ipcRecv, ipcWait, clockNow, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'rx', async main(ctx) {
  const N = ${MSGS}; let got = 0; const t0 = clockNow();
  while (got < N) {
    let n = 0;
    for (; n < 512; n++) { try { ipcRecv(); got++; } catch { break; } }
    if (got >= N) break;
    if (n === 512) await schedYield(); else { await ipcWait(); got++; }
  }
  ctx.log('RESULT ' + JSON.stringify({ secs: (clockNow() - t0) / 1000 }));
} });`;
const TX = `
import { defineAgent } from '@aios/runtime';
import { ipcSend, nsLookup, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'tx', async main() {
  const rx = nsLookup('rx'); const p = new Uint8Array(1024); let sent = 0;
  while (sent < ${MSGS}) {
    for (let i = 0; i < 512 && sent < ${MSGS}; i++) { try { ipcSend(rx, p); sent++; } catch (e) { if (e.code !== 'EAGAIN') throw e; break; } }
    await schedYield();
  }
} });`;

async function pingPong(domain: 'wasm' | 'native'): Promise<number> {
  const host = createTestHost();
  const rx = await host.spawn({ source: RX }, { name: 'rx', domain, quotas: { mailboxDepth: 65_536 } });
  await host.spawn({ source: TX }, { name: 'tx', domain, namespace: { rx: host.handleFor(rx) } });
  const st = await host.waitExit(rx);
  const line = host.logs(rx).find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`rx exited ${st.code} (${st.reason}): ${host.logs(rx).join(' | ')}`);
  const r = JSON.parse(line.slice(7)) as { secs: number };
  host.shutdown();
  return MSGS / r.secs;
}

const idle = process.argv.includes('--skip-idle') ? {} : await idleAgents();
const wasmRate = await pingPong('wasm');
const nativeRate = await pingPong('native');
console.log(JSON.stringify({
  bench: 'wasm-node',
  idle,
  messages: { size: 1024, count: MSGS, wasmPerSec: Math.round(wasmRate), nativePerSec: Math.round(nativeRate), ratio: round(wasmRate / nativeRate, 3) },
  goal: { psMs_at_most: 1000, rssPerAgentKiB_at_most: 200 },
  met: idle.psMs !== undefined && (idle.psMs as { max: number }).max <= 1000 && (idle.rssPerAgentKiB as number) <= 200,
}, null, 2));
