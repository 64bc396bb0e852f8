// A per-agent handle table. Handle numbers are never reused within an agent,
// so a stale number always gives EBADF; a number means nothing in another agent.
// A revoked handle stays as a tombstone until closed, so its next use gives EPERM.

import { AiosError, limits } from '@aios/abi';
import { rightsToNames, type ObjectType } from '@aios/abi';
import { CapNode, type HandleOwner, type KObject } from './captree.ts';

export interface HandleEntry {
  readonly node: CapNode;
  /** Optional name, when the handle came through the agent's namespace. */
  name?: string;
}

export class HandleTable {
  private readonly entries = new Map<number, HandleEntry>();
  private next = 1;

  constructor(private readonly owner: HandleOwner) {}

  get size(): number {
    return this.entries.size;
  }

  /** Inserts a new handle for `object` derived from `parent` (null for an original). */
  insert(object: KObject, rights: number, parent: CapNode | null, expires?: number): number {
    if (this.entries.size >= limits.HANDLES_PER_AGENT_MAX) throw new AiosError('ENOMEM', 'handle table full', { limit: limits.HANDLES_PER_AGENT_MAX });
    const handle = this.next++;
    const node = new CapNode(object, rights, this.owner, handle, parent, expires);
    this.entries.set(handle, { node });
    return handle;
  }

  /**
   * The syscall path's first step: look the handle up with the rights it needs.
   * EBADF for unknown or wrong type, EPERM for missing rights or an expired handle.
   */
  lookup(handle: unknown, type: ObjectType | null, rights: number, now: () => number): CapNode {
    const entry = typeof handle === 'number' ? this.entries.get(handle) : undefined;
    if (entry === undefined) throw new AiosError('EBADF', `bad handle ${String(handle)}`, { handle });
    const node = entry.node;
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
    return node;
  }

  get(handle: number): HandleEntry | undefined {
    return this.entries.get(handle);
  }

  setName(handle: number, name: string): void {
    const e = this.entries.get(handle);
    if (e) e.name = name;
  }

  /** Removes the handle; returns its node (descendants are untouched). */
  remove(handle: number): CapNode | undefined {
    const e = this.entries.get(handle);
    if (e === undefined) return undefined;
    this.entries.delete(handle);
    return e.node;
  }

  entriesList(): Array<[number, HandleEntry]> {
    return [...this.entries];
  }

  /** Live (not revoked) handles. */
  liveEntries(): Array<[number, HandleEntry]> {
    return [...this.entries].filter(([, e]) => !e.node.revoked);
  }
}
