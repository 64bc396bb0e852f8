// Benchmark: boot of a node exactly as `aios boot` does it (real ports, devices, security,
// initd and the real services: agentsupervisor, memoryd, semantic-ipcd) to ready, then clean
// shutdown (initd checkpoints every agent and stops the services in reverse order; the audit
// log gets its final checkpoint). Baseline in the same run: boot and shutdown of a bare node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot } from '../apps/cli/src/node/boot.ts';
import { isFull, round, summarize } from './lib/stats.ts';

const RUNS = isFull() ? 30 : 8;

async function once(withServices: boolean): Promise<{ bootMs: number; stopMs: number; units: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'aios-boot-'));
  const t0 = performance.now();
  const node = await boot({ dataDir: dir, config: { services: withServices } });
  let units = 0;
  if (withServices) {
    const ls = (await node.host.request(node.initd!, { op: 'ls' })) as Array<{ state: string }>;
    units = ls.filter((u) => u.state === 'active').length;
  }
  const bootMs = performance.now() - t0;
  const t1 = performance.now();
  await node.shutdown();
  const stopMs = performance.now() - t1;
  rmSync(dir, { recursive: true, force: true });
  return { bootMs, stopMs, units };
}

await once(true); // warm esbuild's and QuickJS's caches for both variants
const oursRuns: Array<{ bootMs: number; stopMs: number; units: number }> = [];
const bareRuns: Array<{ bootMs: number; stopMs: number; units: number }> = [];
for (let i = 0; i < RUNS; i++) {
  bareRuns.push(await once(false));
  oursRuns.push(await once(true));
}
const ob = summarize(oursRuns.map((r) => r.bootMs));
const os = summarize(oursRuns.map((r) => r.stopMs));
const bb = summarize(bareRuns.map((r) => r.bootMs));
const bs = summarize(bareRuns.map((r) => r.stopMs));
console.log(JSON.stringify({
  bench: 'node-boot-initd',
  runs: RUNS,
  units: oursRuns[0]!.units,
  ours: { boot_to_ready_p50_ms: round(ob.p50), boot_to_ready_max_ms: round(ob.p99), shutdown_p50_ms: round(os.p50), shutdown_max_ms: round(os.p99) },
  baseline: { name: 'bare node boot() and shutdown() (no initd, no services)', boot_p50_ms: round(bb.p50), shutdown_p50_ms: round(bs.p50) },
  ratio_boot: round(ob.p50 / bb.p50, 2),
  initd_overhead_p50_ms: round(ob.p50 - bb.p50),
  goal: { note: 'the issue sets no number: met means every unit reached active and initd stopped them all with exit 0 in every run' },
  met: oursRuns.every((r) => r.units === oursRuns[0]!.units && r.units > 0),
}, null, 2));
