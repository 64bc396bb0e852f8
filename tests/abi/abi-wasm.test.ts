// The ABI suite again, with the suite agent (and its children) sandboxed in the wasm domain:
// the same agent file, unchanged, must see the same outcomes as in the native domain.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestHost } from '@aios/testkit';
import { createOfflineDriver } from '@aios/drivers/llm-offline';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import type { KernelHost } from '@aios/kernel';
import { hybridKeygen } from '@aios/trust';
import { runAbiSuite, testPolicy } from './suite.ts';

describe('abi suite - wasm domain', () => {
  let host: KernelHost;
  let results: Awaited<ReturnType<typeof runAbiSuite>>;
  beforeAll(async () => {
    host = createTestHost({ config: { arenaFrames: 256, policy: testPolicy, llm: createOfflineDriver(), tokens: { key: hybridKeygen(new Uint8Array(32).fill(3)), nodeAudience: 'node:abi' } } });
    host.kernel.plugDevice('storage', createMemoryStorage());
    results = await runAbiSuite(host, 'wasm');
  }, 120_000);
  afterAll(() => host?.shutdown());

  it('abi suite - every case gets the same outcome in the sandbox', () => {
    // On executors the agent runs beside the kernel thread, which may finish a quick spawn between the
    // agent's AgentSpawn and its next syscall (GetAsyncResult, AsyncCancel, AsyncWait): a genuine race
    // whose other outcome ('ok', the spawn's handle) is also correct. Inline (the main pass) the spawn
    // cannot finish before the agent's next syscall, so there every one of these cases is checked exactly.
    const racesAQuickSpawn = new Set(['result of a pending ticket', 'result of a canceled ticket', 'wait for a ticket with timeout 0', 'wait for a canceled ticket']);
    const raced = (r: { name: string; got: string }): boolean => host.kernel.exec !== null && racesAQuickSpawn.has(r.name) && r.got === 'ok';
    expect(results.filter((r) => r.got !== r.expect && !raced(r))).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });
});
