// Directory kernel objects: a mounted host folder (or a sub-folder of one) reached through a
// handle with READ, WRITE, CREATE, DELETE. The object holds the mount's host root and the
// checked segments of its sub-folder; every file syscall resolves under that root.

import type { KObject } from '../cap/captree.ts';

let nextDir = 1;

export class DirObject implements KObject {
  readonly type = 'directory' as const;
  readonly label: string;
  /** Set while the folder is being filled (a clone's copied scratch): file calls wait for it. */
  ready: Promise<unknown> | null = null;
  /**
   * @param root    absolute host path of the mount (the port never resolves outside it)
   * @param prefix  checked segments of the sub-folder this object names inside root
   * @param name    the mount's name, for audit records and errors
   */
  constructor(readonly root: string, readonly prefix: readonly string[], readonly name: string) {
    this.label = `dir:${nextDir++}:${name}`;
  }

  /** Segments of `rel` (checked) from the mount root. */
  under(rel: readonly string[]): string[] {
    return [...this.prefix, ...rel];
  }

  /** A printable path for audit: name/sub/rel. */
  show(rel: readonly string[]): string {
    return [this.name, ...this.prefix, ...rel].join('/');
  }
}
