// The capability derivation tree (seL4 style). Every handle has a node; a
// derived or transferred handle is a child. Revoking a node removes it and all
// its descendants from their owners' handle tables at once.

import type { ObjectType } from '@aios/abi';

/** Anything a handle can name. Each object type keeps its own state. */
export interface KObject {
  readonly type: ObjectType;
  /** Short printable id for audit records, e.g. "agent:7" or "mem:12". */
  readonly label: string;
}

export interface HandleOwner {
  /** Called by revoke: drop this handle from the owner's table. */
  dropHandle(handle: number): void;
}

/** A quota on uses of a handle (and of the handles derived from it, which share it). */
export interface UseQuota {
  limit: number;
  used: number;
}

export class CapNode {
  /** Copies of object.type and object.label (both immutable): the syscall path reads them from the node, one shape, not from the many object classes. */
  readonly type: ObjectType;
  readonly label: string;
  /**
   * True while a use needs no more than the rights and type check: not revoked, no expiry, no use quota. The
   * handle lookup's fast path tests this one flag; revoke() and setUseQuota() clear it.
   */
  plain: boolean;
  private revokedFlag = false;
  private useQuota: UseQuota | undefined;
  /** Derived nodes; made on the first derivation (most handles are never derived from). */
  private kids: Set<CapNode> | null = null;
  constructor(
    readonly object: KObject,
    readonly rights: number,
    readonly owner: HandleOwner,
    readonly handle: number,
    readonly parent: CapNode | null,
    readonly expires: number | undefined,
  ) {
    this.type = object.type;
    this.label = object.label;
    if (parent !== null) {
      (parent.kids ??= new Set()).add(this);
      this.useQuota = parent.useQuota;
    }
    this.plain = expires === undefined && this.useQuota === undefined;
  }

  /** Whether the handle was revoked (its next use is EPERM). */
  get revoked(): boolean {
    return this.revokedFlag;
  }

  /** Marks this node revoked (not its descendants: see revokeDescendants). */
  revoke(): void {
    this.revokedFlag = true;
    this.plain = false;
  }

  /** Uses left through this handle and its descendants, when a derivation set a quota. */
  get uses(): UseQuota | undefined {
    return this.useQuota;
  }

  /** Puts this handle (and what is later derived from it) under a use quota. */
  setUseQuota(q: UseQuota): void {
    this.useQuota = q;
    this.plain = false;
  }

  /** Revokes every descendant (not this node). Returns how many were revoked. */
  revokeDescendants(): number {
    let n = 0;
    const stack = this.kids === null ? [] : [...this.kids];
    this.kids = null;
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.revoked) continue;
      node.revoke();
      n++;
      if (node.kids !== null) for (const c of node.kids) stack.push(c);
      node.kids = null;
      node.owner.dropHandle(node.handle);
    }
    return n;
  }

  /** Unlinks this node from its parent (its own children stay valid). */
  detach(): void {
    this.parent?.kids?.delete(this);
  }
}
