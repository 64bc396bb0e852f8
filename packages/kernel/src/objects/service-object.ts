// A service object (ObjCreate): an unforgeable token a service mints and hands out with rights.

import type { KObject } from '../cap/captree.ts';

/** A service object: an unforgeable token a service creates and hands out with rights. */
export class ServiceObject implements KObject {
  readonly type = 'object' as const;
  readonly label: string;
  /** id: from the kernel's sequence (KernelIds.object). */
  constructor(readonly owner: number, readonly tag: string, id: number) {
    this.label = `obj:${id}`;
  }
}
