// memoryd keys an agent's private namespaces by its identity (identityd): the same agent started again (same
// name and parent, a new incarnation with a new agent id) finds its memories; another agent does not.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { bootMemNode, agentSource, runToExit, type MemNode } from './helpers.ts';

let m: MemNode;
beforeAll(async () => {
  m = await bootMemNode();
});
afterAll(async () => {
  m?.registry.close();
  await m?.node.shutdown();
});

describe('memory - private namespaces keyed by identity', () => {
  it('memory - a restarted agent recalls its private memory; another agent neither sees nor reaches it', async () => {
    const first = await m.node.spawn(agentSource('diarist', `
      await mem.remember('the safe combination is 31-17-4');
      ctx.log((await mem.memory().request('stats', {})).ns);`), { name: 'diarist' });
    const r1 = await runToExit(m.node, first);
    expect(r1.code, r1.reason).toBe(0);
    const ns = r1.logs[0]!;
    expect(ns).toMatch(/^i[0-9a-f]{64}:default$/);

    const again = await m.node.spawn(agentSource('diarist', `
      const hits = await mem.recall('safe combination', { k: 1 });
      ctx.log(hits[0] ? hits[0].text : 'nothing');
      ctx.log((await mem.memory().request('stats', {})).ns);`), { name: 'diarist' });
    expect(again).not.toBe(first);
    const r2 = await runToExit(m.node, again);
    expect(r2.code, r2.reason).toBe(0);
    expect(r2.logs).toEqual(['the safe combination is 31-17-4', ns]);

    const other = await m.node.spawn(agentSource('prowler', `
      const hits = await mem.recall('safe combination');
      ctx.log(String(hits.length));
      try { await mem.memory().request('search', { ns: ${JSON.stringify(ns)}, query: 'safe combination' }); ctx.log('reached'); } catch (e) { ctx.log(e.code); }`), { name: 'prowler' });
    expect((await runToExit(m.node, other)).logs).toEqual(['0', 'EPERM']);
  }, 120_000);
});
