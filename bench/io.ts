// Benchmark: agent I/O against Node's own, in the same run. Files: whole-file writes (atomic: temp,
// fsync, rename) and reads of 4 KiB and 1 MiB through @aios/runtime/fs in a native agent, against
// node:fs doing the same (writeFile to a temp + datasync + rename, readFile). Network: GETs of a local
// HTTP server through @aios/runtime/net (grant check, resolved-address check, audit) against Node's fetch.
// Run: npx tsx --conditions=aios-source bench/io.ts [--full]
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHost } from '@aios/testkit';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const N_SMALL = FULL ? 2_000 : 300;
const N_BIG = FULL ? 200 : 30;
const N_FETCH = FULL ? 2_000 : 300;

const dir = mkdtempSync(join(tmpdir(), 'aios-bench-io-'));
const body = Buffer.alloc(16 * 1024, 120);
const server = createServer((_req, res) => res.end(body));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

async function nodeFiles(size: number, n: number): Promise<{ writeMs: number; readMs: number }> {
  const data = Buffer.alloc(size, 7);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const tmp = join(dir, `.tmp-${i}`);
    const fh = await open(tmp, 'w');
    await fh.writeFile(data);
    await fh.datasync();
    await fh.close();
    await rename(tmp, join(dir, `node-${size}-${i % 8}`));
  }
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await readFile(join(dir, `node-${size}-${i % 8}`));
  return { writeMs: t1 - t0, readMs: performance.now() - t1 };
}

async function nodeFetch(n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
  return performance.now() - t0;
}

const AGENT = `
import { defineAgent } from '@aios/runtime';
import * as fs from '@aios/runtime/fs';
import { fetch } from '@aios/runtime/net';
export default defineAgent({ name: 'io-bench', async main(ctx) {
  const c = ctx.config;
  const out = {};
  for (const [size, n] of [[4096, c.nSmall], [1048576, c.nBig]]) {
    const data = new Uint8Array(size).fill(7);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fs.writeFile('b/aios-' + size + '-' + (i % 8), data);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await fs.readFile('b/aios-' + size + '-' + (i % 8));
    out[size] = { writeMs: t1 - t0, readMs: performance.now() - t1 };
  }
  const f0 = performance.now();
  for (let i = 0; i < c.nFetch; i++) await (await fetch('http://127.0.0.1:' + c.port + '/')).arrayBuffer();
  out.fetchMs = performance.now() - f0;
  ctx.log('OUT ' + JSON.stringify(out));
} });`;

const host = createTestHost();
const id = await host.spawn({ source: AGENT }, {
  domain: 'native', mounts: [{ name: 'b', host: dir }], net: [`127.0.0.1:${port}`],
  quotas: { fsBytes: 2 ** 40, netRequestsPerSec: 1_000_000 }, config: { nSmall: N_SMALL, nBig: N_BIG, nFetch: N_FETCH, port },
});
await host.waitExit(id);
const line = host.logs(id).find((l) => l.startsWith('OUT '));
if (!line) throw new Error(`bench agent failed:\n${host.logs(id).join('\n')}`);
const aios = JSON.parse(line.slice(4)) as Record<string, { writeMs: number; readMs: number }> & { fetchMs: number };
host.shutdown();
const small = await nodeFiles(4096, N_SMALL);
const big = await nodeFiles(1048576, N_BIG);
const fetchMs = await nodeFetch(N_FETCH);
server.close();
rmSync(dir, { recursive: true, force: true });

const perOp = (ms: number, n: number) => Math.round((ms / n) * 1000) / 1000;
const mbps = (ms: number, n: number, size: number) => Math.round(((n * size) / 2 ** 20) / (ms / 1000));
console.log(JSON.stringify({
  bench: 'io',
  files: {
    '4KiB': { n: N_SMALL, aios: { writeMsPerOp: perOp(aios['4096']!.writeMs, N_SMALL), readMsPerOp: perOp(aios['4096']!.readMs, N_SMALL) }, node: { writeMsPerOp: perOp(small.writeMs, N_SMALL), readMsPerOp: perOp(small.readMs, N_SMALL) } },
    '1MiB': { n: N_BIG, aios: { writeMBps: mbps(aios['1048576']!.writeMs, N_BIG, 2 ** 20), readMBps: mbps(aios['1048576']!.readMs, N_BIG, 2 ** 20) }, node: { writeMBps: mbps(big.writeMs, N_BIG, 2 ** 20), readMBps: mbps(big.readMs, N_BIG, 2 ** 20) } },
  },
  fetch: { n: N_FETCH, bodyBytes: body.length, aiosMsPerReq: perOp(aios.fetchMs, N_FETCH), nodeMsPerReq: perOp(fetchMs, N_FETCH), overheadMsPerReq: perOp(aios.fetchMs - fetchMs, N_FETCH) },
}, null, 2));
