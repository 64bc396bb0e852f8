import { describe, it, expect } from 'vitest';
import { limits } from '@aios/abi';
import { QuotaNode } from './quota.ts';

describe('quota - hierarchy', () => {
  it('quota - a charge counts against every ancestor and fails whole with EQUOTA detail', () => {
    const root = new QuotaNode(1, { memBytes: 100, frames: 10, spawns: 10 }, null);
    const a = new QuotaNode(2, root.childLimits({ memBytes: 80 }), root);
    const b = new QuotaNode(3, root.childLimits({ memBytes: 80 }), root);
    a.charge('memBytes', 60);
    expect(() => b.charge('memBytes', 50)).toThrow(expect.objectContaining({ code: 'EQUOTA', detail: expect.objectContaining({ resource: 'memBytes', limit: 100, used: 60 }) }));
    expect(b.used.memBytes).toBe(0);
    b.charge('memBytes', 40);
    expect(root.used.memBytes).toBe(100);
    a.release('memBytes', 60);
    expect(root.used.memBytes).toBe(40);
  });
  it('quota - a child cannot be given more than its parent has', () => {
    const root = new QuotaNode(1, { memBytes: 100, frames: 10, spawns: 10 }, null);
    expect(() => root.childLimits({ memBytes: 101 })).toThrow(expect.objectContaining({ code: 'EQUOTA' }));
    expect(root.childLimits(undefined)).toEqual(root.limits);
  });
  it('quota - a child given no memory quota gets the documented default, not its parent whole limit', () => {
    const root = new QuotaNode(1, { memBytes: 8 * 2 ** 30, frames: 10, spawns: 10 }, null);
    expect(root.childLimits(undefined)).toEqual({ memBytes: limits.DEFAULT_MEM_QUOTA_BYTES, frames: 10, spawns: 10 });
    expect(root.childLimits({ memBytes: 2 ** 30 }).memBytes).toBe(2 ** 30);
  });
});
