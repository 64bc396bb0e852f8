// The running-agent slot of a supervised child (the supervisor's children and initd's units): which agent runs
// it and the handle to that agent. Written once so both supervisors forget a child the same way.

import type { AgentId, Handle } from '@aios/abi';
import { handleClose } from '../kernel/stubs.gen.ts';

export interface ChildSlot {
  agent: AgentId | null;
  handle: Handle | null;
}

/** Forgets the slot's agent: drops it from `byAgent`, closes the handle (already closed is fine), nulls both. */
export function detachChild<S extends ChildSlot>(slot: S, byAgent: Map<AgentId, S>): void {
  if (slot.agent !== null) byAgent.delete(slot.agent);
  if (slot.handle !== null) {
    try {
      handleClose(slot.handle);
    } catch {
      // already closed
    }
  }
  slot.agent = null;
  slot.handle = null;
}
