// Minimal reproductions of what the hostile-agent fuzz (fuzz.test.ts) found, kept as
// regression tests: each was a non-taxonomy error escaping a syscall.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestHost, runAgent } from '@aios/testkit';
import { createOfflineDriver } from '@aios/drivers/llm-offline';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import type { KernelHost } from '@aios/kernel';

const agent = (body: string): string => `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'repro', async main(ctx) { ${body} } });
`;

describe('attacks - fuzz findings', () => {
  let host: KernelHost;
  beforeAll(() => {
    host = createTestHost({ config: { llm: createOfflineDriver() } });
    host.kernel.plugDevice('storage', createMemoryStorage());
  });
  afterAll(() => host.shutdown());

  it('attacks - the Llm* calls given a bus device (storage) handle are EBADF, not a TypeError', async () => {
    const r = await runAgent(host, agent(`
      const s = k.nsLookup('storage');
      const out = [];
      for (const f of [() => k.llmUsage(s), () => k.llmStreamOpen(s, { messages: [{ role: 'user', content: 'x' }] })]) { try { f(); out.push('ok'); } catch (e) { out.push(e.code ?? 'no code: ' + e.message); } }
      try { await k.llmComplete(s, { messages: [{ role: 'user', content: 'x' }] }); out.push('ok'); } catch (e) { out.push(e.code ?? 'no code: ' + e.message); }
      ctx.log(out.join(','));
    `), { domain: 'wasm', devices: ['storage'] });
    expect(r.code).toBe(0);
    expect(r.logs[0]).toBe('EBADF,EBADF,EBADF');
  });

  it('attacks - Log of an argument that cannot be printed writes [unprintable] instead of throwing (native agents)', async () => {
    const r = await runAgent(host, agent(`
      const p = new Proxy(new Uint8Array(2), {});
      const t = { toJSON() { throw new Error('no json'); }, toString() { throw new Error('no string'); } };
      try { k.log('a', p, t, 'b'); ctx.log('returned'); } catch (e) { ctx.log('threw ' + e.name + ': ' + e.message); }
    `), { domain: 'native' });
    expect(r.code).toBe(0);
    expect(r.logs).toEqual(['a [unprintable] [unprintable] b', 'returned']);
  });

  it('attacks - a proxied Uint8Array passed from a wasm sandbox is EINVAL, not a TypeError', async () => {
    const r = await runAgent(host, agent(`
      try { k.ipcSend(k.selfHandle(), new Proxy(new Uint8Array(4), {})); ctx.log('ok'); } catch (e) { ctx.log(String(e.code) + ' ' + e.name); }
    `), { domain: 'wasm' });
    expect(r.code).toBe(0);
    expect(r.logs[0]).toBe('EINVAL AiosError');
  });
});
