// A sandbox cloned from a snapshot when its agent first runs, not when it is spawned: an agent that is spawned
// and exits before the next one runs hands its (reset) instance on, so a burst of spawns holds as many wasm
// instances as agents that run at once, not as many as agents spawned; an agent that never runs holds none.
// Trusts the factory it is given (the domain's: a recycled or new clone, or the shared heap when none can be had).

import type { ActivationKind, AgentInstance, EntryInfo } from '../types.ts';

export class LazyClone implements AgentInstance {
  private inst: AgentInstance | null = null;
  private disposed = false;

  /** `info` is the snapshot's (the image is the same); `make` gives the sandbox on first dispatch (may throw a TrapError). */
  constructor(
    readonly info: EntryInfo,
    private readonly make: () => AgentInstance,
  ) {}

  dispatch(kind: ActivationKind, payload?: unknown): Promise<unknown> {
    if (this.disposed) return Promise.reject(new Error('agent instance is disposed'));
    if (this.inst === null) {
      try {
        this.inst = this.make();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.inst.dispatch(kind, payload);
  }

  memoryBytes(): number {
    return this.inst?.memoryBytes() ?? 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inst?.dispose();
  }
}
