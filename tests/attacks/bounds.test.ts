// What an agent can make the node keep is bounded: its log (live and after exit), what its zombie
// holds (manifest, image), its event subscriptions.
import { describe, it, expect, afterAll } from 'vitest';
import { limits } from '@aios/abi';
import { createTestHost, runAgent } from '@aios/testkit';

const src = (body: string) => `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'b', async main(ctx) { ${body} } });
`;

describe('attacks - bounded agent state', () => {
  const host = createTestHost({ config: { behavior: false } });
  afterAll(() => host.shutdown());

  it('attacks - a live log is bounded in bytes, and an exited agent keeps only its newest ZOMBIE_LOG_BYTES', async () => {
    const id = await host.spawn({ source: src(`
      const big = 'x'.repeat(8000);
      for (let i = 0; i < 1000; i++) ctx.log(i + ':' + big);
      ctx.log('done');
      await k.ipcWait();
    `) }, { name: 'logger', domain: 'native' });
    const a = host.kernel.agents.get(id)!;
    for (let i = 0; i < 200 && !a.logs.includes('done'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(a.logs).toContain('done');
    const live = a.logs.reduce((n, l) => n + l.length, 0);
    expect(live).toBeLessThanOrEqual(limits.LOG_BYTES_PER_AGENT);
    expect(a.logBytes).toBe(live);
    host.kill(id);
    await host.waitExit(id);
    const kept = host.logs(id);
    expect(kept.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(limits.ZOMBIE_LOG_BYTES);
    expect(kept).toContain('done'); // the newest lines are the ones kept
    expect(kept.length).toBeGreaterThan(0);
  });

  it('attacks - a zombie keeps neither its image nor its full manifest', async () => {
    const r = await runAgent(host, src(`k.agentRegister({ name: 'reg', version: '1.2.3', description: 'd'.repeat(4000), intents: [{ name: 'x', description: 'e'.repeat(4000) }] });`), { name: 'reg', domain: 'native' });
    expect(r.code).toBe(0);
    const z = host.kernel.agents.get(r.id)!;
    expect(z.image).toBeNull();
    expect(z.manifest).toEqual({ name: 'reg', version: '1.2.3' });
    expect(host.kernel.info(z).version).toBe('1.2.3');
  });

  it('attacks - event subscriptions per agent are bounded (EQUOTA), and closing one frees a slot', async () => {
    const r = await runAgent(host, src(`
      const hs = [];
      for (let i = 0; i < ${limits.EVENT_SUBSCRIPTIONS_PER_AGENT_MAX}; i++) hs.push(k.eventSubscribe('agent.*.exit'));
      try { k.eventSubscribe('agent.*.exit'); ctx.log('no limit'); } catch (e) { ctx.log(e.code + ' ' + JSON.stringify(e.detail)); }
      k.handleClose(hs[0]);
      k.eventSubscribe('agent.*.exit');
      ctx.log('again ok');
    `), { name: 'subs', domain: 'native' });
    expect(r.logs[0]).toBe(`EQUOTA {"resource":"subscriptions","limit":${limits.EVENT_SUBSCRIPTIONS_PER_AGENT_MAX},"used":${limits.EVENT_SUBSCRIPTIONS_PER_AGENT_MAX}}`);
    expect(r.logs[1]).toBe('again ok');
  });
});

describe('attacks - names cannot shadow ids', () => {
  const host = createTestHost({ config: { behavior: false } });
  afterAll(() => host.shutdown());

  it('attacks - spawning an agent named like an id (or with an escape sequence) is EINVAL; an image name like an id is ignored', async () => {
    const r = await runAgent(host, src(`
      for (const name of ['1', '12345', 'x\\u001b[31mred']) {
        try { k.agentSpawn({ source: 'export default {}' }, { name }); ctx.log('spawned ' + JSON.stringify(name)); }
        catch (e) { ctx.log(e.code + ' ' + e.detail.arg); }
      }
    `), { name: 'spawner', domain: 'native', capabilities: ['spawn'] });
    expect(r.logs).toEqual(['EINVAL opts.name', 'EINVAL opts.name', 'EINVAL opts.name']);
    await expect(host.spawn({ source: src('') }, { name: '99' })).rejects.toMatchObject({ code: 'EINVAL' });
    const digits = await runAgent(host, `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: '4242', async main() {} });`, { domain: 'native' });
    expect(host.kernel.agents.get(digits.id)!.name).toBe('agent');
  });
});

describe('attacks - blocking calls that are never awaited', () => {
  const host = createTestHost({ config: { behavior: false } });
  afterAll(() => host.shutdown());

  it('attacks - an agent cannot start unbounded sleeps (each a host timer): past the bound it gets EAGAIN', async () => {
    const r = await runAgent(host, src(`
      const ps = [];
      let refused = null;
      for (let i = 0; i < ${limits.BLOCKED_CALLS_PER_AGENT_MAX + 10} && refused === null; i++) {
        ps.push(k.sleep(${limits.MAX_TIMEOUT_MS}).catch((e) => { refused ??= e.code + ' at ' + i; }));
        await null;
      }
      ctx.log(String(refused));
    `), { name: 'sleeper', domain: 'native' });
    expect(r.logs).toEqual([`EAGAIN at ${limits.BLOCKED_CALLS_PER_AGENT_MAX}`]);
  });
});
