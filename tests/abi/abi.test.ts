// ABI suite: every syscall with good and bad arguments through the real stubs,
// inside a real agent, checking each error code of the taxonomy it can produce.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SYSCALLS, type ErrorCode } from '@aios/abi';
import { createTestHost } from '@aios/testkit';
import { createOfflineDriver } from '@aios/drivers/llm-offline';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import type { KernelHost } from '@aios/kernel';
import { hybridKeygen } from '@aios/trust';
import { runAbiSuite, testPolicy, type CaseResult } from './suite.ts';

describe('abi suite - native domain', () => {
  let host: KernelHost;
  let results: CaseResult[];
  beforeAll(async () => {
    host = createTestHost({ config: { arenaFrames: 256, policy: testPolicy, llm: createOfflineDriver(), tokens: { key: hybridKeygen(new Uint8Array(32).fill(3)), nodeAudience: 'node:abi' } } });
    host.kernel.plugDevice('storage', createMemoryStorage());
    results = await runAbiSuite(host);
  }, 60_000);
  afterAll(() => host.shutdown());

  it('abi suite - every case gets the expected outcome', () => {
    const wrong = results.filter((r) => r.got !== r.expect);
    expect(wrong).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });

  it('abi suite - every syscall is called at least once, and with bad arguments where it can fail', () => {
    for (const row of SYSCALLS) {
      const mine = results.filter((r) => r.syscall === row.name);
      expect(mine.length, `${row.name} has cases`).toBeGreaterThan(0);
      if (row.errors.length > 0) expect(mine.some((r) => r.expect !== 'ok'), `${row.name} has a bad-argument case`).toBe(true);
      for (const r of mine) if (r.expect !== 'ok') expect(row.errors, `${row.name} documents ${r.expect}`).toContain(r.expect);
    }
  });

  it('abi suite - every kernel error code of the taxonomy is produced', () => {
    const seen = new Set(results.map((r) => r.got));
    const kernelCodes: ErrorCode[] = ['EPERM', 'EACCES', 'EINVAL', 'EBADF', 'ESRCH', 'EAGAIN', 'EMSGSIZE', 'ENOMEM', 'EQUOTA', 'EFAULT', 'ENOSYS', 'ETIMEDOUT', 'ECANCELED', 'EEXIST', 'EBUSY', 'ENOENT', 'ENODEV'];
    for (const c of kernelCodes) expect(seen, c).toContain(c);
  });

  it('abi suite - denials are audited with the deciding policy ids', () => {
    // Mount and net-grant confinement name themselves ('mount', 'net-grants'); the rest come from the test policy.
    const confinement = (r: { detail?: Record<string, unknown> }) => ['mount', 'net-grants'].some((p) => (r.detail?.policyIds as string[] | undefined)?.includes(p));
    expect(host.kernel.audit.records((r) => r.result === 'EACCES' && confinement(r)).length).toBeGreaterThanOrEqual(2);
    const denies = host.kernel.audit.records((r) => r.result === 'EACCES' && !confinement(r));
    expect(denies.length).toBeGreaterThanOrEqual(5);
    expect(denies.every((r) => Array.isArray(r.detail?.policyIds) && (r.detail!.policyIds as string[]).includes('test-deny'))).toBe(true);
  });
});
