// An agent's virtual address space: a sorted list of non-overlapping mappings
// of page-aligned ranges onto memory objects. Address 0 is never mapped.

import { AiosError, Perm, limits } from '@aios/abi';
import type { Backing } from '../objects/memory.ts';

const PAGE = limits.PAGE_SIZE;

export type MappingKind = 'alloc' | 'map' | 'pool';

export interface Mapping {
  start: number;
  size: number;
  backing: Backing;
  perms: number;
  kind: MappingKind;
}

export function pageRound(bytes: number): number {
  return Math.ceil(bytes / PAGE) * PAGE;
}

export class AddressSpace {
  /** Sorted by start; never overlapping. */
  private readonly maps: Mapping[] = [];
  private readonly base = limits.ADDRESS_SPACE_BASE;
  private readonly end = limits.ADDRESS_SPACE_BASE + limits.ADDRESS_SPACE_BYTES;

  get mappings(): readonly Mapping[] {
    return this.maps;
  }

  /** Index of the first mapping whose end is beyond addr. */
  private lowerBound(addr: number): number {
    let lo = 0;
    let hi = this.maps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.maps[mid]!;
      if (m.start + m.size <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The mapping containing addr, if any. */
  find(addr: number): Mapping | undefined {
    const i = this.lowerBound(addr);
    const m = this.maps[i];
    return m !== undefined && m.start <= addr ? m : undefined;
  }

  /** First-fit search for a free range of `size` bytes (page multiple). ENOMEM when none. */
  private findGap(size: number): number {
    let cursor = this.base;
    for (const m of this.maps) {
      if (m.start - cursor >= size) return cursor;
      cursor = m.start + m.size;
    }
    if (this.end - cursor >= size) return cursor;
    throw new AiosError('ENOMEM', 'address space exhausted', { size });
  }

  /** Maps `backing` at a free address chosen by the kernel. */
  mapAnywhere(size: number, backing: Backing, perms: number, kind: MappingKind): Mapping {
    const start = this.findGap(size);
    return this.insert({ start, size, backing, perms, kind });
  }

  /** Maps at a fixed page-aligned address. EINVAL when misaligned or outside, EEXIST when overlapping. */
  mapFixed(start: number, size: number, backing: Backing, perms: number, kind: MappingKind): Mapping {
    if (!Number.isSafeInteger(start) || start % PAGE !== 0) throw new AiosError('EINVAL', `address ${start} is not page aligned`, { arg: 'vaddr', value: start, align: PAGE });
    if (start < this.base || start + size > this.end) throw new AiosError('EINVAL', `address ${start} is outside the address space`, { arg: 'vaddr', value: start, min: this.base, max: this.end - size });
    const i = this.lowerBound(start);
    const next = this.maps[i];
    if (next !== undefined && next.start < start + size) throw new AiosError('EEXIST', `address ${start} is already mapped`, { arg: 'vaddr', value: start });
    return this.insert({ start, size, backing, perms, kind });
  }

  private insert(m: Mapping): Mapping {
    const i = this.lowerBound(m.start);
    this.maps.splice(i, 0, m);
    return m;
  }

  /** Removes the mapping that starts exactly at addr; EFAULT when there is none (or it is of another kind). */
  unmap(addr: number, kinds: readonly MappingKind[]): Mapping {
    const i = this.lowerBound(addr);
    const m = this.maps[i];
    if (m === undefined || m.start !== addr || !kinds.includes(m.kind)) {
      throw new AiosError('EFAULT', `no ${kinds.join('/')} region starts at ${addr}`, { arg: 'vaddr', value: addr });
    }
    this.maps.splice(i, 1);
    return m;
  }

  /** Copies `len` bytes starting at addr; every byte must be mapped readable (EFAULT). */
  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.walk(addr, len, Perm.R, (m, off, pos, n) => m.backing.read(off, out, pos, n));
    return out;
  }

  write(addr: number, data: Uint8Array): void {
    this.walk(addr, data.length, Perm.W, (m, off, pos, n) => m.backing.write(off, data, pos, n));
  }

  private walk(addr: number, len: number, need: number, fn: (m: Mapping, offset: number, pos: number, n: number) => void): void {
    // Check the whole range first so a faulting access changes nothing.
    const parts: Array<[Mapping, number, number, number]> = [];
    let pos = 0;
    while (pos < len || (len === 0 && pos === 0)) {
      const a = addr + pos;
      const m = this.find(a);
      if (m === undefined) throw new AiosError('EFAULT', `address ${a} is not mapped`, { vaddr: a });
      if ((m.perms & need) !== need) throw new AiosError('EFAULT', `address ${a} is not ${need === Perm.W ? 'writable' : 'readable'}`, { vaddr: a, perms: m.perms });
      if (len === 0) break;
      const n = Math.min(m.start + m.size - a, len - pos);
      parts.push([m, a - m.start, pos, n]);
      pos += n;
    }
    for (const [m, off, p, n] of parts) fn(m, off, p, n);
  }
}
