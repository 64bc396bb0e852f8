// One audit record per I/O call, written when the call completes (the file and net syscalls are
// blocking, so the dispatcher's own record would say only that they started). Denials raised
// before the call starts (EPERM, EACCES) are recorded by the dispatcher instead, never twice.

import { isAiosError } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from '../syscall/context.ts';

export function ioAudit(k: SyscallContext, a: Agent, syscall: string, object: string | null, result: string, detail: Record<string, unknown>): void {
  const t = k.now();
  if (a === k.root || k.auditRate.admit(a.id, t, syscall, result)) k.audit.append(t, a.id, syscall, object, result, detail);
  if (result === 'EACCES' || result === 'EPERM') k.events.publish('security.denied', t, { agent: a.id, syscall, code: result, ...detail });
}

/** The code of an error for an audit record. */
export function codeOf(e: unknown): string {
  return isAiosError(e) ? e.code : 'EIO';
}

/**
 * Runs the synchronous part of an I/O syscall: an error it throws is audited here unless the
 * dispatcher records it (EPERM, EACCES), then rethrown.
 */
export function checked<T>(k: SyscallContext, a: Agent, au: AuditSlot, syscall: string, detail: () => Record<string, unknown>, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = codeOf(e);
    if (code !== 'EPERM' && code !== 'EACCES') ioAudit(k, a, syscall, au.label, code, detail());
    throw e;
  }
}
