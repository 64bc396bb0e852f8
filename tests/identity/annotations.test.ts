// Resource and scheduling policies applied: the Cedar @quota, @nice and @hints annotations of the node's policy
// set become a new agent's quotas, nice and hints at spawn, where the spawner set nothing (and never above what
// the parent can give).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestHost } from '@aios/testkit';
import { NODE_POLICIES, NodePolicy } from '../../apps/node/src/security/policy.ts';

const BATCH = `
@id("quota-batch") @priority("20") @quota("frames=8,spawns=2,mailboxDepth=32")
permit(principal, action == Action::"QuotaQuery", resource) when { principal.labels.contains("batch") };

@id("sched-batch") @priority("20") @nice("7") @hints("batch")
permit(principal, action == Action::"SchedQuery", resource) when { principal.labels.contains("batch") };
`;

const IDLE = `import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'idle', async main() { await k.ipcWait(30000); } });`;

describe('policy annotations at spawn', () => {
  it('annotations - @quota, @nice and @hints of the matching policies are applied at spawn; explicit options win', async () => {
    const policy = await NodePolicy.open(mkdtempSync(join(tmpdir(), 'aios-ann-')), {});
    await policy.apply(NODE_POLICIES + BATCH);
    let rootId = 0;
    const host = createTestHost({ config: { spawnDefaults: policy.spawnDefaultsHook(() => rootId) } });
    rootId = host.kernel.root.id;
    const batch = await host.spawn({ source: IDLE }, { labels: ['batch'] });
    const plain = await host.spawn({ source: IDLE }, {});
    const explicit = await host.spawn({ source: IDLE }, { labels: ['batch'], nice: 3, quotas: { frames: 20 } });
    const row = (id: number) => host.ps().find((a) => a.id === id)!;
    const agent = (id: number) => host.kernel.agents.get(id)!;
    expect(row(batch).nice).toBe(7);
    expect(row(batch).hints).toContain('batch');
    expect(agent(batch).quota.limits.frames).toBe(8);
    expect(agent(batch).quota.limits.spawns).toBe(2);
    // No label: the default policies (quota-default: frames 256, spawns 16; sched-default: nice 0, batch).
    expect(row(plain).nice).toBe(0);
    expect(agent(plain).quota.limits.frames).toBe(256);
    expect(agent(plain).quota.limits.spawns).toBe(16);
    // What the spawner says wins over the policy's defaults.
    expect(row(explicit).nice).toBe(3);
    expect(agent(explicit).quota.limits.frames).toBe(20);
    expect(agent(explicit).quota.limits.spawns).toBe(2);
    host.shutdown();
  });
});
