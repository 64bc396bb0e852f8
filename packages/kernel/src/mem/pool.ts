// An agent's small-object pool: size classes carved out of pool pages of its
// address space (a slab allocator). Pages are charged to the memory quota.

import { AiosError, Perm, limits } from '@aios/abi';
import { AnonMemory } from '../objects/memory.ts';
import type { AddressSpace } from './vaspace.ts';

const CLASSES = limits.POOL_SIZE_CLASSES;
const PAGE = limits.PAGE_SIZE;

export class Pool {
  private readonly free: number[][] = CLASSES.map(() => []);
  private readonly live = new Map<number, number>();
  /** Pages the pool took from the address space. */
  pages = 0;

  /** memId: label numbers of the pool's pages (the kernel's sequence). */
  constructor(private readonly aspace: AddressSpace, private readonly chargePage: () => void, private readonly memId: () => number) {}

  get liveObjects(): number {
    return this.live.size;
  }

  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > limits.POOL_MAX_OBJECT_BYTES) {
      throw new AiosError('EINVAL', `pool objects are 1 to ${limits.POOL_MAX_OBJECT_BYTES} bytes`, { arg: 'bytes', value: bytes, min: 1, max: limits.POOL_MAX_OBJECT_BYTES });
    }
    let cls = 0;
    while (CLASSES[cls]! < bytes) cls++;
    const list = this.free[cls]!;
    if (list.length === 0) {
      this.chargePage();
      const m = this.aspace.mapAnywhere(PAGE, new AnonMemory(PAGE, this.memId()), Perm.RW, 'pool');
      this.pages++;
      const size = CLASSES[cls]!;
      for (let off = PAGE - size; off >= 0; off -= size) list.push(m.start + off);
    }
    const addr = list.pop()!;
    this.live.set(addr, cls);
    return addr;
  }

  free_(addr: number): void {
    const cls = this.live.get(addr);
    if (cls === undefined) throw new AiosError('EFAULT', `no live pool object at ${addr}`, { arg: 'vaddr', value: addr });
    this.live.delete(addr);
    this.free[cls]!.push(addr);
  }
}
