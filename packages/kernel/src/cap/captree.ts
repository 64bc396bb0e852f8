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
  /** Uses left through this handle and its descendants, when a derivation set a quota. */
  uses: UseQuota | undefined;
  /** Derived nodes; made on the first derivation (most handles are never derived from). */
  private kids: Set<CapNode> | null = null;
  revoked = false;
  constructor(
    readonly object: KObject,
    readonly rights: number,
    readonly owner: HandleOwner,
    readonly handle: number,
    readonly parent: CapNode | null,
    readonly expires: number | undefined,
  ) {
    if (parent !== null) {
      (parent.kids ??= new Set()).add(this);
      this.uses = parent.uses;
    }
  }

  /** Revokes every descendant (not this node). Returns how many were revoked. */
  revokeDescendants(): number {
    let n = 0;
    const stack = this.kids === null ? [] : [...this.kids];
    this.kids = null;
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.revoked) continue;
      node.revoked = true;
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
