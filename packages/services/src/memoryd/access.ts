// Who may do what on a memory namespace. The kernel checks handle rights; memoryd passes the rights of
// the handle the caller used as `caller.rights`, and this module maps them onto fabric operations.
import { AiosError } from '@aios/abi';

/** Rights a namespace handle can carry (the lead maps handle rights READ/WRITE/SEARCH onto these). */
export type MemRight = 'read' | 'write' | 'search';
/** Operations checked: the three rights plus 'admin' (delete, share, quota), which only the owner holds. */
export type MemOp = MemRight | 'admin';

export interface Caller {
  /** Agent id making the call. */
  actor: string;
  /**
   * Rights of the handle used, if the call came through one. Absent: a direct call, judged by ownership
   * alone. Present: always enforced, even for the owner (a handle only narrows).
   */
  rights?: readonly MemRight[];
}

export interface NamespacePolicy {
  id: string;
  owner: string;
  /** Shared namespaces are reachable by non-owners holding a handle with the right; private ones are not. */
  shared: boolean;
}

/** Optional override: return true/false to decide, undefined to fall back to the default rule. */
export type AclHook = (caller: Caller, ns: NamespacePolicy, op: MemOp) => boolean | undefined;

/** The default rule (see Caller.rights and NamespacePolicy.shared). */
export function defaultAllows(caller: Caller, ns: NamespacePolicy, op: MemOp): boolean {
  const owner = caller.actor === ns.owner;
  if (op === 'admin') return owner;
  if (!owner && !ns.shared) return false;
  if (caller.rights === undefined) return owner;
  return caller.rights.includes(op);
}

/** Throws EPERM { ns, op, actor } unless the caller may do op. */
export function authorize(caller: Caller, ns: NamespacePolicy, op: MemOp, hook?: AclHook): void {
  if (!caller || typeof caller.actor !== 'string' || caller.actor === '') {
    throw new AiosError('EINVAL', 'caller.actor required', { arg: 'caller' });
  }
  const verdict = hook?.(caller, ns, op);
  if (verdict ?? defaultAllows(caller, ns, op)) return;
  throw new AiosError('EPERM', `no ${op} right on namespace`, { ns: ns.id, op, actor: caller.actor });
}
