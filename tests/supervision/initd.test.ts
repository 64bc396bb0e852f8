// initd against a real kernel: dependency order, parallel levels, capability routing,
// cycle refusal, restart policies, control requests (through the svc route helper),
// and reverse-order shutdown.
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import type { KernelEvent } from '@aios/abi';
import { askInitd } from '../../apps/node/src/api/svc-routes.ts';
import { INITD_PATH, live, until, WORKER } from './helpers.ts';

let host: KernelHost;
afterEach(() => host?.shutdown());

const NS_LOGGER = `
import { defineAgent } from '@aios/runtime';
import { nsList, exit } from '@aios/runtime/kernel';
export default defineAgent({ name: 'svc', main(ctx) { ctx.log('ns ' + nsList().sort().join(',')); }, onMessage(m) { if (m.tag === 'shutdown') exit(0); if (m.text() === 'crash') throw new Error('boom'); } });
`;

function unit(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: { source: WORKER }, opts: { domain: 'native' }, ...extra };
}

async function bootInitd(units: unknown[], extra: Record<string, unknown> = {}): Promise<{ initd: number; events: KernelEvent[] }> {
  const events: KernelEvent[] = [];
  host.kernel.subscribeHost('>', (e) => events.push(e));
  const initd = await host.spawn({ path: INITD_PATH }, { name: 'initd', domain: 'native', capabilities: ['spawn'], config: { defaults: false, units, ...extra } });
  await until(() => events.some((e) => e.topic === `user.${initd}.initd.ready`) || host.kernel.agents.get(initd)?.alive === false, 'initd ready');
  return { initd, events };
}

type Row = { name: string; state: string; restarts: number; why?: string; lastExit?: { code: number; reason: string } };

/** Asks initd for ls until the rows satisfy `ok` (initd handles notices between requests). */
async function lsUntil(ok: (rows: Row[]) => boolean): Promise<Row[]> {
  for (let i = 0; i < 1000; i++) {
    const rows = (await askInitd(host, { op: 'ls' })) as Row[];
    if (ok(rows)) return rows;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('initd never reached the expected state');
}

const idOf = (name: string) => live(host).find((a) => a.name === name)?.id;

describe('initd - boot order', () => {
  it('initd - starts units level by level, each level in parallel, requirements routed into namespaces', async () => {
    host = createTestHost();
    const { initd, events } = await bootInitd([
      unit('db'), unit('cache'), unit('log'),
      unit('api', { image: { source: NS_LOGGER }, requires: ['db', 'cache'], after: ['log'] }),
      unit('web', { requires: ['api'] }),
    ]);
    const ready = events.find((e) => e.topic === `user.${initd}.initd.ready`)!;
    expect(ready.data.levels).toEqual([['cache', 'db', 'log'], ['api'], ['web']]);
    expect(ready.data.started).toEqual(['cache', 'db', 'log', 'api', 'web']);
    const spawned = (name: string) => events.findIndex((e) => /^agent\.\d+\.spawn$/.test(e.topic) && e.data.name === name);
    const started = (name: string) => events.findIndex((e) => /^agent\.\d+\.start$/.test(e.topic) && e.data.name === name);
    // Parallel: all of level 0 is spawned before any of it has started; level 1 waits for level 0.
    expect(Math.max(spawned('cache'), spawned('db'), spawned('log'))).toBeLessThan(Math.min(started('cache'), started('db'), started('log')));
    expect(spawned('api')).toBeGreaterThan(Math.max(started('cache'), started('db'), started('log')));
    expect(spawned('web')).toBeGreaterThan(started('api'));
    // requirements, and `after` units already running (log), are routed into the namespace
    expect(host.logs(idOf('api')!)).toContain('ns cache,db,log');
  });

  it('initd - a dependency cycle is refused with EINVAL naming the cycle; nothing starts', async () => {
    host = createTestHost();
    const { initd } = await bootInitd([unit('a', { requires: ['b'] }), unit('b', { after: ['c'] }), unit('c', { requires: ['a'] }), unit('d')]);
    const st = await host.waitExit(initd);
    expect(st.code).toBe(1);
    expect(st.reason).toContain('EINVAL: dependency cycle: a -> b -> c -> a');
    expect(live(host)).toHaveLength(0);
  });

  it('initd - a unit that fails to start fails its dependents; others still start', async () => {
    host = createTestHost();
    await bootInitd([unit('bad', { image: { source: 'export default {{{' } }), unit('needs-bad', { requires: ['bad'] }), unit('fine', { after: ['bad'] })]);
    const ls = (await askInitd(host, { op: 'ls' })) as Array<{ name: string; state: string; why?: string }>;
    const st = Object.fromEntries(ls.map((u) => [u.name, u.state]));
    expect(st).toEqual({ bad: 'failed', 'needs-bad': 'failed', fine: 'active' });
    expect(ls.find((u) => u.name === 'needs-bad')!.why).toContain("required unit 'bad' is not active");
  });
});

describe('initd - restart policies', () => {
  it('initd - on-failure restarts a crashed unit and the units that require it; not a clean exit', async () => {
    host = createTestHost();
    const { initd, events } = await bootInitd([unit('db'), unit('api', { requires: ['db'] }), unit('other'), unit('once', { restart: 'on-failure' })]);
    const [db, api, other] = [idOf('db')!, idOf('api')!, idOf('other')!];
    host.send(db, 'crash');
    await until(() => idOf('db') && idOf('db') !== db && idOf('api') && idOf('api') !== api, 'db and api restarted');
    expect(idOf('other')).toBe(other);
    expect(events.some((e) => e.topic === `user.${initd}.initd.restart` && e.data.unit === 'db' && (e.data.dependents as string[]).includes('api'))).toBe(true);
    host.send(idOf('once')!, 'exit 0');
    const rows = await lsUntil((r) => r.find((u) => u.name === 'once')!.state === 'inactive');
    expect(rows.find((u) => u.name === 'db')!.restarts).toBe(1);
    expect(rows.find((u) => u.name === 'once')!.lastExit).toEqual({ code: 0, reason: 'exit' });
  });

  it('initd - always restarts after a clean exit; no leaves a crash failed; the start limit stops a crash loop', async () => {
    host = createTestHost();
    await bootInitd([unit('always', { restart: 'always' }), unit('never', { restart: 'no' }), unit('loop', { restart: 'always' })], { startLimit: { burst: 2, intervalS: 60 } });
    const a = idOf('always')!;
    host.send(a, 'exit 0');
    await until(() => idOf('always') && idOf('always') !== a, 'always restarted');
    host.send(idOf('never')!, 'crash');
    for (let i = 0; i < 3; i++) {
      const l = await until(() => idOf('loop'), 'loop up');
      host.send(l, 'crash');
      await host.waitExit(l);
    }
    const rows = await lsUntil((r) => r.find((u) => u.name === 'loop')!.state === 'failed' && r.find((u) => u.name === 'never')!.state === 'failed');
    expect(rows.find((u) => u.name === 'loop')!.why).toContain('start limit');
    expect(idOf('loop')).toBeUndefined();
  });
});

describe('initd - supervision vocabulary', () => {
  it('initd - crash reports are supervisor.crash reports (rest_for_one, restart/give_up) and audit records; per-unit intensity', async () => {
    host = createTestHost();
    const { initd, events } = await bootInitd([unit('db', { restart: 'always', intensity: 1, period: 60 }), unit('api', { requires: ['db'] })]);
    const reports = () => events.filter((e) => e.topic === `user.${initd}.supervisor.crash`).map((e) => e.data);
    const db = idOf('db')!;
    host.send(db, 'crash');
    await until(() => idOf('db') && idOf('db') !== db, 'db restarted');
    const first = await until(() => reports().find((r) => r.child === 'db' && r.action === 'restart'), 'restart report');
    expect(first).toMatchObject({ supervisor: initd, strategy: 'rest_for_one', kind: 'child_terminated', restart: 'permanent', code: 1, dependents: ['api'] });
    // The unit's own intensity (1 in 60 s) is spent by the second crash: initd gives up on db alone.
    const db2 = idOf('db')!;
    host.send(db2, 'crash');
    await host.waitExit(db2);
    const rows = await lsUntil((r) => r.find((u) => u.name === 'db')!.state === 'failed');
    expect(rows.find((u) => u.name === 'db')!.why).toContain('more than 1 restarts in 60 s');
    expect(await until(() => reports().find((r) => r.child === 'db' && r.action === 'give_up'), 'give_up report')).toMatchObject({ intensity: 1, period: 60 });
    // Each published report is on the audit record, with its data.
    const audited = host.kernel.audit.records((r) => r.agent === initd && r.syscall === 'EventPublish' && r.object === `topic:user.${initd}.supervisor.crash`);
    expect(audited.map((r) => r.detail?.action)).toEqual(expect.arrayContaining(['restart', 'give_up']));
  });
});

describe('initd - control and shutdown', () => {
  it('initd - ls, graph, stop (with dependents), start (with requirements), restart, bad requests', async () => {
    host = createTestHost();
    await bootInitd([unit('db'), unit('api', { requires: ['db'] }), unit('web', { requires: ['api'] }), unit('solo')]);
    const graph = (await askInitd(host, { op: 'graph' })) as { dot: string; tree: string; levels: string[][] };
    expect(graph.levels).toEqual([['db', 'solo'], ['api'], ['web']]);
    expect(graph.dot).toContain('"web" -> "api" [label="requires"];');
    expect(graph.tree.split('\n')[0]).toBe('solo [active]');
    expect(await askInitd(host, { op: 'stop', unit: 'db' })).toEqual({ unit: 'db', stopped: ['web', 'api', 'db'] });
    expect(idOf('db')).toBeUndefined();
    expect(await askInitd(host, { op: 'start', unit: 'api' })).toEqual({ unit: 'api', started: ['db', 'api'] });
    expect(idOf('web')).toBeUndefined();
    await askInitd(host, { op: 'start', unit: 'web' });
    const api = idOf('api');
    expect(await askInitd(host, { op: 'restart', unit: 'api' })).toEqual({ unit: 'api', started: ['api', 'web'] });
    expect(idOf('api')).not.toBe(api);
    await expect(askInitd(host, { op: 'start', unit: 'ghost' })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(askInitd(host, { op: 'stop' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(askInitd(host, { op: 'reboot' })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('initd - a shutdown request stops units in reverse order, then initd exits 0', async () => {
    host = createTestHost();
    const { initd } = await bootInitd([unit('db'), unit('api', { requires: ['db'] }), unit('web', { requires: ['api'] }), unit('stubborn', { shutdown: 30, opts: { domain: 'native', config: { stubborn: true } } })]);
    const ids = Object.fromEntries(['db', 'api', 'web', 'stubborn'].map((n) => [n, idOf(n)!]));
    const exits: number[] = [];
    host.kernel.subscribeHost('agent.*.exit', (e) => exits.push(e.data.id as number));
    host.call('IPCSend', host.handleFor(initd), new Uint8Array(0), { tag: 'shutdown' });
    expect((await host.waitExit(initd)).code).toBe(0);
    expect(exits.indexOf(ids.web!)).toBeLessThan(exits.indexOf(ids.api!));
    expect(exits.indexOf(ids.api!)).toBeLessThan(exits.indexOf(ids.db!));
    expect((await host.waitExit(ids.stubborn!)).code).toBe(137);
    expect(live(host)).toHaveLength(0);
  });
});
