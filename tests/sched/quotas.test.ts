// Quotas as documented: defaults applied, CPU quotas shared down the tree, reservations admission-controlled.
import { describe, it, expect } from 'vitest';
import { limits } from '@aios/abi';
import { createTestHost } from '@aios/testkit';

const SERVER = `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 's', onMessage() {} });`;
const SPAWNER = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'p', async onMessage(m, ctx) {
  const opts = JSON.parse(m.text());
  try { const h = await k.asyncWait(k.agentSpawn({ source: ${JSON.stringify(SERVER)} }, opts)); ctx.log('ok ' + k.agentInfo(h).id); } catch (e) { ctx.log(e.code + ' ' + JSON.stringify(e.detail)); }
} });`;

describe('quotas - defaults, sharing and admission', () => {
  it('quotas - an agent spawned without quotas gets the default memory quota; spawnDepth is enforced', async () => {
    const host = createTestHost();
    const id = await host.spawn({ source: SPAWNER }, { capabilities: ['spawn'], quotas: { spawnDepth: 1 } });
    expect(host.kernel.agents.get(id)!.quota.limits.memBytes).toBe(limits.DEFAULT_MEM_QUOTA_BYTES);
    const ask = async (opts: object): Promise<string> => {
      const n = host.logs(id).length;
      host.send(id, JSON.stringify(opts));
      for (let i = 0; i < 300 && host.logs(id).length === n; i++) await new Promise((r) => setTimeout(r, 10));
      return host.logs(id)[n]!;
    };
    const r1 = await ask({ capabilities: ['spawn'] });
    expect(r1).toMatch(/^ok \d+$/);
    const child = host.kernel.agents.get(Number(r1.split(' ')[1]))!;
    // The child (depth limit reached) may not spawn, whatever it asks.
    expect(child.quota.depthLimit).toBe(child.depth);
    expect(await ask({ quotas: { spawnDepth: 5 } })).toMatch(/^EQUOTA .*spawnDepth/);
    host.shutdown();
  });

  it('quotas - a child without its own CPU quota shares its parent\'s; one with a bigger share is refused', async () => {
    const host = createTestHost();
    const id = await host.spawn({ source: SPAWNER }, { capabilities: ['spawn'], quotas: { cpuMsPerPeriod: 20, cpuPeriodMs: 100 } });
    const parent = host.kernel.agents.get(id)!;
    const ask = async (opts: object): Promise<string> => {
      const n = host.logs(id).length;
      host.send(id, JSON.stringify(opts));
      for (let i = 0; i < 300 && host.logs(id).length === n; i++) await new Promise((r) => setTimeout(r, 10));
      return host.logs(id)[n]!;
    };
    const shared = await ask({});
    expect(host.kernel.agents.get(Number(shared.split(' ')[1]))!.cpuQuota).toBe(parent.cpuQuota);
    const own = await ask({ quotas: { cpuMsPerPeriod: 10, cpuPeriodMs: 100 } });
    expect(host.kernel.agents.get(Number(own.split(' ')[1]))!.cpuQuota!.parent).toBe(parent.cpuQuota);
    // Same 20 ms but over a shorter period is a bigger share: refused.
    expect(await ask({ quotas: { cpuMsPerPeriod: 20, cpuPeriodMs: 50 } })).toMatch(/^EQUOTA .*cpuMsPerPeriod/);
    host.shutdown();
  });

  it('quotas - deadline reservations are admitted up to the node limit and released on exit', async () => {
    const host = createTestHost();
    const a = await host.spawn({ source: SERVER }, { hints: ['deadline'], deadline: { budgetMs: 3, periodMs: 10 } });
    const before = host.kernel.agents.size;
    await expect(host.spawn({ source: SERVER }, { hints: ['deadline'], deadline: { budgetMs: 3, periodMs: 10 } }))
      .rejects.toMatchObject({ code: 'EQUOTA', detail: { resource: 'cpuReservation', limit: limits.DEADLINE_UTIL_MAX_PPM, used: 300_000, requested: 300_000 } });
    expect(host.kernel.agents.size).toBe(before);
    host.kill(a);
    expect(host.kernel.dlAdmission.usedPpm).toBe(0);
    const b = await host.spawn({ source: SERVER }, { hints: ['deadline'], deadline: { budgetMs: 3, periodMs: 10 } });
    expect(host.kernel.agents.get(b)!.deadline).not.toBeNull();
    host.shutdown();
  });
});
