// SchedSet and spawn-time scheduling options: what an agent may change about itself.
import { describe, it, expect } from 'vitest';
import { createTestHost } from '@aios/testkit';

describe('sched - SchedSet', () => {
  it('sched - nice may rise but not fall below the spawn value; hints are validated', async () => {
    const host = createTestHost();
    const id = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import { schedSet, agentInfo, selfHandle } from '@aios/runtime/kernel';
export default defineAgent({ name: 's', main(ctx) {
  const out = [];
  const t = (f) => { try { f(); out.push('ok'); } catch (e) { out.push(e.code); } };
  t(() => schedSet({ nice: 5 }));
  t(() => schedSet({ nice: 2 }));
  t(() => schedSet({ nice: -1 }));
  t(() => schedSet({ hints: ['interactive'] }));
  t(() => schedSet({ hints: ['interactive', 'batch'] }));
  t(() => schedSet({ hints: ['turbo'] }));
  t(() => schedSet({ hints: ['deadline'] }));
  t(() => schedSet({ hints: ['deadline'], budgetMs: 2, periodMs: 10 }));
  t(() => schedSet({ hints: ['deadline'], budgetMs: 20, periodMs: 10 }));
  ctx.log(out.join(','));
} });` }, { nice: 1, capabilities: ['realtime'] });
    await host.waitExit(id);
    expect(host.logs(id)[0]).toBe('ok,ok,EPERM,ok,EINVAL,EINVAL,EINVAL,ok,EINVAL');
    const row = host.ps().find((a) => a.id === id)!;
    expect(row.nice).toBe(2);
    expect(row.weight).toBe(655);
    expect(row.hints).toEqual(['deadline']);
    host.shutdown();
  });

  it('sched - spawn takes nice, hints and a deadline reservation', async () => {
    const host = createTestHost();
    const src = `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'x', main() {} });`;
    const id = await host.spawn({ source: src }, { nice: 3, hints: ['deadline'], deadline: { budgetMs: 1, periodMs: 5 } });
    await host.waitExit(id);
    await expect(host.spawn({ source: src }, { hints: ['deadline'] })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.spawn({ source: src }, { hints: ['batch', 'interactive'] })).rejects.toMatchObject({ code: 'EINVAL' });
    host.shutdown();
  });
});
