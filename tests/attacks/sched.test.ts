// Attacks through scheduling: a 'deadline' reservation must never corrupt the run queues
// (each queue has its own membership), and an unprivileged agent cannot take one.
import { describe, it, expect } from 'vitest';
import { createTestHost } from '@aios/testkit';
import { KernelHost } from '@aios/kernel';

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

describe('attacks - scheduling across boots and throttles', () => {
  it('attacks - a node boots and runs a journaled durable agent that takes a deadline reservation and yields', async () => {
    const records = new Map<string, string>();
    const journal = {
      saveAgent: (key: string, rec: string) => void records.set(key, rec),
      removeAgent: (key: string) => void records.delete(key),
      loadAgents: () => [...records].map(([key, record]) => ({ key, record })),
      appendMessage: () => 1,
      ackMessage: () => {},
      pendingMessages: () => [],
    };
    records.set('d-1', JSON.stringify({ key: 'd-1', image: { source: YIELDER }, opts: { name: 'yielder', domain: 'wasm', capabilities: ['realtime'] }, restart: 'permanent' }));
    const base = createTestHost();
    const host = new KernelHost({ ...base.kernel.ports, journal }, {}, [...base.kernel.domains.values()].filter((d) => d.name === 'wasm'));
    const recovered = await host.recover();
    expect(recovered).toHaveLength(1);
    const others = await Promise.all([1, 2].map((i) => host.spawn({ source: SPINNER }, { name: `spin${i}`, domain: 'wasm' })));
    for (const id of others) expect((await host.waitExit(id)).code).toBe(0);
    const id = recovered[0]!.id;
    for (let i = 0; i < 200 && !host.logs(id).includes('done'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(host.logs(id)).toEqual(['schedSet ok', 'done']);
    host.shutdown();
    base.shutdown();
  });

  it('attacks - a throttled agent cannot lift its own throttle with SchedSet', async () => {
    const host = createTestHost({ config: { behavior: false } });
    const id = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 't', onMessage(m, ctx) {
  const out = [];
  const t = (p) => { try { k.schedSet(p); out.push('ok'); } catch (e) { out.push(e.code); } };
  t({ nice: 0 });
  t({ hints: ['interactive'] });
  t({ hints: [] });
  t({ nice: 19 });
  ctx.log(out.join(','));
} });` }, { name: 't', domain: 'wasm', hints: ['batch'], capabilities: ['realtime'] });
    const a = host.kernel.agents.get(id)!;
    // What the behaviour monitor does on a 'throttle' verdict.
    a.behavior.throttled = true;
    a.nice = 5;
    host.send(id, 'go');
    for (let i = 0; i < 200 && host.logs(id).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(host.logs(id)[0]).toBe('EPERM,EPERM,EPERM,ok');
    expect(host.ps().find((x) => x.id === id)!.nice).toBe(19);
    host.shutdown();
  });
});
