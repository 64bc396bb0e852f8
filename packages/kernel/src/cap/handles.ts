// A per-agent handle table. Handle numbers are never reused within an agent,
// so a stale number always gives EBADF; a number means nothing in another agent.
// A revoked handle stays as a tombstone until closed, so its next use gives EPERM.

import { AiosError, limits } from '@aios/abi';
import { rightsToNames, type ObjectType } from '@aios/abi';
import { CapNode, type HandleOwner, type KObject } from './captree.ts';

export interface HandleEntry {
  readonly node: CapNode;
  /** Optional name, when the handle came through the agent's namespace. */
  readonly name?: string;
}

export class HandleTable {
  // Handles are small integers handed out in order and never reused, so a dense array
  // indexed by handle is the lookup (a hole once closed); the count is kept aside.
  // The array holds the nodes themselves (one load on the hot path); the rare names live in a map.
  private readonly slots: Array<CapNode | undefined> = [undefined];
  private readonly names = new Map<number, string>();
  private count = 0;
  private next = 1;

  constructor(private readonly owner: HandleOwner) {}

  get size(): number {
    return this.count;
  }

  /** Inserts a new handle for `object` derived from `parent` (null for an original). */
  insert(object: KObject, rights: number, parent: CapNode | null, expires?: number): number {
    if (this.count >= limits.HANDLES_PER_AGENT_MAX) throw new AiosError('ENOMEM', 'handle table full', { limit: limits.HANDLES_PER_AGENT_MAX });
    const handle = this.next++;
    this.slots[handle] = new CapNode(object, rights, this.owner, handle, parent, expires);
    this.count++;
    return handle;
  }

  /**
   * The syscall path's first step: look the handle up with the rights it needs.
   * EBADF for unknown or wrong type, EPERM for missing rights or an expired handle.
   */
  lookup(handle: unknown, type: ObjectType | null, rights: number, now: () => number): CapNode {
    // Hot path kept tiny (so it inlines): a plain node (live, no expiry, no use quota) of the type, with the rights.
    const node = typeof handle === 'number' && handle < this.next ? this.slots[handle] : undefined;
    if (node !== undefined && node.plain && (node.rights & rights) === rights && (type === null || node.type === type)) return node;
    return this.slowLookup(handle, type, rights, now);
  }

  /** The checks again, one by one, to name what is wrong (or to pass an unexpired expiring handle). */
  private slowLookup(handle: unknown, type: ObjectType | null, rights: number, now: () => number): CapNode {
    const node = typeof handle === 'number' && handle > 0 && handle < this.next && Number.isInteger(handle) ? this.slots[handle] : undefined;
    if (node === undefined) throw new AiosError('EBADF', `bad handle ${String(handle)}`, { handle });
    if (node.revoked) throw new AiosError('EPERM', `handle ${handle} was revoked`, { handle, revoked: true });
    if (type !== null && node.object.type !== type) {
      throw new AiosError('EBADF', `handle ${handle} is a ${node.object.type}, not a ${type}`, { handle, expected: type, actual: node.object.type });
    }
    if ((node.rights & rights) !== rights) {
      throw new AiosError('EPERM', `handle ${handle} lacks the ${rightsToNames(rights & ~node.rights).join('|')} right`, { handle, needed: rights, held: node.rights, missing: rightsToNames(rights & ~node.rights) });
    }
    if (node.expires !== undefined && now() >= node.expires) {
      throw new AiosError('EPERM', `handle ${handle} expired`, { handle, expires: node.expires });
    }
    if (node.uses !== undefined) {
      if (node.uses.used >= node.uses.limit) {
        throw new AiosError('EQUOTA', `handle ${handle} has no uses left`, { handle, resource: 'handleUses', limit: node.uses.limit, used: node.uses.used });
      }
      node.uses.used++;
    }
    return node;
  }


  /** The handle's node and name (a fresh record; not for hot paths, use node()/lookup() there). */
  get(handle: number): HandleEntry | undefined {
    const node = this.node(handle);
    if (node === undefined) return undefined;
    const name = this.names.get(handle);
    return name === undefined ? { node } : { node, name };
  }

  /** The handle's node, revoked or not, without checks. */
  node(handle: number): CapNode | undefined {
    return handle > 0 && handle < this.next ? this.slots[handle] : undefined;
  }

  setName(handle: number, name: string): void {
    if (this.node(handle) !== undefined) this.names.set(handle, name);
  }

  /** Removes the handle; returns its node (descendants are untouched). */
  remove(handle: number): CapNode | undefined {
    const node = this.node(handle);
    if (node === undefined) return undefined;
    this.slots[handle] = undefined;
    this.names.delete(handle);
    this.count--;
    return node;
  }

  entriesList(): Array<[number, HandleEntry]> {
    const out: Array<[number, HandleEntry]> = [];
    for (let h = 1; h < this.next; h++) {
      const e = this.get(h);
      if (e !== undefined) out.push([h, e]);
    }
    return out;
  }

  /** Live (not revoked) handles. */
  liveEntries(): Array<[number, HandleEntry]> {
    return this.entriesList().filter(([, e]) => !e.node.revoked);
  }
}
