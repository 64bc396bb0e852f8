// Snapshot clones in the wasm domain: an image spawned again gets a sandbox cloned from its snapshot (own wasm
// instance and memory, the snapshot's pages copied in). A clone must be as isolated as a booted sandbox: no
// state shared with its siblings or its snapshot, its memory limit holds, and its trap leaves the others running.

import { describe, expect, it } from 'vitest';
import { TrapError, type InstanceLimits } from '../../packages/kernel/src/domain/types.ts';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import { bundle, FakeKernel, ports, settle } from './testkit.ts';

// Clones serve agents whose limit is at least half the 32 MiB a snapshot is prepared with (as the kernel's default).
const BIG: InstanceLimits = { memoryBytes: 32 * 1024 * 1024, stackBytes: 256 * 1024, sliceMs: 200 };

const COUNTER = `import { defineAgent } from '@aios/runtime';
const agent = defineAgent({ name: 'counter', async main(ctx) {
  const g = globalThis as any; g.n = (g.n ?? 0) + 1; ctx.log('n=' + g.n);
}, async onMessage(msg, ctx) {
  const t = new TextDecoder().decode(msg.data);
  if (t === 'hog') { const a: string[] = []; for (;;) a.push('x'.repeat(1 << 16) + a.length); }
  if (t === 'spin') { for (;;) {} }
  const g = globalThis as any; g.n = (g.n ?? 0) + 1; ctx.log('n=' + g.n);
} });`;

const msg = (s: string) => ({ from: 1, data: new TextEncoder().encode(s), handles: [], tag: 'data' });

async function spawn(domain: ReturnType<typeof createWasmDomain>, code: string) {
  const kernel = new FakeKernel();
  return { kernel, inst: domain.instantiate(code, kernel.gate, BIG) };
}

describe('wasm snapshots', () => {
  it('snapshot - a clone reads the wall clock through the domain wallClock port (Date.now in the sandbox)', async () => {
    const domain = createWasmDomain(ports()); // wallClock: 1,700,000,000,000 ms plus a counter
    const code = await bundle({ contents: `import { defineAgent } from '@aios/runtime';
const agent = defineAgent({ name: 'clock', main(ctx) { ctx.log('now=' + Date.now()); } });` });
    (await spawn(domain, code)).inst.dispose();
    const clone = await spawn(domain, code);
    await clone.inst.dispatch('main');
    expect(domain.snapshots.live).toBe(1);
    const now = Number(clone.kernel.lines()[0]!.slice(4));
    expect(now).toBeGreaterThanOrEqual(1_700_000_000_000);
    expect(now).toBeLessThan(1_700_000_100_000);
    clone.inst.dispose();
  });

  it('snapshot - an image spawned again runs in a clone, with state of its own', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: COUNTER });
    const first = await spawn(domain, code); // boots (and makes the image recent)
    const a = await spawn(domain, code); // the snapshot is taken, a is its clone (made when it first runs)
    const b = await spawn(domain, code);
    expect(domain.snapshots.images).toBe(1);
    expect(domain.snapshots.live).toBe(0);
    await a.inst.dispatch('main');
    await a.inst.dispatch('message', msg('x'));
    await b.inst.dispatch('main');
    expect(domain.snapshots.live).toBe(2);
    await first.inst.dispatch('main');
    const c = await spawn(domain, code); // a later clone does not see what earlier clones did either
    await c.inst.dispatch('main');
    expect(a.kernel.lines()).toEqual(['n=1', 'n=2']);
    expect(b.kernel.lines()).toEqual(['n=1']);
    expect(c.kernel.lines()).toEqual(['n=1']);
    for (const x of [first, a, b, c]) x.inst.dispose();
    expect(domain.snapshots.live).toBe(0);
  });

  it('snapshot - a clone over its memory limit traps, and its siblings keep running', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: COUNTER });
    (await spawn(domain, code)).inst.dispose();
    const hog = await spawn(domain, code);
    const other = await spawn(domain, code);
    expect(domain.snapshots.live).toBe(0); // clones are made when their agent first runs
    const e = await hog.inst.dispatch('message', msg('hog')).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as TrapError).kind).toBe('memory');
    await other.inst.dispatch('main');
    await settle();
    expect(other.kernel.lines()).toEqual(['n=1']);
    other.inst.dispose();
  });

  it('snapshot - a clone past its CPU slice traps, and its siblings keep running', async () => {
    const domain = createWasmDomain(ports());
    const code = await bundle({ contents: COUNTER });
    (await spawn(domain, code)).inst.dispose();
    const spin = await spawn(domain, code);
    const other = await spawn(domain, code);
    const e = await spin.inst.dispatch('message', msg('spin')).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as TrapError).kind).toBe('cpu');
    await other.inst.dispatch('message', msg('x'));
    expect(other.kernel.lines()).toEqual(['n=1']);
    other.inst.dispose();
  });

  it('snapshot - with snapshots off, every sandbox is booted on the shared heap', async () => {
    const domain = createWasmDomain({ ...ports(), snapshots: false });
    const code = await bundle({ contents: COUNTER });
    for (let i = 0; i < 3; i++) (await spawn(domain, code)).inst.dispose();
    expect(domain.snapshots).toEqual({ images: 0, live: 0, recycled: 0 });
  });
});
