// Regression tests: the shared WebAssembly memory growing while a sandbox runs (jobs, blocking
// continuations) must not leave stray QuickJS objects behind; every runtime frees cleanly.

import { afterAll, describe, expect, it } from 'vitest';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import { freeFailures } from '../../packages/kernel/src/domain/wasm/support.ts';
import { quickjs } from '../../packages/kernel/src/domain/wasm/quickjs.ts';
import { bundle, FakeKernel, LIMITS, ports, settle } from './testkit.ts';

const MiB = 1024 * 1024;

/** Bytes that surely exceed the module's current memory, so allocating them grows it. */
function beyondMemory(): number {
  return quickjs.getWasmMemory().buffer.byteLength + 8 * MiB;
}

describe('wasm memory growth', () => {
  afterAll(() => expect(freeFailures()).toBe(0));

  it('wasm memory growth - inside promise jobs does not leak a context', async () => {
    const kernel = new FakeKernel();
    const n = beyondMemory();
    const inst = createWasmDomain(ports()).instantiate(
      await bundle({ contents: `import { defineAgent } from '@aios/runtime';\nconst agent = defineAgent({ name: 'grow', async main() { await null; const big = new Uint8Array(${n}); console.log(big.length); } });` }),
      kernel.gate,
      { ...LIMITS, memoryBytes: n + 64 * MiB },
    );
    const before = quickjs.getWasmMemory().buffer.byteLength;
    await inst.dispatch('main');
    expect(quickjs.getWasmMemory().buffer.byteLength).toBeGreaterThan(before);
    expect(kernel.lines()).toEqual([String(n)]);
    inst.dispose();
    expect(freeFailures()).toBe(0);
  });

  it('wasm memory growth - in a blocking continuation does not leak either', async () => {
    const kernel = new FakeKernel();
    const n = beyondMemory();
    const inst = createWasmDomain(ports()).instantiate(
      await bundle({ contents: `import { defineAgent } from '@aios/runtime';\nimport { sleep } from '@aios/runtime/kernel';\nconst agent = defineAgent({ name: 'grow2', async main() { await sleep(1); const big = new Uint8Array(${n}); await sleep(1); console.log(big.length); } });` }),
      kernel.gate,
      { ...LIMITS, memoryBytes: n + 64 * MiB },
    );
    const p = inst.dispatch('main');
    await settle();
    await kernel.advance(1);
    await kernel.advance(1);
    await p;
    expect(kernel.lines()).toEqual([String(n)]);
    inst.dispose();
    expect(freeFailures()).toBe(0);
  });
});
