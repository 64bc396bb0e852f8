import { describe, it, expect } from 'vitest';
import { CpuQuota, IpcRate } from './rate.ts';

describe('quota - shared rate quotas', () => {
  it('quota - CPU used by a child counts against its parent, and a throttled parent stops the child', () => {
    const parent = new CpuQuota(10, 100, null);
    const child = new CpuQuota(8, 100, parent);
    expect(child.charge(0, 5)).toEqual([]);
    // The parent itself uses 5 ms: its subtree has now used all of its 10 ms.
    expect(parent.charge(1, 5)).toEqual([parent]);
    expect(child.throttledAt(2)).toBe(parent);
    expect(child.throttledAt(100)).toBeNull();
    // A new period starts clean for both.
    expect(child.charge(100, 1)).toEqual([]);
    expect(parent.used).toBe(1);
  });
  it('quota - IPC tokens are taken from the child and every ancestor, or from none', () => {
    const parent = new IpcRate(2, 1000, 0, null);
    const a = new IpcRate(2, 1000, 0, parent);
    const b = new IpcRate(2, 1000, 0, parent);
    a.take(0, 10);
    a.take(0, 10);
    expect(() => b.take(0, 10)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: expect.objectContaining({ resource: 'ipcMsgsPerSec', limit: 2 }) }));
    expect(b.msgTokens).toBe(2);
  });
});
