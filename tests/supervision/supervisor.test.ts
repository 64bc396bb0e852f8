// agentsupervisor against a real kernel: strategies, restart types, intensity,
// supervision trees, shutdown timeout then brutal kill, crash reports.
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import { child, crashReports, live, spec, startSupervisor, SUPERVISOR_PATH, until, WORKER } from './helpers.ts';

let host: KernelHost;
afterEach(() => host?.shutdown());

describe('supervisor - strategies', () => {
  it('supervisor - one_for_one restarts only the crashed child, in the wasm sandbox too', async () => {
    host = createTestHost();
    const reports = crashReports(host);
    const sup = await startSupervisor(host, { strategy: 'one_for_one', intensity: 5 }, [spec('a', {}, { domain: 'wasm' }), spec('b')]);
    const a = child(host, sup, 'a')!.id;
    const b = child(host, sup, 'b')!.id;
    host.send(a, 'crash');
    const a2 = await until(() => { const c = child(host, sup, 'a'); return c && c.id !== a ? c : undefined; }, 'a restarted');
    expect(a2.domain).toBe('wasm');
    expect(child(host, sup, 'b')!.id).toBe(b);
    expect(reports.some((r) => r.child === 'a' && r.action === 'restart' && r.kind === 'child_terminated')).toBe(true);
    expect(host.logs(sup).some((l) => l.includes('child_terminated') && l.includes('"action":"restart"'))).toBe(true);
  });

  it('supervisor - one_for_all restarts every child in order', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, { strategy: 'one_for_all', intensity: 5 }, [spec('a'), spec('b'), spec('c')]);
    const before = ['a', 'b', 'c'].map((n) => child(host, sup, n)!.id);
    host.send(before[1]!, 'crash');
    const after = await until(() => {
      const ids = ['a', 'b', 'c'].map((n) => child(host, sup, n)?.id);
      return ids.every((x, i) => x !== undefined && x !== before[i]) ? (ids as number[]) : undefined;
    }, 'all restarted');
    expect(after[0]! < after[1]! && after[1]! < after[2]!).toBe(true);
  });

  it('supervisor - rest_for_one restarts the crashed child and those started after it', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, { strategy: 'rest_for_one', intensity: 5 }, [spec('a'), spec('b'), spec('c')]);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => child(host, sup, n)!.id);
    host.send(b!, 'crash');
    await until(() => { const x = child(host, sup, 'c'); return x && x.id !== c; }, 'c restarted');
    const b2 = child(host, sup, 'b')!.id;
    expect(b2).not.toBe(b);
    expect(child(host, sup, 'c')!.id > b2).toBe(true);
    expect(child(host, sup, 'a')!.id).toBe(a);
  });

  it('supervisor - simple_one_for_one starts dynamic children from the template with args', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, { strategy: 'simple_one_for_one', intensity: 5 }, [spec('w', { restart: 'transient' })]);
    expect(live(host).filter((x) => x.parent === sup)).toHaveLength(0);
    const asker = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import { ipcSend, ipcWait, selfHandle, capDerive, Rights, nsLookup } from '@aios/runtime/kernel';
export default defineAgent({ name: 'asker', async main(ctx) {
  const sup = nsLookup('sup');
  const me = capDerive(selfHandle(), Rights.SEND | Rights.TRANSFER);
  const ask = async (req) => { ipcSend(sup, new TextEncoder().encode(JSON.stringify(req)), { handles: [me], handleRights: [Rights.SEND] }); return JSON.parse(new TextDecoder().decode((await ipcWait(5000)).data)); };
  ctx.log(JSON.stringify(await ask({ id: 1, op: 'start_child', args: { n: 1 } })));
  ctx.log(JSON.stringify(await ask({ id: 2, op: 'start_child', args: { n: 2 } })));
  ctx.log(JSON.stringify(await ask({ id: 3, op: 'count_children' })));
  ctx.log(JSON.stringify(await ask({ id: 4, op: 'restart_child', child: 'nope' })));
  ctx.log(JSON.stringify(await ask({ id: 5, op: 'bogus' })));
} });` }, { name: 'asker', domain: 'native', namespace: { sup: host.handleFor(sup) } });
    await host.waitExit(asker);
    const lines = host.logs(asker).map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ id: 1, ok: true, result: { id: 'w#1', restart: 'transient' } });
    expect(lines[1]).toMatchObject({ id: 2, ok: true, result: { id: 'w#2' } });
    expect(lines[2]).toMatchObject({ ok: true, result: { specs: 1, active: 2, workers: 2 } });
    expect(lines[3]).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect(lines[4]).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    const kids = live(host).filter((x) => x.parent === sup);
    expect(kids).toHaveLength(2);
    // transient: a normal exit is not restarted and the dynamic child is forgotten; a crash is restarted.
    host.send(kids[0]!.id, 'exit 0');
    host.send(kids[1]!.id, 'crash');
    await until(() => { const k = live(host).filter((x) => x.parent === sup); return k.length === 1 && k[0]!.id !== kids[1]!.id; }, 'one restarted');
  });
});

describe('supervisor - restart types', () => {
  it('supervisor - permanent restarts after exit 0; transient only when abnormal; temporary never', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, { intensity: 10 }, [spec('perm'), spec('trans', { restart: 'transient' }), spec('temp', { restart: 'temporary' })]);
    const ids = Object.fromEntries(['perm', 'trans', 'temp'].map((n) => [n, child(host, sup, n)!.id]));
    host.send(ids.perm!, 'exit 0');
    host.send(ids.trans!, 'exit 0');
    host.send(ids.temp!, 'crash');
    await until(() => { const c = child(host, sup, 'perm'); return c && c.id !== ids.perm; }, 'perm restarted');
    await host.waitExit(ids.trans!);
    await host.waitExit(ids.temp!);
    // A marker round: once a later restart happened, the earlier notices were handled.
    const p2 = child(host, sup, 'perm')!.id;
    host.send(p2, 'crash');
    await until(() => { const c = child(host, sup, 'perm'); return c && c.id !== p2; }, 'perm restarted again');
    expect(child(host, sup, 'trans')).toBeUndefined();
    expect(child(host, sup, 'temp')).toBeUndefined();
    // transient after an abnormal exit (code 3) is restarted
    const sup2 = await startSupervisor(host, { intensity: 10 }, [spec('trans', { restart: 'transient' })], 'sup2');
    const t = child(host, sup2, 'trans')!.id;
    host.send(t, 'exit 3');
    await until(() => { const c = child(host, sup2, 'trans'); return c && c.id !== t; }, 'transient restarted');
  });
});

describe('supervisor - intensity and period', () => {
  it('supervisor - more than intensity restarts within period makes it give up: children stopped, exit 1', async () => {
    host = createTestHost();
    const reports = crashReports(host);
    const sup = await startSupervisor(host, { intensity: 2, period: 60 }, [spec('a'), spec('b')]);
    for (let i = 0; i < 3; i++) {
      const a = await until(() => child(host, sup, 'a'), 'a running');
      host.send(a.id, 'crash');
      await host.waitExit(a.id);
    }
    const st = await host.waitExit(sup);
    expect(st.code).toBe(1);
    expect(live(host).filter((x) => x.parent === sup)).toHaveLength(0);
    expect(reports.some((r) => r.kind === 'shutdown' && r.reason === 'reached_max_restart_intensity')).toBe(true);
    expect(host.kernel.audit.records((r) => r.agent === sup && r.syscall === 'AgentExit').length).toBe(1);
  });

  it('supervisor - intensity 0 gives up at the first crash', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, { intensity: 0 }, [spec('a')]);
    host.send(child(host, sup, 'a')!.id, 'crash');
    expect((await host.waitExit(sup)).code).toBe(1);
  });

  it('supervisor - bad flags and specs are refused with EINVAL', async () => {
    host = createTestHost();
    const bad: Array<[unknown, unknown]> = [
      [{ strategy: 'one_for_some' }, [spec('a')]],
      [{ intensity: -1 }, [spec('a')]],
      [{ period: 0 }, [spec('a')]],
      [{}, [spec('a'), spec('a')]],
      [{}, [spec('a', { restart: 'sometimes' })]],
      [{}, [spec('a', { shutdown: -5 })]],
      [{ strategy: 'simple_one_for_one' }, [spec('a'), spec('b')]],
      [{}, [{ id: 'x', start: { image: {} } }]],
    ];
    for (const [flags, specs] of bad) {
      const id = await host.spawn({ path: SUPERVISOR_PATH }, { name: 'bad', domain: 'native', capabilities: ['spawn'], config: { flags, specs } });
      const st = await host.waitExit(id);
      expect(st.code).toBe(1);
      expect(st.reason).toContain('EINVAL');
    }
  });
});

describe('supervisor - trees and shutdown', () => {
  it('supervisor - a supervisor of supervisors restarts a child supervisor that gave up', async () => {
    host = createTestHost();
    const inner = { id: 'inner', type: 'supervisor', start: { image: { path: SUPERVISOR_PATH }, opts: { domain: 'native', config: { flags: { intensity: 0 }, specs: [spec('leaf')] } } } };
    const top = await startSupervisor(host, { intensity: 5 }, [inner, spec('sibling')]);
    const in1 = await until(() => child(host, top, 'inner'), 'inner up');
    const leaf = await until(() => child(host, in1.id, 'leaf'), 'leaf up');
    const sib = child(host, top, 'sibling')!.id;
    host.send(leaf.id, 'crash');
    expect((await host.waitExit(in1.id)).code).toBe(1);
    const in2 = await until(() => { const c = child(host, top, 'inner'); return c && c.id !== in1.id ? c : undefined; }, 'inner restarted');
    await until(() => child(host, in2.id, 'leaf'), 'new leaf');
    expect(child(host, top, 'sibling')!.id).toBe(sib);
    // Shutdown of the top stops the tree: children in reverse order, grandchildren first.
    host.call('IPCSend', host.handleFor(top), new Uint8Array(0), { tag: 'shutdown' });
    expect((await host.waitExit(top)).code).toBe(0);
    expect(live(host)).toHaveLength(0);
  });

  it('supervisor - shutdown asks, waits the timeout, then brutal-kills; stops in reverse order', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, {}, [spec('first'), spec('stubborn', { shutdown: 50 }, { config: { stubborn: true } }), spec('quick', { shutdown: 'brutal_kill' })]);
    const ids = Object.fromEntries(['first', 'stubborn', 'quick'].map((n) => [n, child(host, sup, n)!.id]));
    const exits: number[] = [];
    host.kernel.subscribeHost('agent.*.exit', (e) => exits.push(e.data.id as number));
    host.call('IPCSend', host.handleFor(sup), new Uint8Array(0), { tag: 'shutdown' });
    expect((await host.waitExit(sup)).code).toBe(0);
    const st = await Promise.all([host.waitExit(ids.first!), host.waitExit(ids.stubborn!), host.waitExit(ids.quick!)]);
    expect(exits.slice(0, 3)).toEqual([ids.quick, ids.stubborn, ids.first]);
    expect(st[0]!.code).toBe(0);
    expect(st[1]!.code).toBe(137);
    expect(st[1]!.reason).toContain('shutdown: timeout');
    expect(host.logs(ids.stubborn!)).toContain('asked to stop');
    expect(st[2]!.reason).toContain('brutal_kill');
    expect(host.logs(ids.quick!)).not.toContain('asked to stop');
  });

  it('supervisor - a shutdown request from someone other than the parent is not obeyed', async () => {
    host = createTestHost();
    const sup = await startSupervisor(host, {}, [spec('a')]);
    const other = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import { ipcSend, nsLookup } from '@aios/runtime/kernel';
export default defineAgent({ name: 'other', main() { ipcSend(nsLookup('sup'), new Uint8Array(0), { tag: 'shutdown' }); } });` }, { domain: 'native', namespace: { sup: host.handleFor(sup) } });
    await host.waitExit(other);
    const a = child(host, sup, 'a')!.id;
    host.send(a, 'crash');
    await until(() => { const c = child(host, sup, 'a'); return c && c.id !== a; }, 'still supervising');
  });

  it('supervisor - a child that cannot start fails the supervisor start, stopping the started ones', async () => {
    host = createTestHost();
    const id = await host.spawn({ path: SUPERVISOR_PATH }, { name: 'sup', domain: 'native', capabilities: ['spawn'], config: { specs: [spec('ok'), { id: 'broken', start: { image: { source: 'export default {{{' } } }] } });
    const st = await host.waitExit(id);
    expect(st.code).toBe(1);
    expect(st.reason).toContain("child 'broken' did not start");
    expect(live(host)).toHaveLength(0);
  });
});

describe('supervisor - as a library', () => {
  it('supervisor - supervise() inside an ordinary agent, fed from its onMessage (handle mode)', async () => {
    host = createTestHost();
    const id = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import { supervise } from '@aios/runtime/orchestration';
let sup;
export default defineAgent({ name: 'app',
  async main(ctx) {
    sup = await supervise({ strategy: 'one_for_one', intensity: 3 }, [{ id: 'w', start: { image: { source: ${JSON.stringify(WORKER)} }, opts: { domain: 'wasm' } } }],
      { onMessage: (m) => ctx.log('app got ' + m.text()), onStop: (r) => ctx.log('stopped ' + r.code) });
  },
  async onMessage(m, ctx) {
    if (!(await sup.handle(m))) return;
    ctx.log('children ' + sup.whichChildren().map((c) => c.id + ':' + c.restarts).join(','));
  },
});` }, { name: 'app', domain: 'native', capabilities: ['spawn'] });
    const w = await until(() => child(host, id, 'w'), 'w up');
    host.send(id, 'hello');
    host.send(w.id, 'crash');
    await until(() => host.logs(id).includes('children w:1'), 'restart seen');
    expect(host.logs(id)).toContain('app got hello');
    expect(child(host, id, 'w')!.id).not.toBe(w.id);
  });
});
