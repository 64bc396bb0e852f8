import { it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createTestHost } from '@aios/testkit';
import { testPolicy } from '../../../../../tests/abi/suite.ts';
const SUITE = fileURLToPath(new URL('./fixtures/tmp-suite.ts', import.meta.url));
it('probe', async () => {
  const host = createTestHost({ config: { arenaFrames: 256, policy: testPolicy } });
  const run = async (from: number, to: number, mode = 'privileged') => {
    (globalThis as any).__leak = 0;
    const id = await host.spawn({ path: SUITE }, { name: 'abi-suite', config: { mode, self: SUITE, from, to }, capabilities: ['spawn', 'frame', 'map', 'admin'], quotas: { memBytes: 64 * 2 ** 20 }, domain: 'wasm' } as any);
    await host.waitExit(id);
    await new Promise((r) => setTimeout(r, 100));
    return (globalThis as any).__leak as number;
  };
  for (let i = 0; i < 4; i++) console.log('RESULT all', await run(0, 1000));
  for (let i = 0; i < 4; i++) console.log('RESULT 200', await run(0, 200));
  host.shutdown();
}, 120000);
