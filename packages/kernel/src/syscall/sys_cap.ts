// Capability syscalls: CapDerive (narrow), CapRevoke (the handle and its whole
// subtree, in every agent), CapList, HandleClose, NsLookup, NsList.

import { AiosError, Rights, rightsToNames, type CapInfo } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { argInt, argObject, argString } from './args.ts';

export function sys_capDerive(k: SyscallContext, a: Agent, [handle, rights, opts]: unknown[], au: AuditSlot): number {
  const node = k.lookup(a, handle, null, Rights.DERIVE, au);
  const r = argInt(rights, 'rights', 0, 0x7fffffff);
  if ((r & ~node.rights) !== 0) {
    throw new AiosError('EPERM', 'derived rights must be a subset of the handle\'s rights', { handle, held: node.rights, wanted: r, extra: rightsToNames(r & ~node.rights) });
  }
  k.authorize(a, 'CapDerive', { type: node.object.type, id: node.object.label, attrs: { rights: r } });
  const o = argObject(opts, 'opts');
  let expires = node.expires;
  if (o?.expires !== undefined) {
    const e = argInt(o.expires, 'opts.expires', 0, Number.MAX_SAFE_INTEGER);
    expires = expires === undefined ? e : Math.min(expires, e);
  }
  const h = k.insertHandle(a, node.object, r, node, expires);
  const q = argObject(o?.quota, 'opts.quota');
  if (q?.uses !== undefined) {
    const uses = argInt(q.uses, 'opts.quota.uses', 0, Number.MAX_SAFE_INTEGER);
    const left = node.uses === undefined ? Infinity : node.uses.limit - node.uses.used;
    a.handles.get(h)!.node.setUseQuota({ limit: Math.min(uses, left), used: 0 });
  }
  return h;
}

export function sys_capRevoke(k: SyscallContext, a: Agent, [handle]: unknown[], au: AuditSlot): number {
  const entry = typeof handle === 'number' ? a.handles.get(handle) : undefined;
  if (entry === undefined) throw new AiosError('EBADF', `bad handle ${String(handle)}`, { handle });
  au.label = entry.node.object.label;
  const n = entry.node.revokeDescendants();
  if (!entry.node.revoked) {
    entry.node.revoke();
    entry.node.detach();
    k.releaseHandleObject(entry.node);
  }
  return n + 1;
}

export function sys_capList(_k: SyscallContext, a: Agent): CapInfo[] {
  return a.handles.liveEntries().map(([h, e]) => {
    const info: CapInfo = { handle: h, type: e.node.object.type, rights: e.node.rights, rightNames: rightsToNames(e.node.rights), object: e.node.object.label };
    if (e.name !== undefined) info.name = e.name;
    if (e.node.expires !== undefined) info.expires = e.node.expires;
    return info;
  });
}

export function sys_handleClose(k: SyscallContext, a: Agent, [handle]: unknown[], au: AuditSlot): void {
  if (handle === a.selfHandle) throw new AiosError('EINVAL', 'the self handle cannot be closed', { handle });
  const entry = typeof handle === 'number' ? a.handles.get(handle) : undefined;
  if (entry) au.label = entry.node.object.label;
  k.closeHandle(a, handle as number);
  for (const [name, h] of a.namespace) if (h === handle) a.namespace.delete(name);
}

export function sys_nsLookup(_k: SyscallContext, a: Agent, [name]: unknown[]): number {
  const n = argString(name, 'name', 256);
  const h = a.namespace.get(n);
  if (h === undefined || a.handles.get(h) === undefined || a.handles.get(h)!.node.revoked) throw new AiosError('ENOENT', `no '${n}' in this agent's namespace`, { name: n });
  return h;
}

export function sys_nsList(_k: SyscallContext, a: Agent): string[] {
  return [...a.namespace.keys()].filter((n) => a.handles.get(a.namespace.get(n)!)?.node.revoked === false);
}
