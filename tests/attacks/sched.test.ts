// Attacks through scheduling: a 'deadline' reservation must never corrupt the run queues
// (each queue has its own membership), and an unprivileged agent cannot take one.
import { describe, it, expect } from 'vitest';
import { createTestHost } from '@aios/testkit';

const YIELDER = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'yielder', async main(ctx) {
  let r = 'ok';
  try { k.schedSet({ hints: ['deadline'], budgetMs: 5, periodMs: 10 }); } catch (e) { r = e.code; }
  ctx.log('schedSet ' + r);
  for (let i = 0; i < 200; i++) await k.schedYield();
  ctx.log('done');
} });
`;

const SPINNER = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'spinner', async main(ctx) {
  for (let i = 0; i < 200; i++) await k.schedYield();
  ctx.log('done');
} });
`;

describe('attacks - scheduling', () => {
  it('attacks - a deadline agent yielding in a loop beside CFS agents does not crash the node', async () => {
    const host = createTestHost();
    const rt = await host.spawn({ source: YIELDER }, { name: 'yielder', domain: 'wasm', capabilities: ['realtime'] });
    const others = await Promise.all([1, 2, 3].map((i) => host.spawn({ source: SPINNER }, { name: `spin${i}`, domain: 'wasm' })));
    for (const id of [rt, ...others]) expect((await host.waitExit(id)).code).toBe(0);
    expect(host.logs(rt)).toEqual(['schedSet ok', 'done']);
    host.shutdown();
  });

  it('attacks - an agent without the realtime privilege cannot take a deadline reservation', async () => {
    const host = createTestHost();
    const id = await host.spawn({ source: YIELDER }, { name: 'yielder', domain: 'wasm' });
    expect((await host.waitExit(id)).code).toBe(0);
    expect(host.logs(id)).toEqual(['schedSet EPERM', 'done']);
    expect(host.kernel.audit.records((r) => r.agent === id && r.syscall === 'SchedSet' && r.result === 'EPERM').length).toBe(1);
    host.shutdown();
  });
});
