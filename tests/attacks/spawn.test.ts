// Attacks through spawning: a refused spawn leaves nothing behind, labels and detachment
// cannot be widened, and a spawn bomb's descendants die with the bomber.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import { NR, Rights, limits } from '@aios/abi';

function agent(body: string, handlers = 'main'): string {
  return `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'attacker', async ${handlers}(ctx) { ${body} } });
`;
}

const QUICK = "import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'q', main() {} });";

describe('attacks - spawning', () => {
  let host: KernelHost;
  beforeAll(() => {
    host = createTestHost({ config: { behavior: false } });
  });
  afterAll(() => host.shutdown());

  const liveCount = () => host.ps().filter((a) => a.state !== 'zombie' && a.state !== 'dead').length;

  it('attacks - refused spawns (quota, rate quota, labels, realtime, detach, bad image) leave no agent, handle or spawn slot', async () => {
    const id = await host.spawn({ source: agent(`
      const tries = [
        ['mem', () => k.agentSpawn({ source: ${JSON.stringify(QUICK)} }, { quotas: { memBytes: 2 ** 40 } })],
        ['rate', () => k.agentSpawn({ source: ${JSON.stringify(QUICK)} }, { quotas: { ipcMsgsPerSec: 1000 } })],
        ['cpu', () => k.agentSpawn({ source: ${JSON.stringify(QUICK)} }, { quotas: { cpuMsPerPeriod: 90, cpuPeriodMs: 100 } })],
        ['label', () => k.agentSpawn({ source: ${JSON.stringify(QUICK)} }, { labels: ['system'] })],
        ['deadline', () => k.agentSpawn({ source: ${JSON.stringify(QUICK)} }, { hints: ['deadline'], deadline: { budgetMs: 1, periodMs: 10 } })],
        ['detached', () => k.agentSpawn({ source: ${JSON.stringify(QUICK)} }, { detached: true })],
      ];
      const out = [];
      for (const [n, f] of tries) { try { f(); out.push(n + ':ok'); } catch (e) { out.push(n + ':' + e.code); } }
      try { await k.asyncWait(k.agentSpawn({ source: 'export default {{{' })); out.push('image:ok'); } catch (e) { out.push('image:' + e.code); }
      ctx.log(out.join(','));
      await k.ipcWait();
    `) }, { name: 'spawner', domain: 'wasm', capabilities: ['spawn'], labels: ['user'], quotas: { ipcMsgsPerSec: 100, cpuMsPerPeriod: 50, cpuPeriodMs: 100 } });
    const a = host.kernel.agents.get(id)!;
    for (let i = 0; i < 300 && host.logs(id).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(host.logs(id)[0]).toBe('mem:EQUOTA,rate:EQUOTA,cpu:EQUOTA,label:EPERM,deadline:EPERM,detached:EPERM,image:EINVAL');
    expect(a.children.size).toBe(0);
    expect(a.quota.used.spawns).toBe(0);
    expect(host.ps().filter((x) => x.parent === id)).toEqual([]);
    expect([...host.kernel.agents.values()].filter((x) => x.parent === a)).toEqual([]);
    // Only its self handle and what the host granted; no handle to a half-made child.
    expect([...a.handles.entriesList()].filter(([, e]) => e.node.object !== a && (e.node.object as { type: string }).type === 'agent' && (e.node.object as { parent?: unknown }).parent === a)).toEqual([]);
    expect(host.kernel.dlAdmission.usedPpm).toBe(0);
    host.kill(id);
  });

  it('attacks - a spawn bomb dies with the bomber: no descendant outlives it', async () => {
    const before = liveCount();
    const BOMB = agent(`
      const me = k.selfInfo();
      const depth = (me.config && me.config.depth) || 0;
      if (depth < 3) {
        for (let i = 0; i < 3; i++) {
          try { await k.asyncWait(k.agentSpawn({ source: SRC }, { name: 'bomb', capabilities: ['spawn'], config: { depth: depth + 1 } })); } catch (e) { ctx.log(e.code); }
        }
      }
      ctx.log('armed');
      await k.ipcWait();
    `).replace('export default', 'const SRC = ' + JSON.stringify('@@') + ';\nexport default');
    // The bomb spawns copies of its own source.
    const src = BOMB.replace(JSON.stringify('@@'), JSON.stringify(BOMB.replace(JSON.stringify('@@'), 'null')));
    const id = await host.spawn({ source: src }, { name: 'bomb', domain: 'wasm', capabilities: ['spawn'] });
    for (let i = 0; i < 500 && liveCount() < before + 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(liveCount()).toBeGreaterThanOrEqual(before + 4);
    host.kill(id);
    expect(liveCount()).toBe(before);
    const killed = host.ps().filter((x) => x.exitReason?.startsWith('killed: parent agent'));
    expect(killed.length).toBeGreaterThanOrEqual(3);
  });

  it('attacks - a detached child (spawned with DETACH) outlives its parent and is adopted by the root', async () => {
    const id = await host.spawn({ source: agent(`
      const h = await k.asyncWait(k.agentSpawn({ source: ${JSON.stringify(QUICK.replace('main() {}', 'onMessage() {}'))} }, { name: 'orphan', detached: true }));
      ctx.log('child ' + k.agentInfo(h).id);
      await k.ipcWait();
    `) }, { name: 'parent', domain: 'wasm', capabilities: ['spawn', 'detach'] });
    for (let i = 0; i < 300 && host.logs(id).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(host.logs(id)[0]).toMatch(/^child \d+$/);
    const child = Number(host.logs(id)[0]!.split(' ')[1]);
    host.kill(id);
    const row = host.ps().find((x) => x.id === child)!;
    expect(row.state).not.toBe('zombie');
    expect(row.parent).toBe(host.kernel.root.id);
  });
});

describe('attacks - refused allocations leave nothing', () => {
  it('attacks - FrameAlloc with a full handle table gives ENOMEM and returns the frames to the arena and the quota', async () => {
    const host = createTestHost();
    const id = await host.spawn({ source: agent('await k.ipcWait();') }, { name: 'framer', domain: 'native', capabilities: ['frame'] });
    const k = host.kernel;
    const a = k.agents.get(id)!;
    while (a.handles.size < limits.HANDLES_PER_AGENT_MAX) k.insertHandle(a, a, 0, null);
    const free = k.arena.freeFrames;
    expect(() => k.syscall(a, NR.FrameAlloc!, [4])).toThrow(expect.objectContaining({ code: 'ENOMEM' }));
    expect(k.arena.freeFrames).toBe(free);
    expect(a.quota.used.frames).toBe(0);
    expect(a.quota.used.memBytes).toBe(0);
    host.shutdown();
  });

  it('attacks - an IPCSend whose handles do not all fit leaves none of them with the receiver', async () => {
    const host = createTestHost();
    const k = host.kernel;
    const rx = await host.spawn({ source: agent('await k.ipcWait();') }, { name: 'rx', domain: 'native' });
    const tx = await host.spawn({ source: agent('await k.ipcWait();') }, { name: 'tx', domain: 'native' });
    const r = k.agents.get(rx)!, t = k.agents.get(tx)!;
    const toRx = k.insertHandle(t, r, Rights.SEND, null);
    const h1 = k.insertHandle(t, t, Rights.TRANSFER, null), h2 = k.insertHandle(t, t, Rights.TRANSFER, null);
    while (r.handles.size < limits.HANDLES_PER_AGENT_MAX - 1) k.insertHandle(r, r, 0, null);
    const size = r.handles.size;
    expect(() => k.syscall(t, NR.IPCSend!, [toRx, new Uint8Array(1), { handles: [h1, h2] }])).toThrow(expect.objectContaining({ code: 'ENOMEM' }));
    expect(r.handles.size).toBe(size);
    expect(r.mailbox.length).toBe(0);
    host.shutdown();
  });
});
