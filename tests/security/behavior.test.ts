// Behavioural analysis and rate quotas on a real kernel: an agent that starts
// behaving differently is quarantined (suspended, audited, an event) until released;
// IPC and CPU rate quotas are enforced on the syscall path.
import { describe, it, expect } from 'vitest';
import { createTestHost } from '@aios/testkit';

const src = (body: string) => `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'x', async main(ctx) { ${body} } });`;

describe('behavior - quarantine', () => {
  it('behavior - a sudden storm of denied syscalls quarantines the agent until it is released', async () => {
    const host = createTestHost({ config: { behavior: { windowMs: 50 } } });
    const events: string[] = [];
    host.kernel.subscribeHost('security.>', (e) => events.push(e.topic));
    const id = await host.spawn({ source: src(`
      for (let w = 0; w < 6; w++) { for (let i = 0; i < 20; i++) k.clockNow(); await k.sleep(60); }
      for (let i = 0; i < 2000; i++) { try { k.frameAlloc(1); } catch (e) { if (e.code === 'EACCES' && e.detail && e.detail.quarantined) { ctx.log('stopped at ' + i); break; } } }
      await k.sleep(10);
      ctx.log('after release');
    `) }, { domain: 'native' });
    for (let i = 0; i < 300 && !host.ps().find((a) => a.id === id)?.quarantined; i++) await new Promise((r) => setTimeout(r, 10));
    const row = host.ps().find((a) => a.id === id)!;
    expect(row.quarantined).toBe(true);
    expect(row.state).toBe('suspended');
    expect(row.trust!).toBeLessThan(1);
    expect(events).toContain('security.quarantine');
    expect(host.kernel.audit.records((r) => r.syscall === 'Quarantine' && r.agent === id).length).toBe(1);
    host.release(id);
    const st = await host.waitExit(id);
    expect(st.code).toBe(0);
    expect(host.logs(id).some((l) => l.startsWith('stopped at'))).toBe(true);
    expect(host.logs(id)).toContain('after release');
    expect(host.kernel.audit.records((r) => r.syscall === 'Release').length).toBe(1);
    host.shutdown();
  });

  it('behavior - a burst of spawns is quarantined', async () => {
    const host = createTestHost({ config: { behavior: { windowMs: 1000, burstSpawns: 20 }, rootQuota: { spawns: 10_000 } } });
    const id = await host.spawn({ source: src(`
      const child = "import { defineAgent } from '@aios/runtime';\\nexport default defineAgent({ name: 'c', main() {} });";
      for (let i = 0; i < 100; i++) { try { k.agentSpawn({ source: child }); } catch (e) { ctx.log('code ' + e.code); break; } }
    `) }, { capabilities: ['spawn'], domain: 'native' });
    for (let i = 0; i < 200 && !host.ps().find((a) => a.id === id)?.quarantined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(host.ps().find((a) => a.id === id)!.quarantined).toBe(true);
    expect(host.logs(id)).toContain('code EACCES');
    host.shutdown();
  });
});

describe('quotas - rates', () => {
  it('quotas - IPC messages per second are limited with EQUOTA and the numbers', async () => {
    const host = createTestHost({ config: { behavior: false } });
    const id = await host.spawn({ source: src(`
      const me = k.selfHandle(); let sent = 0;
      for (let i = 0; i < 100; i++) { try { k.ipcSend(me, new Uint8Array(1)); sent++; } catch (e) { ctx.log(sent + ' ' + e.code + ' ' + JSON.stringify(e.detail)); return; } }
      ctx.log('unlimited');
    `) }, { quotas: { ipcMsgsPerSec: 10 } });
    await host.waitExit(id);
    const [sent, code, detail] = host.logs(id)[0]!.split(' ');
    expect(Number(sent)).toBe(10);
    expect(code).toBe('EQUOTA');
    expect(JSON.parse(detail!)).toMatchObject({ resource: 'ipcMsgsPerSec', limit: 10 });
    await expect(host.spawn({ source: src('') }, { quotas: { ipcMsgsPerSec: 10 }, namespace: {} }).then(async (p) => {
      void p;
      return 'ok';
    })).resolves.toBe('ok');
    host.shutdown();
  });

  it('quotas - a CPU quota caps the share of a busy agent', async () => {
    const host = createTestHost({ config: { behavior: false } });
    const spin = src(`const end = performance.now() + 600; while (performance.now() < end) { const t = performance.now() + 1; while (performance.now() < t) {} await k.schedYield(); }`);
    const capped = await host.spawn({ source: spin }, { quotas: { cpuMsPerPeriod: 10, cpuPeriodMs: 100 }, domain: 'native' });
    const free = await host.spawn({ source: spin }, { domain: 'native' });
    await Promise.all([host.waitExit(capped), host.waitExit(free)]);
    const c = host.ps().find((a) => a.id === capped)!.cpuMs;
    const f = host.ps().find((a) => a.id === free)!.cpuMs;
    expect(c).toBeLessThan(f / 2);
    host.shutdown();
  });
});
