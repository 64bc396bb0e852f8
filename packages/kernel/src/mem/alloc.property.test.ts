// Property tests of the allocators: regions never overlap, nothing leaks after
// free, quota accounting is exact; frames and pool objects likewise.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Perm, limits } from '@aios/abi';
import { AddressSpace, pageRound } from './vaspace.ts';
import { AnonMemory } from '../objects/memory.ts';
import { FrameArena } from './arena.ts';
import { Pool } from './pool.ts';
import { QuotaNode } from '../quota/quota.ts';

type Op = { kind: 'alloc'; bytes: number } | { kind: 'free'; pick: number };
const ops = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('alloc' as const), bytes: fc.integer({ min: 1, max: 64 * 1024 }) }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
), { maxLength: 200 });

function disjoint(ranges: Array<[number, number]>): boolean {
  const s = [...ranges].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < s.length; i++) if (s[i - 1]![0] + s[i - 1]![1] > s[i]![0]) return false;
  return true;
}

describe('mem - address space allocator', () => {
  it('mem - live regions never overlap, quota equals the sum of live sizes, and all of it returns after free', () => {
    fc.assert(fc.property(ops, (list: Op[]) => {
      const as = new AddressSpace();
      const quota = new QuotaNode(1, { memBytes: 8 * 2 ** 20, frames: 0, spawns: 0 }, null);
      const live: Array<{ start: number; size: number }> = [];
      for (const op of list) {
        if (op.kind === 'alloc') {
          const size = pageRound(op.bytes);
          try {
            quota.charge('memBytes', size);
          } catch {
            continue;
          }
          const m = as.mapAnywhere(size, new AnonMemory(size, 1), Perm.RW, 'alloc');
          expect(m.start % limits.PAGE_SIZE).toBe(0);
          expect(m.start).toBeGreaterThanOrEqual(limits.ADDRESS_SPACE_BASE);
          live.push({ start: m.start, size });
        } else if (live.length > 0) {
          const [r] = live.splice(op.pick % live.length, 1);
          as.unmap(r!.start, ['alloc']);
          quota.release('memBytes', r!.size);
        }
        expect(disjoint(live.map((r) => [r.start, r.size]))).toBe(true);
        expect(quota.used.memBytes).toBe(live.reduce((s, r) => s + r.size, 0));
      }
      for (const r of live) as.unmap(r.start, ['alloc']), quota.release('memBytes', r.size);
      expect(as.mappings.length).toBe(0);
      expect(quota.used.memBytes).toBe(0);
    }), { numRuns: 200 });
  });

  it('mem - bytes written are read back, and unmapped ranges fault without partial effects', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 10_000 }), fc.nat({ max: 3 * 4096 }), (data, offset) => {
      const as = new AddressSpace();
      const m = as.mapAnywhere(pageRound(offset + data.length), new AnonMemory(pageRound(offset + data.length), 1), Perm.RW, 'alloc');
      as.write(m.start + offset, data);
      expect(as.read(m.start + offset, data.length)).toEqual(data);
      expect(() => as.write(m.start + m.size - 1, new Uint8Array(2))).toThrow(expect.objectContaining({ code: 'EFAULT' }));
      expect(as.read(m.start + m.size - 1, 1)[0]).toBe(offset + data.length >= m.size ? data[data.length - 1] : 0);
    }), { numRuns: 100 });
  });
});

describe('mem - frame arena', () => {
  it('mem - frame runs never overlap and every frame is free again after all are freed', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(-1)), { maxLength: 150 }), (list) => {
      const arena = new FrameArena(256);
      const live: Array<[number, number]> = [];
      for (const n of list) {
        if (n > 0) {
          const base = arena.alloc(n);
          if (base >= 0) live.push([base, n]);
          else expect(arena.freeFrames < n || live.length > 0).toBe(true);
        } else if (live.length > 0) {
          const [b, c] = live.shift()!;
          arena.free(b, c);
        }
        expect(disjoint(live)).toBe(true);
        expect(arena.freeFrames).toBe(256 - live.reduce((s, r) => s + r[1], 0));
      }
      for (const [b, c] of live) arena.free(b, c);
      expect(arena.freeFrames).toBe(256);
      expect(arena.alloc(256)).toBe(0);
    }), { numRuns: 200 });
  });

  it('mem - freed frames are zeroed before reuse', () => {
    const arena = new FrameArena(4);
    const b = arena.alloc(1);
    arena.bytes.fill(7, b * 4096, (b + 1) * 4096);
    arena.free(b, 1);
    expect(arena.bytes.subarray(b * 4096, (b + 1) * 4096).every((x) => x === 0)).toBe(true);
  });
});

describe('mem - pool', () => {
  it('mem - live pool objects never overlap and a freed object can be taken again', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.constant(0)), { maxLength: 300 }), (list) => {
      const as = new AddressSpace();
      let charged = 0;
      const pool = new Pool(as, () => void (charged += 4096), () => 1);
      const live: Array<[number, number]> = [];
      for (const n of list) {
        if (n > 0) {
          const a = pool.alloc(n);
          const cls = limits.POOL_SIZE_CLASSES.find((c) => c >= n)!;
          live.push([a, cls]);
        } else if (live.length > 0) {
          pool.free_(live.pop()![0]);
        }
        expect(disjoint(live)).toBe(true);
      }
      expect(pool.liveObjects).toBe(live.length);
      expect(charged).toBe(pool.pages * 4096);
      for (const [a] of live) pool.free_(a);
      expect(pool.liveObjects).toBe(0);
      expect(() => pool.free_(live[0]?.[0] ?? 0x10000)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    }), { numRuns: 150 });
  });
});
