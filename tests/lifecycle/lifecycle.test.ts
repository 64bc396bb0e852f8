// Lifecycle operations through the real syscalls, driven by a coordinator agent:
// clone, checkpoint/restore, merge, split, upgrade (with rollback), specialize,
// suspend/resume, a missing hook, and a storm of bad syscalls.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createTestHost } from '@aios/testkit';

const V1 = fileURLToPath(new URL('./counter-v1.ts', import.meta.url));
const V2 = fileURLToPath(new URL('./counter-v2.ts', import.meta.url));

/** A coordinator agent running `body` with helpers: spawn, send, report(h) -> the counter's state. */
function coordinator(body: string): string {
  return `
import { defineAgent, spawn } from '@aios/runtime';
import * as o from '@aios/runtime/orchestration';
import * as k from '@aios/runtime/kernel';
const enc = new TextEncoder(), dec = new TextDecoder();
const send = (h, t) => k.ipcSend(h, enc.encode(t));
async function report(h) {
  k.ipcSend(h, enc.encode('report'), { handles: [k.capDerive(k.selfHandle(), k.Rights.SEND | k.Rights.TRANSFER)] });
  for (;;) { const m = await k.ipcWait(5000); if (m.tag === 'data') return JSON.parse(dec.decode(m.data)); }
}
const V1 = ${JSON.stringify(V1)}, V2 = ${JSON.stringify(V2)};
export default defineAgent({ name: 'coordinator', async main(ctx) {
  const out = (x) => ctx.log('OUT ' + JSON.stringify(x));
  ${body}
} });`;
}

async function run(body: string, domain: 'native' | 'wasm' = 'wasm'): Promise<{ out: unknown[]; logs: string[]; code: number; host: ReturnType<typeof createTestHost> }> {
  const host = createTestHost();
  const id = await host.spawn({ source: coordinator(body) }, { name: 'coordinator', capabilities: ['spawn', 'supervise'], domain });
  const st = await host.waitExit(id);
  const logs = host.logs(id);
  const out = logs.filter((l) => l.startsWith('OUT ')).map((l) => JSON.parse(l.slice(4)) as unknown);
  if (st.code !== 0) throw new Error(`coordinator exited ${st.code}: ${st.reason}\n${logs.join('\n')}`);
  return { out, logs, code: st.code, host };
}

describe('lifecycle - operations', () => {
  it('lifecycle - clone copies state, memory regions and unread messages', async () => {
    const { out, host } = await run(`
      const c = await spawn({ path: V1 }, { name: 'counter' });
      send(c, 'a'); send(c, 'b');
      await k.sleep(20);
      const copy = await o.clone(c);
      send(copy, 'c');
      await k.sleep(20);
      out(await report(c)); out(await report(copy));
    `);
    expect(out).toEqual([{ v: 1, count: 2, seen: ['a', 'b'] }, { v: 1, count: 3, seen: ['a', 'b', 'c'] }]);
    expect(host.kernel.audit.records((r) => r.syscall === 'AgentClone' && r.result === 'ok').length).toBe(1);
    host.shutdown();
  });

  it('lifecycle - a checkpoint is restored into a new agent with its state', async () => {
    const { out, host } = await run(`
      const c = await spawn({ path: V1 }, { name: 'counter' });
      send(c, 'x'); await k.sleep(20);
      const ck = await o.checkpoint(c);
      k.agentKill(c);
      const back = await o.restore(ck.id);
      out(ck.bytes > 0); out(await report(back));
    `);
    expect(out).toEqual([true, { v: 1, count: 1, seen: ['x'] }]);
    host.shutdown();
  });

  it('lifecycle - merge combines states and mailboxes; the merged agent exits', async () => {
    const { out, host } = await run(`
      const a = await spawn({ path: V1 }, { name: 'counter' });
      const b = await spawn({ path: V1 }, { name: 'counter' });
      send(a, 'a1'); send(b, 'b1'); send(b, 'b2');
      await k.sleep(20);
      const r = await o.merge(a, b);
      out(k.agentInfo(b).state); out(await report(a));
    `);
    expect(out[0]).toBe('zombie');
    expect(out[1]).toEqual({ v: 1, count: 3, seen: ['a1', 'b1', 'b2'] });
    host.shutdown();
  });

  it('lifecycle - split divides state and unread messages through the partition hook', async () => {
    const { out, host } = await run(`
      const a = await spawn({ path: V1 }, { name: 'counter' });
      send(a, 'first'); await k.sleep(20);
      k.agentSuspend(a);
      for (const t of ['m0', 'm1', 'm2', 'm3']) send(a, t);
      k.agentResume(a);
      const b = await o.split(a);
      await k.sleep(30);
      out(await report(a)); out(await report(b));
    `);
    const [a, b] = out as Array<{ count: number; seen: string[] }>;
    expect(a!.seen.slice(0, 1)).toEqual(['first']);
    expect(a!.seen.length + b!.seen.length).toBe(5);
    expect(b!.seen.length).toBeGreaterThanOrEqual(1);
    host.shutdown();
  });

  it('lifecycle - upgrade migrates state to the new version, and a trap in the window rolls back', async () => {
    const { out, host } = await run(`
      const c = await spawn({ path: V1 }, { name: 'counter' });
      send(c, 'one'); await k.sleep(20);
      const up = await o.upgrade(c, { path: V2 }, { rollbackWindowMs: 2000 });
      out(up);
      send(c, 'two'); await k.sleep(20);
      out(await report(c));
      send(c, 'crash'); await k.sleep(30);
      out(k.agentInfo(c).state !== 'zombie');
      out(await report(c));
    `);
    expect(out[0]).toMatchObject({ from: '1.0.0', to: '2.0.0' });
    expect(out[1]).toEqual({ v: 2, count: 11, seen: ['one', 'two'], migratedFrom: '1.0.0' });
    expect(out[2]).toBe(true);
    expect((out[3] as { v: number }).v).toBe(1);
    expect(host.kernel.audit.records((r) => r.syscall === 'UpgradeRollback').length).toBe(1);
    host.shutdown();
  });

  it('lifecycle - specialize narrows capabilities and merges config; widening is EPERM', async () => {
    const { out, host } = await run(`
      const t = await spawn({ path: V1 }, { name: 'counter', capabilities: ['spawn'], config: { a: 1 } });
      const s = await o.specialize(t, { capabilities: [], config: { b: 2 } });
      out(k.agentInfo(s).name);
      try { await o.specialize(t, { capabilities: ['frame'] }); out('widened'); } catch (e) { out(e.code); }
    `);
    expect(out).toEqual(['counter.special', 'EPERM']);
    host.shutdown();
  });

  it('lifecycle - an agent without the needed hook gets ENOSYS naming it', async () => {
    const { out, host } = await run(`
      const plain = await spawn({ source: "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'plain', onMessage() {} });" });
      const other = await spawn({ source: "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'plain', onMessage() {} });" });
      try { await o.merge(plain, other); } catch (e) { out(e.code + ' ' + e.detail.hook); }
      try { await o.upgrade(plain, { path: V2 }); } catch (e) { out(e.code + ' ' + e.detail.hook); }
    `);
    expect(out).toEqual(['ENOSYS serialize', 'ENOSYS serialize']);
    host.shutdown();
  });

  it('lifecycle - a suspended agent runs nothing until resumed', async () => {
    const { out, host } = await run(`
      const c = await spawn({ path: V1 }, { name: 'counter' });
      k.agentSuspend(c);
      send(c, 'while-suspended');
      await k.sleep(30);
      out(k.agentInfo(c).state); out(k.agentInfo(c).mailbox);
      k.agentResume(c);
      await k.sleep(30);
      out(await report(c));
    `);
    expect(out).toEqual(['suspended', 1, { v: 1, count: 1, seen: ['while-suspended'] }]);
    host.shutdown();
  });

  it('lifecycle - a storm of bad syscalls becomes a trap of that agent', async () => {
    const host = createTestHost();
    const id = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import { ipcSend, schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'stormy', async main() { for (let i = 0; i < 200000; i++) { try { ipcSend(424242, new Uint8Array(1)); } catch {} if (i % 1000 === 0) await schedYield(); } } });` }, { domain: 'native' });
    const st = await host.waitExit(id);
    expect(st.reason).toContain('trap: syscall-storm');
    host.shutdown();
  });
});
