// Tests of the wasm domain with real bundled agents and a fake gate: activations, the
// syscall bridge (values, bytes, errors), blocking continuations, and the instance lifecycle.

import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { TrapError } from '../../packages/kernel/src/domain/types.ts';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import { bundle, FakeKernel, LIMITS, ports, settle } from './testkit.ts';

const enc = new TextEncoder();

async function start(agent: string | { contents: string }, limits = LIMITS) {
  const kernel = new FakeKernel();
  const domain = createWasmDomain(ports());
  const inst = domain.instantiate(await bundle(agent), kernel.gate, limits);
  return { kernel, inst, domain };
}

describe('wasm domain', () => {
  it('wasm domain - is named wasm and reports the entry info of the image', async () => {
    const { inst, domain } = await start('hello.ts');
    expect(domain.name).toBe('wasm');
    expect(inst.info).toEqual({ hasMain: true, hasOnMessage: true, name: 'hello', version: '1.0.0', description: 'says hello', hooks: [] });
    expect(inst.memoryBytes()).toBeGreaterThan(10_000);
    inst.dispose();
    expect(inst.memoryBytes()).toBe(0);
  });

  it('wasm domain - runs main through a blocking sleep and onMessage with a message', async () => {
    const { kernel, inst } = await start('hello.ts');
    let done = false;
    const main = inst.dispatch('main').then(() => (done = true));
    await settle();
    expect(kernel.lines()).toEqual(['hi from tester 42 {"greeting":"hello"}']);
    expect(kernel.sleeping).toBe(1);
    expect(done).toBe(false);
    await kernel.advance(5);
    await main;
    expect(kernel.lines()[1]).toBe('after sleep');

    const data = enc.encode('ping ✓');
    await inst.dispatch('message', { from: 3, data, handles: [], tag: 'data' });
    expect(kernel.sent).toHaveLength(1);
    expect(kernel.sent[0]!.to).toBe(7);
    expect(kernel.sent[0]!.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(kernel.sent[0]!.data)).toEqual(Array.from(data));
    expect(kernel.sent[0]!.data).not.toBe(data);
    expect(kernel.sent[0]!.opts).toEqual({ handles: [] });
    expect(kernel.lines()[2]).toBe('got ping ✓ 3 data');
    inst.dispose();
  });

  it('wasm domain - Uint8Array and plain values round-trip and are copied both ways', async () => {
    const { kernel, inst } = await start({
      contents: `
        import { defineAgent } from '@aios/runtime';
        declare const __aios_trap: (nr: number, args: unknown[]) => any;
        const agent = defineAgent({ name: 'rt', main() {
          const big = new Uint8Array([9, 1, 2, 3, 9]);
          const sub = big.subarray(1, 4);
          const back = __aios_trap(39, [sub, { a: [1, 'x', null, true, undefined], n: -0.5, inf: Infinity, nan: NaN }, [], {}]);
          sub[0] = 100;
          console.log(back[0] instanceof Uint8Array, Array.from(back[0]).join(','), back[0].length, back[0].buffer.byteLength);
          console.log(JSON.stringify(back[1].a), 'u' in back[1].a ? 1 : 0, back[1].a.length, back[1].n, back[1].inf, back[1].nan, Array.isArray(back[2]));
        } });`,
    });
    await inst.dispatch('main');
    expect(kernel.lines()).toEqual(['true 1,2,3 3 3', '[1,"x",null,true,null] 0 5 -0.5 Infinity NaN true']);
    inst.dispose();
  });

  it('wasm domain - an AiosError from the gate arrives as the runtime AiosError with code, errno and detail', async () => {
    const { kernel, inst } = await start({
      contents: `
        import { defineAgent, AiosError } from '@aios/runtime';
        import { ipcSend, log } from '@aios/runtime/kernel';
        const agent = defineAgent({ name: 'err', main(ctx) {
          try { ipcSend(ctx.self, 'not bytes' as any); } catch (e: any) {
            log(e instanceof AiosError, e.name, e.code, e.errno, e.message, JSON.stringify(e.detail));
          }
        } });`,
    });
    await inst.dispatch('main');
    expect(kernel.lines()).toEqual(['true AiosError EINVAL 22 data must be a Uint8Array {"arg":"data"}']);
    inst.dispose();
  });

  it('wasm domain - other host errors reach the sandbox as a plain Error with the message only', async () => {
    const { kernel, inst } = await start({
      contents: `
        import { defineAgent } from '@aios/runtime';
        declare const __aios_trap: (nr: number, args: unknown[]) => any;
        const agent = defineAgent({ name: 'plain', main() {
          try { __aios_trap(40, []); } catch (e: any) {
            console.log(e.constructor === Error, e.name, e.message, e.secret === undefined, Object.keys(e).length, String(e.stack).includes('node:'));
          }
        } });`,
    });
    const hostErr = Object.assign(new Error('disk on fire'), { secret: process });
    kernel.raise = hostErr;
    await inst.dispatch('main');
    expect(kernel.lines()).toEqual(['true Error disk on fire true 0 false']);
    inst.dispose();
  });

  it('wasm domain - a blocking syscall rejected by the kernel rejects inside with the AiosError', async () => {
    const { kernel, inst } = await start({
      contents: `
        import { defineAgent, AiosError } from '@aios/runtime';
        import { sleep, log } from '@aios/runtime/kernel';
        const agent = defineAgent({ name: 'blk', async main() {
          try { await sleep(-1); } catch (e: any) { log('sync', e instanceof AiosError, e.code); }
          await sleep(3);
          log('woke');
        } });`,
    });
    const p = inst.dispatch('main');
    await settle();
    expect(kernel.lines()).toEqual(['sync true EINVAL']);
    await kernel.advance(3);
    await p;
    expect(kernel.lines()).toEqual(['sync true EINVAL', 'woke']);
    inst.dispose();
  });

  it('wasm domain - a handler that throws rejects the dispatch with its message and stack; the instance lives on', async () => {
    const { kernel, inst } = await start({
      contents: `
        import { defineAgent, AiosError } from '@aios/runtime';
        let n = 0;
        const agent = defineAgent({ name: 'thrower',
          main() { throw new TypeError('boom main ' + ++n); },
          async onMessage() { throw new AiosError('EAGAIN', 'later'); } });`,
    });
    const e1 = await inst.dispatch('main').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(Error);
    expect(e1).not.toBeInstanceOf(TrapError);
    expect((e1 as Error).name).toBe('TypeError');
    expect((e1 as Error).message).toBe('boom main 1');
    expect((e1 as Error).stack).toContain('agent.js');
    const e2 = await inst.dispatch('main').catch((e: unknown) => e);
    expect((e2 as Error).message).toBe('boom main 2');
    const e3 = await inst.dispatch('message', { from: 1, data: new Uint8Array(), handles: [], tag: 'data' }).catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(AiosError);
    expect((e3 as AiosError).code).toBe('EAGAIN');
    expect(kernel.calls).toContain(38);
    inst.dispose();
  });

  it('wasm domain - images that do not load give TrapError load', async () => {
    const domain = createWasmDomain(ports());
    const kernel = new FakeKernel();
    const load = (code: string) => {
      try {
        domain.instantiate(code, kernel.gate, LIMITS);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    for (const code of ['var x = ;', 'throw new Error("top")', 'var __aios_agent = {}', 'var __aios_agent = { entry: { dispatch: 1 } }', '']) {
      const e = load(code);
      expect(e, code).toBeInstanceOf(TrapError);
      expect((e as TrapError).kind, code).toBe('load');
    }
    expect((load('throw new Error("top")') as TrapError).message).toContain('top');
  });

  it('wasm domain - dispatch after dispose rejects; dispose is idempotent; kernel disposing inside a syscall is safe', async () => {
    const { kernel, inst } = await start('hello.ts');
    inst.dispose();
    inst.dispose();
    await expect(inst.dispatch('main')).rejects.toThrow(/disposed/);

    const k2 = new FakeKernel();
    const domain = createWasmDomain(ports());
    let self: { dispose(): void } | undefined;
    const gate = (nr: number, args: unknown[]) => {
      if (nr === 19) self?.dispose();
      return k2.gate(nr, args);
    };
    const exiting = domain.instantiate(await bundle('hello.ts'), gate, LIMITS);
    self = exiting;
    await expect(exiting.dispatch('main')).rejects.toThrow(/disposed/);
    expect(k2.lines()).toHaveLength(1);
    await expect(exiting.dispatch('main')).rejects.toThrow(/disposed/);
    expect(kernel.logs).toHaveLength(0);
  });
});

describe('wasm domain pool', () => {
  it('wasm domain pool - prewarm fills and trims blank sandboxes; instantiate takes from the pool', async () => {
    const domain = createWasmDomain(ports());
    expect(domain.pooled).toBe(0);
    domain.prewarm(3);
    expect(domain.pooled).toBe(3);
    domain.prewarm(1);
    expect(domain.pooled).toBe(1);
    const kernel = new FakeKernel();
    const a = domain.instantiate(await bundle('hello.ts'), kernel.gate, LIMITS);
    expect(domain.pooled).toBe(0);
    const b = domain.instantiate(await bundle('hello.ts'), kernel.gate, LIMITS);
    for (const inst of [a, b]) {
      const p = inst.dispatch('main');
      await settle();
      await kernel.advance(5);
      await p;
    }
    expect(kernel.lines().filter((l) => l === 'after sleep')).toHaveLength(2);
    domain.prewarm(0);
    a.dispose();
    b.dispose();
  });

  it('wasm domain pool - a pooled sandbox keeps no state between agents and applies the new limits', async () => {
    const domain = createWasmDomain(ports());
    domain.prewarm(2);
    const kernel = new FakeKernel();
    const first = domain.instantiate(
      await bundle({ contents: `import { defineAgent } from '@aios/runtime';\nconst agent = defineAgent({ name: 'a', main() { (globalThis as any).leak = 1; console.log(typeof (globalThis as any).leak); } });` }),
      kernel.gate,
      LIMITS,
    );
    await first.dispatch('main');
    const second = domain.instantiate(
      await bundle({ contents: `import { defineAgent } from '@aios/runtime';\nconst agent = defineAgent({ name: 'b', main() { console.log(typeof (globalThis as any).leak); const h: unknown[] = []; for (;;) h.push([1, 2, 3]); } });` }),
      kernel.gate,
      { ...LIMITS, memoryBytes: 1024 * 1024 },
    );
    const e = await second.dispatch('main').catch((x: unknown) => x);
    expect(kernel.lines()).toEqual(['number', 'undefined']);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as TrapError).kind).toBe('memory');
    first.dispose();
  });

  it('wasm domain pool - a memory limit below what the image needs fails the load with kind memory', async () => {
    const domain = createWasmDomain(ports());
    const kernel = new FakeKernel();
    let err: unknown;
    try {
      domain.instantiate(await bundle('hello.ts'), kernel.gate, { ...LIMITS, memoryBytes: 1024 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrapError);
    expect((err as TrapError).kind).toBe('memory');
  });
});
