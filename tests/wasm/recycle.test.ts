// Recycled clones (attack tests): a clone whose agent ended cleanly is reset to its snapshot and handed to the
// next spawn of its image, without a new wasm memory or instance. The next agent must find NOTHING of the
// previous one: not through what it can reach inside the sandbox, not anywhere in the linear memory (scanned
// from the host), and no wrapper, callback or handle of the previous sandbox is left on the host side.

import { describe, expect, it } from 'vitest';
import { TrapError, type InstanceLimits } from '../../packages/kernel/src/domain/types.ts';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import type { WasmInstance } from '../../packages/kernel/src/domain/wasm/instance.ts';
import { bundle, FakeKernel, ports } from './testkit.ts';

const BIG: InstanceLimits = { memoryBytes: 32 * 1024 * 1024, stackBytes: 256 * 1024, sliceMs: 200 };

// 'keep:S' stores S everywhere it can: a global string, bytes, an ArrayBuffer, a closure, a deep recursion
// (stack frames), a rejected promise; 'scan:S' looks for S in everything the agent can reach, and in big fresh
// buffers and strings; 'spin' loops (a CPU trap).
const HOLDER = `import { defineAgent } from '@aios/runtime';
const g = globalThis as any;
function deep(n: number, s: string): string { const t = s + n; return n === 0 ? t : deep(n - 1, s).slice(0, 4) + t; }
const agent = defineAgent({ name: 'holder', async main() {}, async onMessage(msg, ctx) {
  const t = new TextDecoder().decode(msg.data);
  if (t === 'spin') { for (;;) {} }
  if (t === 'grow') { g.big = new ArrayBuffer(24 << 20); ctx.log('grew'); }
  if (t.startsWith('keep:')) {
    const s = t.slice(5);
    g.secret = s; g.bytes = new TextEncoder().encode(s.repeat(64)); g.keep = () => s;
    const ab = new ArrayBuffer(1 << 16); new Uint8Array(ab).set(new TextEncoder().encode(s.repeat(1000))); g.ab = ab;
    g.list = Array.from({ length: 2000 }, (_, i) => s + i);
    deep(200, s); Promise.reject(new Error(s)).catch(() => undefined);
    ctx.log('kept');
  }
  if (t.startsWith('scan:')) {
    const s = t.slice(5);
    let found = 0;
    for (const k of Object.getOwnPropertyNames(globalThis)) { try { if (String((g as any)[k]).includes(s)) found++; } catch {} }
    if (g.secret !== undefined || g.bytes !== undefined || g.ab !== undefined || g.list !== undefined) found++;
    for (let i = 0; i < 4; i++) {
      const u = new Uint8Array(new ArrayBuffer(1 << 18));
      if (new TextDecoder().decode(u).includes(s)) found++;
      const a = new Array(1 << 14); if (a.join(',').includes(s)) found++;
    }
    ctx.log('found=' + found);
  }
} });`;

const msg = (s: string) => ({ from: 1, data: new TextEncoder().encode(s), handles: [], tag: 'data' });

function spawn(domain: ReturnType<typeof createWasmDomain>, code: string) {
  const kernel = new FakeKernel();
  return { kernel, inst: domain.instantiate(code, kernel.gate, BIG) };
}

/** The sandbox behind a clone (made on its first dispatch: a LazyClone holds none before). */
const sandbox = (inst: unknown): WasmInstance => ((inst as { inst?: WasmInstance }).inst ?? (inst as WasmInstance));

/** Occurrences of `s` (as Latin-1 bytes, and as UTF-16) anywhere in the instance's linear memory. */
function scanMemory(inst: unknown, s: string): number {
  const mem = Buffer.from(sandbox(inst).ownMemory!.buffer);
  let n = 0;
  for (const needle of [Buffer.from(s, 'latin1'), Buffer.from(s, 'utf16le')]) {
    for (let at = mem.indexOf(needle); at >= 0; at = mem.indexOf(needle, at + 1)) n++;
  }
  return n;
}

const secret = (): string => 'S3CRET-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);

describe('wasm recycled clones', () => {
  it('recycle - the next agent of the image gets the instance and finds nothing of the previous one', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: HOLDER });
    spawn(domain, code).inst.dispose(); // boots, the image is recent
    const a = spawn(domain, code); // a clone
    const s = secret();
    await a.inst.dispatch('main');
    await a.inst.dispatch('message', msg('keep:' + s));
    expect(a.kernel.lines()).toEqual(['kept']);
    const mem = sandbox(a.inst).ownMemory!;
    expect(scanMemory(a.inst, s)).toBeGreaterThan(100); // the scan does see a secret where there is one
    a.inst.dispose();
    expect(domain.snapshots).toMatchObject({ live: 0, recycled: 1 });

    const b = spawn(domain, code);
    expect(domain.snapshots).toMatchObject({ live: 0, recycled: 1 }); // nothing is made before b runs
    await b.inst.dispatch('main');
    expect(domain.snapshots).toMatchObject({ live: 1, recycled: 0 });
    expect(sandbox(b.inst).ownMemory).toBe(mem); // the same memory, reused
    expect(scanMemory(b.inst, s)).toBe(0);
    await b.inst.dispatch('message', msg('scan:' + s));
    expect(b.kernel.lines()).toEqual(['found=0']);
    // the scan message itself put the needle in b's memory; nothing else of a's run did
    // host side: the library's callback maps know b's runtime and context only; a's wrappers are dead
    const callbacks = (sandbox(b.inst) as unknown as { own: { module: { callbacks: { runtimeCallbacks: Map<number, unknown>; contextCallbacks: Map<number, unknown> } } } }).own.module.callbacks;
    expect(callbacks.runtimeCallbacks.size).toBe(1);
    expect(callbacks.contextCallbacks.size).toBe(1);
    expect(a.inst.memoryBytes()).toBe(0);
    expect(sandbox(a.inst).ownMemory).toBeNull();
    await expect(a.inst.dispatch('message', msg('scan:' + s))).rejects.toThrow();
    expect(a.kernel.lines()).toEqual(['kept']);
    b.inst.dispose();
  });

  it('recycle - a reused instance runs like a fresh clone, many times over', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: HOLDER });
    spawn(domain, code).inst.dispose();
    const secrets: string[] = [];
    let mem: unknown;
    for (let i = 0; i < 20; i++) {
      const x = spawn(domain, code);
      await x.inst.dispatch('main');
      if (i === 0) mem = sandbox(x.inst).ownMemory;
      if (i > 0) expect([i, sandbox(x.inst).ownMemory === mem]).toEqual([i, true]);
      for (const old of secrets) expect(scanMemory(x.inst, old)).toBe(0);
      await x.inst.dispatch('message', msg('scan:' + (secrets.at(-1) ?? 'none')));
      const s = secret();
      secrets.push(s);
      await x.inst.dispatch('message', msg('keep:' + s));
      expect(x.kernel.lines()).toEqual(['found=0', 'kept']);
      x.inst.dispose();
    }
  });

  it('recycle - a clone that trapped is dropped, not reused', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: HOLDER });
    spawn(domain, code).inst.dispose();
    const a = spawn(domain, code);
    const e = await a.inst.dispatch('message', msg('spin')).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect(domain.snapshots).toMatchObject({ live: 0, recycled: 0 });
  });

  it('recycle - a clone whose memory grew is dropped, not reused', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: HOLDER });
    spawn(domain, code).inst.dispose();
    const a = spawn(domain, code);
    await a.inst.dispatch('message', msg('grow'));
    expect(a.kernel.lines()).toEqual(['grew']);
    a.inst.dispose();
    expect(domain.snapshots).toMatchObject({ live: 0, recycled: 0 });
  });

  it('recycle - a clone is made when its agent first runs; one disposed before it runs holds no instance', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: HOLDER });
    spawn(domain, code).inst.dispose();
    const idle = Array.from({ length: 5 }, () => spawn(domain, code));
    expect(domain.snapshots).toMatchObject({ images: 1, live: 0 });
    await idle[0]!.inst.dispatch('main');
    expect(domain.snapshots).toMatchObject({ live: 1 });
    for (const x of idle) x.inst.dispose();
    expect(domain.snapshots).toMatchObject({ live: 0, recycled: 1 });
    await expect(idle[1]!.inst.dispatch('main')).rejects.toThrow(/disposed/);
  });

  it('recycle - the pool of reset clones is bounded, and recycle: false keeps none', async () => {
    for (const recycle of [true, false]) {
      const domain = createWasmDomain({ ...ports(), recycle });
      const code = await bundle({ contents: HOLDER });
      spawn(domain, code).inst.dispose();
      const all = Array.from({ length: 24 }, () => spawn(domain, code));
      for (const x of all) await x.inst.dispatch('main');
      for (const x of all) x.inst.dispose();
      expect(domain.snapshots.recycled).toBe(recycle ? 16 : 0);
    }
  });
});
