// What removing a 'map' mapping releases (PageUnmap, and an agent's exit).

import { FrameObject } from '../objects/frame.ts';
import { AnonMemory, type Backing } from '../objects/memory.ts';

/** What removing a 'map' mapping releases: a frame reference, or a share count of anonymous memory. */
export function unmapEffects(b: Backing): void {
  if (b instanceof FrameObject) b.unref();
  else if (b instanceof AnonMemory) b.sharedMappings--;
}
