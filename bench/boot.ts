// Benchmark: boot of a node exactly as `aios boot` does it (real ports, devices, security, initd and the
// real services it has images for: agentsupervisor, memoryd, semantic-ipcd) to ready, then clean shutdown
// (initd checkpoints every agent and stops the services in reverse order; the audit log gets its final
// checkpoint). Baseline in the same run: boot and shutdown of a bare node (no initd, no services).
// A run counts only if every expected unit was active after boot, and shutdown stopped every unit's agent
// and initd itself with exit code 0 (read from the kernel's exit events, not from initd's own report).
// Run: npx tsx --conditions=aios-source bench/boot.ts [--full]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot } from '../apps/node/src/node/boot.ts';
import { SERVICE_IMAGES } from '../apps/node/src/node/services.ts';
import { configuration } from './lib/config.ts';
import { isFull, round, summarize } from './lib/stats.ts';

const RUNS = isFull() ? 30 : 8;
/** initd starts every unit whose image the node supplies: all service images but its own. */
const EXPECTED_UNITS = SERVICE_IMAGES.filter((n) => n !== 'initd').sort();

interface Run {
  bootMs: number;
  stopMs: number;
  /** Expected units that were not active after boot. */
  notActive: string[];
  /** Units (and initd) whose agent did not exit with code 0 during shutdown, with what it did. */
  unclean: string[];
}

async function once(withServices: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'aios-boot-'));
  const t0 = performance.now();
  const node = await boot({ dataDir: dir, config: { services: withServices } });
  let units: Array<{ name: string; state: string; agent: number | null }> = [];
  if (withServices) units = (await node.host.request(node.initd!, { op: 'ls' })) as typeof units;
  const bootMs = performance.now() - t0;
  const active = new Map(units.filter((u) => u.state === 'active').map((u) => [u.name, u.agent]));
  const notActive = withServices ? EXPECTED_UNITS.filter((n) => !active.has(n)) : [];
  // Every exit during shutdown, as the kernel reports it.
  const exits = new Map<number, { code: number; reason: string }>();
  node.host.kernel.subscribeHost('agent.*.exit', (e) => void exits.set(e.data.id as number, { code: e.data.code as number, reason: String(e.data.reason) }));
  const t1 = performance.now();
  await node.shutdown();
  const stopMs = performance.now() - t1;
  rmSync(dir, { recursive: true, force: true });
  const watched: Array<[string, number]> = withServices ? [...[...active].filter((x): x is [string, number] => x[1] !== null), ['initd', node.initd!]] : [];
  const unclean = watched.flatMap(([name, id]) => {
    const x = exits.get(id);
    return x?.code === 0 ? [] : [`${name}: ${x ? `exit ${x.code} (${x.reason})` : 'no exit seen'}`];
  });
  return { bootMs, stopMs, notActive, unclean };
}

await once(true); // warm esbuild's and QuickJS's caches for both variants
const oursRuns: Run[] = [];
const bareRuns: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  bareRuns.push(await once(false));
  oursRuns.push(await once(true));
}
const ob = summarize(oursRuns.map((r) => r.bootMs));
const os = summarize(oursRuns.map((r) => r.stopMs));
const bb = summarize(bareRuns.map((r) => r.bootMs));
const bs = summarize(bareRuns.map((r) => r.stopMs));
const failures = oursRuns.flatMap((r, i) => [...r.notActive.map((n) => `run ${i}: ${n} not active after boot`), ...r.unclean.map((u) => `run ${i}: ${u}`)]);
console.log(JSON.stringify({
  bench: 'node-boot-initd',
  configuration: configuration({ runs: RUNS, expectedUnits: EXPECTED_UNITS, dataDir: 'fresh temporary folder per run', behaviourMonitor: 'on (node default)', warmup: '1 untimed boot with services' }),
  ours: { boot_to_ready_p50_ms: round(ob.p50), boot_to_ready_max_ms: round(ob.p99), shutdown_p50_ms: round(os.p50), shutdown_max_ms: round(os.p99) },
  baseline: { name: 'bare node boot() and shutdown() (no initd, no services)', boot_p50_ms: round(bb.p50), shutdown_p50_ms: round(bs.p50) },
  ratio_boot: round(ob.p50 / bb.p50, 2),
  initd_overhead_p50_ms: round(ob.p50 - bb.p50),
  failures,
  goal: { note: 'the issue sets no number: met means, in every run, every expected unit was active after boot and shutdown stopped every unit and initd with exit code 0' },
  met: failures.length === 0,
}, null, 2));
