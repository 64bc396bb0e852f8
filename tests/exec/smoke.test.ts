import { describe, it, expect } from 'vitest';
import { createTestHost, runAgent } from '@aios/testkit';

describe('exec smoke', () => {
  it('runs a wasm agent on an executor', async () => {
    const host = createTestHost({ config: { executors: 2 } });
    const r = await runAgent(host, `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'x', async main(ctx) { ctx.log('hello ' + k.selfInfo().id); await k.sleep(5); ctx.log('after'); } });
`, { domain: 'wasm' });
    console.log(r, host.kernel.ps().map((p) => [p.id, p.executor, p.cpuMs]));
    expect(r.code).toBe(0);
    host.shutdown();
  });
});
