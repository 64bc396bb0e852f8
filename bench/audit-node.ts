// Benchmark: the node's persistent audit path end to end: kernel ring -> AuditChain -> JSONL files,
// checkpoints on (ML-DSA half signed on the node's PQC worker), then offline verification of the
// folder; baseline: the same ring appends with no sink attached, in the same run.
// Run: npx tsx --conditions=aios-source bench/audit-node.ts [--full]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot } from '../apps/node/src/node/boot.ts';
import { installSecurity, securityOf, verifyAuditFolder } from '../apps/node/src/security/index.ts';

const FULL = process.argv.includes('--full') || process.env.FULL === '1';
const N = FULL ? 1_000_000 : 200_000;

function appendLoop(audit: { append(t: number, a: number, s: string, o: string | null, r: string, d?: Record<string, unknown>): number }, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) audit.append(1_700_000_000_000 + i, 2 + (i % 7), i % 3 ? 'IPCSend' : 'MemAlloc', `agent:${i % 11}`, 'ok', i % 5 ? undefined : { bytes: i });
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), 'aios-bench-audit-'));
const node = await boot({ dataDir: dir });
await securityOf(node.host)?.close();
const sec = await installSecurity({ host: node.host, dataDir: dir, ports: node.host.kernel.ports });
// Baseline: a ring with no sink (a second node without security attached).
const bare = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-bench-bare-')) });
await securityOf(bare.host)?.close();

const baseMs = appendLoop(bare.host.kernel.audit, N);
const t0 = performance.now();
const ms = appendLoop(node.host.kernel.audit, N);
await sec.close(); // final checkpoint, pending signatures, flush to disk
const totalMs = performance.now() - t0;
const v0 = performance.now();
const report = await verifyAuditFolder(dir);
const verifyMs = performance.now() - v0;
await node.shutdown();
await bare.shutdown();
rmSync(dir, { recursive: true, force: true });

const appendRate = Math.round(N / (totalMs / 1000));
const verifyRate = Math.round(report.records / (verifyMs / 1000));
console.log(JSON.stringify({
  bench: 'audit-node',
  records: N,
  ours: { appendPerSec: appendRate, appendLoopMs: Math.round(ms), withFlushMs: Math.round(totalMs), checkpoints: report.checkpoints, verifyPerSec: verifyRate, verifyOk: report.ok },
  baseline: { ringOnlyPerSec: Math.round(N / (baseMs / 1000)) },
  ratio: { appendVsRingOnly: +(appendRate / (N / (baseMs / 1000))).toFixed(3) },
  goal: { appendPerSec: 50_000, verifyPerSec: 100_000 },
  met: appendRate >= 50_000 && verifyRate >= 100_000 && report.ok,
}));
process.exit(0);
