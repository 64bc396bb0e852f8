// Attack suite of the wasm domain: each attack gets a clear error or trap, and a SECOND instance
// created before the attack keeps working afterwards (the shared WebAssembly module survives).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { TrapError, type AgentInstance, type InstanceLimits } from '../../packages/kernel/src/domain/types.ts';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import { bundle, FakeKernel, LIMITS, ports, settle } from './testkit.ts';

const domain = createWasmDomain(ports());
let bystander: { inst: AgentInstance; kernel: FakeKernel };

async function agent(body: string, opts: { limits?: InstanceLimits; message?: string } = {}) {
  const kernel = new FakeKernel();
  const msg = opts.message ?? '';
  const code = await bundle({
    contents: `import { defineAgent, AiosError } from '@aios/runtime';\nimport { ipcSend, log, sleep } from '@aios/runtime/kernel';\ndeclare const __aios_trap: (nr: number, args: unknown) => any;\nconst agent = defineAgent({ name: 'attacker', async main(ctx) {\n${body}\n}, async onMessage(msg, ctx) {\n${msg}\n} });`,
  });
  const inst = domain.instantiate(code, kernel.gate, opts.limits ?? LIMITS);
  return { kernel, inst };
}

async function expectTrap(p: Promise<unknown>, kind: string): Promise<TrapError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TrapError);
  expect((e as TrapError).kind).toBe(kind);
  return e as TrapError;
}

describe('wasm attacks', () => {
  beforeEach(async () => {
    const kernel = new FakeKernel();
    bystander = { kernel, inst: domain.instantiate(await bundle('hello.ts'), kernel.gate, LIMITS) };
  });

  afterEach(async () => {
    // the bystander, created before the attack, still runs a full activation with a blocking call
    const { inst, kernel } = bystander;
    const p = inst.dispatch('main');
    await settle();
    await kernel.advance(5);
    await p;
    expect(kernel.lines()).toEqual(['hi from tester 42 {"greeting":"hello"}', 'after sleep']);
    await inst.dispatch('message', { from: 1, data: new Uint8Array([104, 105]), handles: [], tag: 'data' });
    expect(kernel.sent).toHaveLength(1);
    inst.dispose();
  });

  it('wasm attacks - values crossing the boundary lead to sandbox intrinsics only, never host objects', async () => {
    const { kernel, inst } = await agent(
      `const info: any = __aios_trap(38, []);
       const echo: any = __aios_trap(39, [new Uint8Array(2), { o: {} }]);
       let err: any; try { __aios_trap(40, []); } catch (e) { err = e; }
       const probes: any[] = [info, info.config, echo, echo[0], echo[1].o, err, err.detail, __aios_trap, console.log];
       const out = probes.map((v) => {
         try { return v.constructor.constructor('return typeof process + typeof require')(); } catch (e: any) { return e.name; }
       });
       log(out.join(','));
       log(Object.getPrototypeOf(echo[0]) === Uint8Array.prototype, Object.getPrototypeOf(info) === Object.prototype, err instanceof Error);`,
      { message: `log(typeof (msg.data as any).constructor.constructor('return process')().pid); ` },
    );
    await inst.dispatch('main');
    expect(kernel.lines()).toEqual(['undefinedundefined,'.repeat(8) + 'undefinedundefined', 'true true true']);
    const e = await inst.dispatch('message', { from: 1, data: new Uint8Array(1), handles: [], tag: 'data' }).catch((x: unknown) => x);
    expect((e as Error).name).toBe('ReferenceError');
    inst.dispose();
  });

  it('wasm attacks - prototype tricks on arguments do not reach the host', async () => {
    const { kernel, inst } = await agent(
      `(Object.prototype as any).injected = 'yes';
       Object.defineProperty(Object.prototype, 'then', { get() { return undefined; }, configurable: true });
       const evil = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
       ipcSend(ctx.self, new Uint8Array([1]), evil);
       const bytes: any = new Uint8Array([1, 2, 3]);
       Object.defineProperty(bytes, 'buffer', { get() { return { not: 'a buffer' }; } });
       ipcSend(ctx.self, bytes);
       const getterLoop = { get x() { return 1; } };
       ipcSend(ctx.self, new Uint8Array([2]), getterLoop);`,
    );
    await inst.dispatch('main');
    const opts = kernel.sent[0]!.opts as Record<string, unknown>;
    expect(Object.getPrototypeOf(opts)).toBe(Object.prototype);
    expect(Object.keys(opts)).toEqual(['ok']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['injected']).toBeUndefined();
    // a forged .buffer is never trusted: the encoder copies the view's real bytes
    expect(Array.from(kernel.sent[1]!.data)).toEqual([1, 2, 3]);
    expect(kernel.sent[2]!.opts).toEqual({ x: 1 });
    inst.dispose();
  });

  it('wasm attacks - allocating past the memory limit traps with kind memory and kills the instance', async () => {
    const { inst } = await agent(`const hog: unknown[] = []; for (;;) hog.push([1, 2, 3, 4, 5, 6, 7, 8]);`, {
      limits: { ...LIMITS, memoryBytes: 4 * 1024 * 1024 },
    });
    await expectTrap(inst.dispatch('main'), 'memory');
    await expectTrap(inst.dispatch('main'), 'memory');
    expect(inst.memoryBytes()).toBe(0);
  });

  it('wasm attacks - growing strings and buffers also trap with kind memory', async () => {
    const a = await agent(`const parts: string[] = []; for (let n = 1; ; n *= 2) parts.push('y'.repeat(n));`, { limits: { ...LIMITS, memoryBytes: 2 * 1024 * 1024 } });
    await expectTrap(a.inst.dispatch('main'), 'memory');
    const b = await agent(`const bufs: Uint8Array[] = []; for (;;) bufs.push(new Uint8Array(512 * 1024));`, { limits: { ...LIMITS, memoryBytes: 2 * 1024 * 1024 } });
    await expectTrap(b.inst.dispatch('main'), 'memory');
  });

  it('wasm attacks - rope strings too long for QuickJS give a clean error, not a host failure', async () => {
    const { inst } = await agent(`let s = 'x'; for (;;) s = s + s;`, { limits: { ...LIMITS, memoryBytes: 2 * 1024 * 1024 } });
    const e = await inst.dispatch('main').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(String((e as Error).message)).toMatch(/too long|memory/);
    inst.dispose();
  });

  it('wasm attacks - unbounded recursion is a clean stack overflow error and the instance lives on', async () => {
    const { kernel, inst } = await agent(`function f(n: number): number { return f(n + 1) + 1; } log('start'); f(0);`);
    const e = await inst.dispatch('main').catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(TrapError);
    expect((e as Error).message).toMatch(/stack overflow/);
    const again = await inst.dispatch('main').catch((x: unknown) => x);
    expect((again as Error).message).toMatch(/stack overflow/);
    expect(kernel.lines()).toEqual(['start', 'start']);
    inst.dispose();
  });

  it('wasm attacks - a huge stack limit is capped so recursion cannot overflow the host stack', async () => {
    const { inst } = await agent(`function f(n: number): number { return f(n + 1) + 1; } f(0);`, {
      limits: { ...LIMITS, stackBytes: 64 * 1024 * 1024 },
    });
    await expect(inst.dispatch('main')).rejects.toThrow(/stack overflow/);
    inst.dispose();
  });

  it('wasm attacks - while(true) traps with kind cpu, in an activation and in a continuation', async () => {
    const { inst } = await agent(`while (true) {}`, { limits: { ...LIMITS, sliceMs: 20 } });
    await expectTrap(inst.dispatch('main'), 'cpu');
    await expectTrap(inst.dispatch('main'), 'cpu');

    const late = await agent(`await sleep(1); for (;;) {}`, { limits: { ...LIMITS, sliceMs: 20 } });
    const trapped = expectTrap(late.inst.dispatch('main'), 'cpu');
    await settle();
    await late.kernel.advance(1);
    await trapped;
  });

  it('wasm attacks - a CPU loop hidden in a getter of a syscall argument traps with kind cpu', async () => {
    const { inst } = await agent(`ipcSend(ctx.self, new Uint8Array(1), { get handles() { for (;;) {} } } as any);`, {
      limits: { ...LIMITS, sliceMs: 20 },
    });
    await expectTrap(inst.dispatch('main'), 'cpu');
  });

  it('wasm attacks - swallowing the interrupt does not help: catch and finally cannot resume', async () => {
    const { kernel, inst } = await agent(`for (let i = 0; i < 3; i++) { try { while (true) {} } catch (e) { log('caught'); } finally { log('finally'); } }`, {
      limits: { ...LIMITS, sliceMs: 20 },
    });
    await expectTrap(inst.dispatch('main'), 'cpu');
    expect(kernel.lines().filter((l) => l === 'caught')).toEqual([]);
  });

  it('wasm attacks - huge, deep, cyclic and wrong-typed syscall arguments get EMSGSIZE or EINVAL inside', async () => {
    const { kernel, inst } = await agent(
      `const codes: string[] = [];
       const t = (f: () => unknown) => { try { f(); codes.push('ok'); } catch (e: any) { codes.push(e.code ?? e.name); } };
       t(() => ipcSend(ctx.self, new Uint8Array(17 * 1024 * 1024)));
       t(() => ipcSend(ctx.self, new Uint8Array(70 * 1024)));
       let deep: any = {}; for (let i = 0; i < 100; i++) deep = { d: deep };
       t(() => __aios_trap(39, [deep]));
       const cyc: any = []; cyc.push(cyc);
       t(() => __aios_trap(39, [cyc]));
       t(() => __aios_trap(39, [() => 1]));
       t(() => __aios_trap(39, [Symbol('s')]));
       t(() => __aios_trap(39, [10n]));
       t(() => __aios_trap(39, [new Uint16Array(2)]));
       t(() => __aios_trap('19' as any, []));
       t(() => __aios_trap(19, 'nope'));
       t(() => __aios_trap(12345, []));
       t(() => __aios_trap(39, ['x'.repeat(17 * 1024 * 1024)]));
       const mib = 'z'.repeat(1 << 20);
       t(() => __aios_trap(39, [Array.from({ length: 20 }, () => mib)]));
       log(codes.join(','));`,
      { limits: { ...LIMITS, memoryBytes: 128 * 1024 * 1024, sliceMs: 1e9 } },
    );
    await inst.dispatch('main');
    expect(kernel.lines()).toEqual(['EMSGSIZE,EMSGSIZE,EINVAL,EINVAL,EINVAL,EINVAL,EINVAL,EINVAL,EINVAL,EINVAL,ENOSYS,EMSGSIZE,EMSGSIZE']);
    inst.dispose();
  });

  it('wasm attacks - an agent that throws in every handler and at every turn never brings the host down', async () => {
    const { inst } = await agent(`throw new Error('main boom');`, { message: `queueMicrotask(() => { throw new Error('micro'); }); setTimeout(() => { throw 1; }, 1); throw 'raw string';` });
    await expect(inst.dispatch('main')).rejects.toThrow('main boom');
    const e = await inst.dispatch('message', { from: 1, data: new Uint8Array(), handles: [], tag: 'data' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('raw string');
    await expect(inst.dispatch('main')).rejects.toThrow('main boom');
    const bogus = await inst.dispatch('bogus' as 'main').catch((x: unknown) => x);
    expect(bogus).toBeInstanceOf(Error);
    expect(bogus).not.toBeInstanceOf(TrapError);
    inst.dispose();
  });

  it('wasm attacks - payloads the host cannot encode are refused before entering the sandbox', async () => {
    const { inst } = await agent(`log('x');`);
    await expect(inst.dispatch('message', { data: () => 1 })).rejects.toBeInstanceOf(AiosError);
    const cyc: Record<string, unknown> = {};
    cyc['self'] = cyc;
    await expect(inst.dispatch('message', cyc)).rejects.toMatchObject({ code: 'EINVAL' });
    inst.dispose();
  });
});
