// Shared fixtures of the supervision tests: worker sources, a supervisor spawner,
// and polling helpers over a real test host (no timing thresholds: only "eventually").
import type { KernelHost } from '@aios/kernel';
import type { AgentInfo } from '@aios/abi';
import { fileURLToPath } from 'node:url';
import { untilTruthy } from '@aios/testkit';

export const SUPERVISOR_PATH = fileURLToPath(new URL('../../packages/services/src/agentsupervisor/agent.ts', import.meta.url));
export const INITD_PATH = fileURLToPath(new URL('../../packages/services/src/initd/agent.ts', import.meta.url));

/** A worker: 'crash' throws, 'exit N' exits with N, 'shutdown' (tag) exits 0 unless config.stubborn. */
export const WORKER = `
import { defineAgent } from '@aios/runtime';
import { exit } from '@aios/runtime/kernel';
export default defineAgent({
  name: 'worker',
  main(ctx) { ctx.log('started'); },
  onMessage(m, ctx) {
    if (m.tag === 'shutdown') { ctx.log('asked to stop'); if (!(ctx.config && ctx.config.stubborn)) exit(0); return; }
    const t = m.text();
    if (t === 'crash') throw new Error('crash on purpose');
    if (t.startsWith('exit ')) exit(Number(t.slice(5)));
  },
});
`;

export function spec(id: string, extra: Record<string, unknown> = {}, opts: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, start: { image: { source: WORKER }, opts: { domain: 'native', ...opts } }, ...extra };
}

/** Waits until f() is truthy and resolves with it (the testkit's untilTruthy, looking every 5 ms). */
export function until<T>(f: () => T | undefined | false | null, what: string, tries = 1000): Promise<T> {
  return untilTruthy(f, what, { tries, everyMs: 5 });
}

export function live(host: KernelHost): AgentInfo[] {
  return host.ps().filter((a) => a.state !== 'zombie' && a.state !== 'dead');
}

/** The live child of `parent` named `name`. */
export function child(host: KernelHost, parent: number, name: string): AgentInfo | undefined {
  return live(host).find((a) => a.parent === parent && a.name === name);
}

export async function startSupervisor(host: KernelHost, flags: Record<string, unknown>, specs: unknown[], name = 'sup'): Promise<number> {
  const id = await host.spawn({ path: SUPERVISOR_PATH }, { name, domain: 'native', capabilities: ['spawn'], config: { flags, specs } });
  const names = specs.map((s) => ((s as { start: { opts?: { name?: string } } }).start.opts?.name ?? (s as { id: string }).id));
  if ((flags.strategy ?? 'one_for_one') !== 'simple_one_for_one') await until(() => names.every((n) => child(host, id, n)), 'children started');
  return id;
}

/** Supervisor crash reports seen on the event bus (user.<id>.supervisor.crash). */
export function crashReports(host: KernelHost): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  host.kernel.subscribeHost('user.*.supervisor.crash', (e) => out.push(e.data));
  return out;
}
