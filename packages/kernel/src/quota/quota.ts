// Hierarchical quotas, cgroup style: every charge is made to the agent and to
// each ancestor; it fails with EQUOTA {resource, limit, used} if any of them
// would pass its limit. A child's limits never exceed its parent's.

import { AiosError, limits, type Quotas } from '@aios/abi';

export type QuotaResource = 'memBytes' | 'frames' | 'spawns';
export const QUOTA_RESOURCES: readonly QuotaResource[] = ['memBytes', 'frames', 'spawns'];

export class QuotaNode {
  readonly used: Record<QuotaResource, number> = { memBytes: 0, frames: 0, spawns: 0 };
  /** Deepest spawn-tree depth (counted from the root) an agent of this node may spawn into. */
  depthLimit: number = limits.DEFAULT_SPAWN_DEPTH;
  constructor(
    public owner: number,
    readonly limits: Record<QuotaResource, number>,
    readonly parent: QuotaNode | null,
  ) {}

  /** Charges n units up the chain, or throws EQUOTA and charges nothing. */
  charge(resource: QuotaResource, n: number): void {
    for (let q: QuotaNode | null = this; q !== null; q = q.parent) {
      if (q.used[resource] + n > q.limits[resource]) {
        throw new AiosError('EQUOTA', `${resource} quota exceeded`, {
          resource, limit: q.limits[resource], used: q.used[resource], requested: n, agent: q.owner,
        });
      }
    }
    for (let q: QuotaNode | null = this; q !== null; q = q.parent) q.used[resource] += n;
  }

  release(resource: QuotaResource, n: number): void {
    for (let q: QuotaNode | null = this; q !== null; q = q.parent) q.used[resource] -= n;
  }

  /**
   * Limits for a child: requested values, each no more than ours (EQUOTA otherwise). Without a
   * request, memory defaults to limits.DEFAULT_MEM_QUOTA_BYTES (or ours, if smaller); frames and
   * spawns default to ours (the subtree shares them, as every charge also goes to us).
   */
  childLimits(requested: Quotas | undefined): Record<QuotaResource, number> {
    const out = { ...this.limits, memBytes: Math.min(this.limits.memBytes, limits.DEFAULT_MEM_QUOTA_BYTES) };
    for (const r of QUOTA_RESOURCES) {
      const want = requested?.[r];
      if (want === undefined) continue;
      if (want > this.limits[r]) {
        throw new AiosError('EQUOTA', `child ${r} quota ${want} exceeds the parent's ${this.limits[r]}`, { resource: r, limit: this.limits[r], used: this.used[r], requested: want });
      }
      out[r] = want;
    }
    return out;
  }
}
