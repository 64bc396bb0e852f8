// Memory syscalls: regions (AgentMemAlloc/Free), frames (FrameAlloc, PageMap,
// PageUnmap), the pool, byte access (MemRead/MemWrite) and sharing by handle
// (MemShare/MemMap). Every byte of regions, pool pages and frames is charged to quota.

import { AiosError, DEFAULT_RIGHTS, Perm, Rights, limits, parsePerms } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { FrameObject } from '../objects/frame.ts';
import { AnonMemory, type Backing } from '../objects/memory.ts';
import { pageRound } from '../mem/vaspace.ts';
import { unmapEffects } from '../mem/effects.ts';
import { argBytes, argInt, argOptInt } from './args.ts';

function perms(value: unknown): number {
  const p = parsePerms(value);
  if (p === undefined) throw new AiosError('EINVAL', "perms must be 0-7 or a string like 'rw'", { arg: 'perms', value: value as never });
  return p;
}

function vaddr(value: unknown): number {
  return argInt(value, 'vaddr', 0, Number.MAX_SAFE_INTEGER);
}

export function sys_agentMemAlloc(k: SyscallContext, a: Agent, [bytes, p]: unknown[], au: AuditSlot): number {
  const n = argInt(bytes, 'bytes', 1, limits.MEM_MAX_ALLOC_BYTES);
  const pr = perms(p);
  const size = pageRound(n);
  a.quota.charge('memBytes', size);
  try {
    const m = a.aspace.mapAnywhere(size, new AnonMemory(size, k.ids.mem()), pr, 'alloc');
    au.label = m.backing.label;
    return m.start;
  } catch (e) {
    a.quota.release('memBytes', size);
    throw e;
  }
}

export function sys_agentMemFree(k: SyscallContext, a: Agent, [addr]: unknown[], au: AuditSlot): void {
  const v = vaddr(addr);
  const found = a.aspace.find(v);
  if (found !== undefined && found.start === v && found.kind === 'alloc' && found.backing instanceof AnonMemory && found.backing.sharedMappings > 0) {
    throw new AiosError('EBUSY', `region at ${v} is still mapped by ${found.backing.sharedMappings} other mapping(s)`, { vaddr: v, mappings: found.backing.sharedMappings });
  }
  const m = a.aspace.unmap(v, ['alloc']);
  au.label = m.backing.label;
  a.quota.release('memBytes', m.size);
}

export function sys_frameAlloc(k: SyscallContext, a: Agent, [count]: unknown[], au: AuditSlot): number {
  if ((a.selfNode.rights & Rights.FRAME) === 0) throw new AiosError('EPERM', 'FrameAlloc needs the FRAME privilege', { needed: 'FRAME' });
  const n = argOptInt(count, 'count', 1, limits.FRAME_MAX_PER_ALLOC, 1);
  k.authorize(a, 'FrameAlloc', { type: 'arena', id: 'physical', attrs: { count: n } });
  if (n > k.arena.freeFrames) throw new AiosError('ENOMEM', `the arena has ${k.arena.freeFrames} free frames; ${n} requested`, { requested: n, free: k.arena.freeFrames });
  a.quota.charge('frames', n);
  try {
    a.quota.charge('memBytes', n * limits.PAGE_SIZE);
  } catch (e) {
    a.quota.release('frames', n);
    throw e;
  }
  const base = k.arena.alloc(n);
  const quota = a.quota;
  if (base < 0) {
    quota.release('frames', n);
    quota.release('memBytes', n * limits.PAGE_SIZE);
    throw new AiosError('ENOMEM', `no run of ${n} free frames in the arena`, { requested: n, free: k.arena.freeFrames });
  }
  const frame = new FrameObject(k.arena, base, n, () => {
    quota.release('frames', n);
    quota.release('memBytes', n * limits.PAGE_SIZE);
  });
  au.label = frame.label;
  try {
    return k.insertHandle(a, frame, DEFAULT_RIGHTS.frame, null);
  } catch (e) {
    // No handle (table full): the frames go back to the arena and the quota, as if never taken.
    frame.ref();
    frame.unref();
    throw e;
  }
}

export function sys_pageMap(k: SyscallContext, a: Agent, [frame, addr, p]: unknown[], au: AuditSlot): void {
  // Mapping physical frames is privileged: the FRAME or the MAP privilege (and MAP on the frame handle).
  if ((a.selfNode.rights & (Rights.MAP | Rights.FRAME)) === 0) throw new AiosError('EPERM', 'PageMap needs the FRAME or MAP privilege', { needed: 'FRAME|MAP' });
  const node = k.lookup(a, frame, 'frame', Rights.MAP, au);
  const f = node.object as FrameObject;
  k.authorize(a, 'PageMap', { type: 'frame', id: f.label });
  const pr = perms(p);
  checkPermsAgainstRights(pr, node.rights);
  a.aspace.mapFixed(vaddr(addr), f.size, f, pr, 'map');
  f.ref();
}

export function sys_pageUnmap(k: SyscallContext, a: Agent, [addr]: unknown[], au: AuditSlot): void {
  const m = a.aspace.unmap(vaddr(addr), ['map']);
  au.label = m.backing.label;
  unmapEffects(m.backing);
}

export function sys_agentPoolAlloc(_k: SyscallContext, a: Agent, [bytes]: unknown[]): number {
  return a.pool.alloc(bytes as number);
}

export function sys_agentPoolFree(_k: SyscallContext, a: Agent, [addr]: unknown[]): void {
  a.pool.free_(vaddr(addr));
}

export function sys_memRead(_k: SyscallContext, a: Agent, [addr, len]: unknown[]): Uint8Array {
  const v = vaddr(addr);
  if (typeof len === 'number' && Number.isSafeInteger(len) && len > limits.MEM_MAX_IO_BYTES) {
    throw new AiosError('EMSGSIZE', `at most ${limits.MEM_MAX_IO_BYTES} bytes per MemRead`, { arg: 'len', value: len, max: limits.MEM_MAX_IO_BYTES });
  }
  return a.aspace.read(v, argInt(len, 'len', 0, limits.MEM_MAX_IO_BYTES));
}

export function sys_memWrite(_k: SyscallContext, a: Agent, [addr, data]: unknown[]): void {
  const v = vaddr(addr);
  a.aspace.write(v, argBytes(data, 'data', limits.MEM_MAX_IO_BYTES));
}

function checkPermsAgainstRights(pr: number, rights: number): void {
  if ((pr & Perm.R) && !(rights & Rights.READ)) throw new AiosError('EPERM', 'mapping readable needs the READ right', { needed: 'READ' });
  if ((pr & Perm.W) && !(rights & Rights.WRITE)) throw new AiosError('EPERM', 'mapping writable needs the WRITE right', { needed: 'WRITE' });
}

export function sys_memShare(k: SyscallContext, a: Agent, [addr, rights]: unknown[], au: AuditSlot): number {
  const v = vaddr(addr);
  const m = a.aspace.find(v);
  if (m === undefined || m.start !== v || m.kind === 'pool') throw new AiosError('EFAULT', `no region starts at ${v}`, { arg: 'vaddr', value: v });
  let max = DEFAULT_RIGHTS.memory;
  if (!(m.perms & Perm.W)) max &= ~Rights.WRITE;
  if (!(m.perms & Perm.R)) max &= ~Rights.READ;
  const r = rights === undefined ? max : argInt(rights, 'rights', 0, 0x7fffffff);
  if ((r & ~max) !== 0) throw new AiosError('EPERM', 'cannot share a region with more rights than its mapping allows', { held: max, wanted: r });
  au.label = m.backing.label;
  return k.insertHandle(a, m.backing as Backing, r, null);
}

export function sys_memMap(k: SyscallContext, a: Agent, [handle, p]: unknown[], au: AuditSlot): number {
  const node = k.lookup(a, handle, null, Rights.MAP, au);
  if (node.object.type !== 'memory' && node.object.type !== 'frame') throw new AiosError('EBADF', `handle ${String(handle)} is not a memory or frame handle`, { handle });
  const b = node.object as Backing;
  const pr = p === undefined ? ((node.rights & Rights.READ ? Perm.R : 0) | (node.rights & Rights.WRITE ? Perm.W : 0)) : perms(p);
  checkPermsAgainstRights(pr, node.rights);
  const m = a.aspace.mapAnywhere(pageRound(b.size), b, pr, 'map');
  if (b instanceof FrameObject) b.ref();
  if (b instanceof AnonMemory) b.sharedMappings++;
  return m.start;
}
