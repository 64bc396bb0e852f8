// Services cannot be silenced by one agent: a client that registers 150 intents and fires 1,500 asks at once, or
// floods memoryd with junk, is refused (EAGAIN past its queue) and judged on its own syscalls; the services stay
// active (the behaviour monitor notifies instead of quarantining an agent holding the SERVICE privilege) and keep
// serving a bystander.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot, type AiosNode } from 'aios';
import { until } from '../semantic/helpers.ts';

const MEMORY = JSON.stringify('@aios/runtime/memory');

let node: AiosNode;
let sem: number;
let memd: number;
beforeAll(async () => {
  node = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-flood-')), config: { services: true } });
  sem = await until(() => node.host.find('semantic-ipcd').id, (id) => id > 0, 'semantic-ipcd to start');
  memd = await until(() => node.host.find('memoryd').id, (id) => id > 0, 'memoryd to start');
  await node.host.request(sem, { op: 'status' });
}, 120_000);
afterAll(async () => {
  await node?.shutdown();
});

const row = (id: number) => node.host.ps().find((a) => a.id === id)!;

/** Runs an agent to its exit and returns its log. */
async function run(source: string, services: Record<string, number>): Promise<{ code: number; logs: string[] }> {
  const id = await node.spawn(source, { services } as never);
  const st = await node.wait(id);
  return { code: st.code, logs: node.logs(id) };
}

describe('attacks - services under flood', () => {
  it('attacks - 150 intents and 1,500 asks at once leave semantic-ipcd active and serving a bystander; only the flooder is ever judged, and no ask is lost', async () => {
    const intents = Array.from({ length: 150 }, (_, i) => `{ name: 'flood-${i}', handle: (p) => ({ i: ${i}, p }) }`).join(',\n');
    const server = await node.spawn(`import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'many-intents', intents: [${intents}] });`, { services: { 'semantic-ipcd': sem } } as never);
    await until(() => node.host.request<unknown[]>(sem, { op: 'intents' }), (l) => l.length >= 150, 'the 150 intents');
    // The flooder idles for a few windows (a baseline), then fires 1,500 asks without waiting.
    const flooder = await node.spawn(`import { defineAgent } from '@aios/runtime';
import { ask } from '@aios/runtime/ipc';
import { sleep, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'flooder', async main(ctx) {
  await sleep(3500);
  const codes = {};
  const all = [];
  for (let i = 0; i < 1500; i++) {
    all.push(ask('flood-' + (i % 150), { i }, { timeoutMs: 60000 }).then(() => 'ok', (e) => e.code).then((c) => { codes[c] = (codes[c] ?? 0) + 1; }));
    if (i % 100 === 99) await schedYield();
  }
  await Promise.all(all);
  ctx.log(JSON.stringify(codes));
} });`, { services: { 'semantic-ipcd': sem } } as never);
    await new Promise((r) => setTimeout(r, 3800));
    const by = await run(`import { defineAgent } from '@aios/runtime';
import { ask } from '@aios/runtime/ipc';
export default defineAgent({ name: 'bystander', async main(ctx) { ctx.log(JSON.stringify(await ask('flood-7', { me: 1 }, { timeoutMs: 20000 }))); } });`, { 'semantic-ipcd': sem });
    expect(by.code, by.logs.join('\n')).toBe(0);
    expect(JSON.parse(by.logs[0]!)).toEqual({ i: 7, p: { me: 1 } });
    expect(row(sem).quarantined).toBe(false);
    expect(row(sem).state).not.toBe('suspended');
    await until(() => node.logs(flooder), (l) => l.length > 0 || row(flooder).quarantined === true, 'the flood to end', 2400);
    const judged = node.host.kernel.audit.records((r) => r.agent === flooder && (r.syscall === 'Quarantine' || r.syscall === 'Throttle'));
    const line = node.logs(flooder).find((l) => l.startsWith('{'));
    // A burst of 1,500 legitimate asks is not an attack: each one is answered (ok, or EAGAIN past the sender's
    // queue, or ETIMEDOUT) unless the monitor judged the flooder on its own syscalls; none is silently lost.
    if (judged.length === 0) {
      const codes = JSON.parse(line!) as Record<string, number>;
      expect(Object.values(codes).reduce((a, b) => a + b, 0)).toBe(1500);
      // ETIMEDOUT is an answer too (a loaded machine may not serve 1,500 asks in time); routing errors would not be.
      expect(Object.keys(codes).every((c) => c === 'ok' || c === 'EAGAIN' || c === 'ETIMEDOUT'), line).toBe(true);
      expect(codes.ok ?? 0, line).toBeGreaterThan(0);
    }
    expect(node.host.kernel.audit.records((r) => r.agent === sem && r.syscall === 'Quarantine')).toEqual([]);
    node.host.kill(server);
  }, 180_000);

  it('attacks - a junk flood at memoryd leaves it active and serving a bystander', async () => {
    const junk = await node.spawn(`import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'junker', async main(ctx) {
  await k.sleep(3500);
  const m = k.nsLookup('memoryd'); const reply = k.capDerive(k.selfHandle(), k.Rights.SEND | k.Rights.TRANSFER);
  let sent = 0, full = 0;
  for (let i = 0; i < 20000; i++) {
    const bytes = new TextEncoder().encode(i % 2 ? 'not json ' + i : JSON.stringify({ id: i, op: 'no-such-op' }));
    try { k.ipcSend(m, bytes, i % 3 ? undefined : { handles: [reply] }); sent++; } catch (e) { if (e.code !== 'EAGAIN') { ctx.log('stopped: ' + e.code); break; } full++; }
    if (i % 500 === 0) await k.schedYield();
  }
  ctx.log(JSON.stringify({ sent, full }));
} });`, { services: { memoryd: memd } } as never);
    await new Promise((r) => setTimeout(r, 3800));
    const by = await run(`import { defineAgent } from '@aios/runtime';
import * as mem from ${MEMORY};
export default defineAgent({ name: 'mem-bystander', async main(ctx) {
  const id = await mem.remember('the bystander parked on level two');
  const hits = await mem.recall('where did I park', { k: 1 });
  ctx.log(JSON.stringify(hits[0].id === id));
} });`, { memoryd: memd });
    expect(by.code, by.logs.join('\n')).toBe(0);
    expect(by.logs).toEqual(['true']);
    expect(row(memd).quarantined).toBe(false);
    expect(row(memd).state).not.toBe('suspended');
    expect(node.host.kernel.audit.records((r) => r.agent === memd && r.syscall === 'Quarantine')).toEqual([]);
    try { node.host.kill(junk); } catch { /* exited */ }
  }, 120_000);
});
