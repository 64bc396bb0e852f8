// Memory attacks on sandboxed agents: allocating without end (strings, arrays, ArrayBuffers, typed
// arrays) traps with reason 'memory' inside the CPU slice; huge values handed to syscalls are refused
// (EMSGSIZE) before they are copied to the host; what the host reads back from a sandbox (error
// messages, stacks, hook results) is bounded, so the host's heap never holds the agent's garbage.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import { wasmHeap } from '../../packages/kernel/src/domain/wasm/quickjs.ts';

const LIMIT = 32 * 2 ** 20;

function agent(body: string, extra = ''): string {
  return `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'hog', async main(ctx) { ${body} } ${extra} });
`;
}

describe('attacks - a memory-hungry sandbox traps at its limit and the host is protected', () => {
  let host: KernelHost;
  beforeAll(() => {
    host = createTestHost({ config: { sliceMs: 20_000 } });
  });
  afterAll(() => host.shutdown());

  async function run(body: string, extra = ''): Promise<{ code: number; reason: string; logs: string[] }> {
    const id = await host.spawn({ source: agent(body, extra) }, { name: 'hog', domain: 'wasm', quotas: { memBytes: LIMIT } });
    const st = await host.waitExit(id);
    return { code: st.code, reason: st.reason, logs: host.logs(id) };
  }

  it.each([
    ['a doubling string', "let s = 'x'; for (;;) s += s + 'y';"],
    ['an array of arrays', 'const xs = []; for (;;) xs.push(new Array(100000).fill(1.5));'],
    ['ArrayBuffers', 'const xs = []; for (;;) xs.push(new ArrayBuffer(1 << 20));'],
    ['typed arrays', 'const xs = []; for (;;) xs.push(new Float64Array(1 << 17).fill(2));'],
    ['one huge ArrayBuffer', 'const b = new Uint8Array(2 ** 30); b[0] = 1; ctx.log(String(b.length));'],
    ['a map of strings', "const m = new Map(); for (let i = 0; ; i++) m.set('k' + i, 'v'.repeat(1024) + i);"],
  ])('attacks - allocating without end (%s) traps with reason memory, not cpu', async (_name, body) => {
    const r = await run(body);
    expect(r.code).toBe(1);
    expect(r.reason).toContain('trap: memory');
    expect(r.reason).toContain(String(LIMIT));
  });

  it('attacks - the shared wasm heap of the host stays bounded after every hog above', () => {
    // Before growth was charged to the sandbox, QuickJS counted only 8 bytes per allocation under
    // Emscripten, and the array hog alone grew the host's heap to its 2 GiB maximum.
    expect(wasmHeap.buffer.byteLength).toBeLessThanOrEqual(256 * 2 ** 20);
  });

  it('attacks - huge values passed to syscalls are refused with EMSGSIZE before they reach the host', async () => {
    const r = await run(`
      const big = 'z'.repeat(17 * 2 ** 20);
      const codes = [];
      const tries = [
        () => k.log(big),
        () => k.ipcSend(k.selfHandle(), new Uint8Array(17 * 2 ** 20)),
        () => k.agentRegister({ name: big, description: 'x' }),
        () => k.eventPublish('a.b', { s: big }),
        () => k.agentSpawn({ source: 'x' }, { name: 'c', config: { s: big } }),
      ];
      for (const t of tries) { try { t(); codes.push('ok'); } catch (e) { codes.push(e.code); } }
      ctx.log(codes.join(','));
    `);
    expect(r.code).toBe(0);
    expect(r.logs.at(-1)).toBe('EMSGSIZE,EMSGSIZE,EMSGSIZE,EMSGSIZE,EMSGSIZE');
  });

  it('attacks - a huge error message or stack is cut before the host copies it into the trap reason', async () => {
    const r = await run("const e = new Error('m'.repeat(8 * 2 ** 20)); e.stack = 's'.repeat(8 * 2 ** 20); throw e;");
    expect(r.code).toBe(1);
    expect(r.reason).toContain('trap: exception');
    expect(r.reason.length).toBeLessThan(10_000);
    const thrown = await run("throw 'q'.repeat(8 * 2 ** 20);");
    expect(thrown.reason.length).toBeLessThan(10_000);
  });

  it('attacks - deep recursion is a clean trap and the node carries on', async () => {
    const r = await run('const f = (n) => f(n + 1) + 1; f(0);');
    expect(r.code).toBe(1);
    expect(r.reason).toMatch(/trap: (exception|memory)/);
    const ok = await run("ctx.log('fine');");
    expect(ok.logs).toEqual(['fine']);
  });

  it('attacks - a lifecycle hook result too large to copy is refused, not copied', async () => {
    const id = await host.spawn({ source: agent('await k.sleep(60000);', ", serialize() { return { s: 'w'.repeat(20 * 2 ** 20) }; }, restore() {}") }, { name: 'hog', domain: 'wasm', quotas: { memBytes: 128 * 2 ** 20 } });
    const err = await host.kernel.runHook(host.kernel.agents.get(id)!, 'serialize', {}).then(() => null, (e: { code?: string; message: string }) => e);
    expect(err?.code).toBe('EMSGSIZE');
    host.kill(id);
  });
});
