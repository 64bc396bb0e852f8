// The handoff on an executor: when a sandboxed agent blocks (SchedYield, a wait), the kernel ends its activation
// in the same ring exchange and sends the executor's next command back with the reply. Two CPU-bound agents
// sharing one executor alternate that way; each is charged its own CPU time, and weights still rule.
import { describe, it, expect, afterEach } from 'vitest';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';

let host: KernelHost;
afterEach(() => host?.shutdown());

const CRUNCHER = (slices: number) => `
import { defineAgent } from '@aios/runtime';
import { schedYield } from '@aios/runtime/kernel';
export default defineAgent({ name: 'cruncher', async main(ctx) {
  let x = 0;
  for (let s = 0; s < ${slices}; s++) {
    for (let i = 0; i < 2000; i++) x = (x * 31 + i) | 0;
    await schedYield();
  }
  ctx.log('done ' + x);
} });
`;

/** The value the cruncher computes, on the host, to check that no slice was lost or run twice. */
function expected(slices: number): number {
  let x = 0;
  for (let s = 0; s < slices; s++) for (let i = 0; i < 2000; i++) x = Math.imul(x, 31) + i | 0;
  return x;
}

describe('executors - handoff', () => {
  it('executors - two yielding agents on one executor alternate by handoffs, each charged its own time', async () => {
    host = createTestHost({ config: { executors: 1 } });
    const slices = 300;
    const ids = await Promise.all([0, 1].map((i) => host.spawn({ source: CRUNCHER(slices) }, { name: `c${i}`, domain: 'wasm' })));
    for (const id of ids) expect((await host.waitExit(id)).code).toBe(0);
    for (const id of ids) expect(host.logs(id)).toContain(`done ${expected(slices)}`);
    expect(host.kernel.exec!.handoffs).toBeGreaterThan(slices);
    const rows = ids.map((id) => host.ps().find((a) => a.id === id)!);
    for (const r of rows) expect(r.cpuMs).toBeGreaterThan(0);
    for (const r of rows) expect(r.executor).toBe(0);
  });

  it('executors - an agent alone on its executor continues after SchedYield without waiting for a scheduler step', async () => {
    host = createTestHost({ config: { executors: 2 } });
    const id = await host.spawn({ source: CRUNCHER(200) }, { name: 'alone', domain: 'wasm' });
    expect((await host.waitExit(id)).code).toBe(0);
    expect(host.logs(id)).toContain(`done ${expected(200)}`);
    expect(host.kernel.exec!.handoffs).toBeGreaterThanOrEqual(200);
  });
});
