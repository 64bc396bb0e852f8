// Token syscalls: CapExport and CapRedeem (capabilities that travel as signed tokens).

import { AiosError, Rights, limits } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { argInt, argObject, argString } from './args.ts';

function registry(k: SyscallContext) {
  if (k.tokens === null) throw new AiosError('ENOSYS', 'this node has no token issuer (no node identity)');
  return k.tokens;
}

export function sys_capExport(k: SyscallContext, a: Agent, [handle, opts]: unknown[], au: AuditSlot): number {
  const tokens = registry(k);
  const node = k.lookup(a, handle, null, Rights.TRANSFER, au);
  const o = argObject(opts, 'opts') ?? {};
  const rights = o.rights === undefined ? node.rights : argInt(o.rights, 'opts.rights', 0, 0x7fffffff);
  if ((rights & ~node.rights) !== 0) throw new AiosError('EPERM', 'a token cannot carry more rights than the handle', { held: node.rights, wanted: rights });
  const ttl = o.expiresInMs === undefined ? 3_600_000 : argInt(o.expiresInMs, 'opts.expiresInMs', 1, limits.MAX_TIMEOUT_MS * 30);
  const maxUses = o.maxUses === undefined ? 1 : argInt(o.maxUses, 'opts.maxUses', 1, 1_000_000);
  const audience = o.audience === undefined || o.audience === 'node' ? tokens.issuer.nodeAudience : `agent:${argInt(o.audience, 'opts.audience', 1, Number.MAX_SAFE_INTEGER)}`;
  k.authorize(a, 'CapExport', { type: node.object.type, id: node.object.label, attrs: { rights } });
  tokens.checkRoom(a.id, k.now());
  k.mints.checkRoom(a.id);
  const ticket = k.tickets.create(a.id, 'CapExport');
  const expires = k.now() + ttl;
  const nonce = k.ports.random(16);
  // Minting signs with ML-DSA-65 (milliseconds): it waits in the node's mint queue (one per loop turn,
  // round robin), outside the caller's activation, and the time it takes is charged to the caller's CPU.
  k.mints.push(a.id, () => {
    if (!a.alive) return;
    k.chargedWork(a, () => {
      try {
        if (node.revoked) throw new AiosError('EPERM', 'the handle was revoked before the token was minted');
        tokens.checkRoom(a.id, k.now());
        const m = tokens.mint(node, rights, expires, audience, maxUses, nonce, a.id);
        k.audit.append(k.now(), a.id, 'TokenMint', node.object.label, 'ok', { token: m.id, rights, audience, maxUses, expires });
        k.tickets.settle(ticket, { kind: 'done', value: m.token });
      } catch (e) {
        k.tickets.settle(ticket, { kind: 'failed', error: e });
      }
    });
  });
  return ticket;
}

export function sys_capRedeem(k: SyscallContext, a: Agent, [token, rights]: unknown[], au: AuditSlot): number {
  const tokens = registry(k);
  const t = argString(token, 'token', 16_384);
  const r = rights === undefined ? undefined : argInt(rights, 'rights', 0, 0x7fffffff);
  const { node, grant } = tokens.redeem(t, a.id, k.now(), r, (code, reason, id) => {
    if (code !== 'ok') k.audit.append(k.now(), a.id, 'TokenRedeem', null, code, { reason, token: id });
  });
  au.label = node.object.label;
  return k.insertHandle(a, node.object, grant.rights, node, node.expires);
}
