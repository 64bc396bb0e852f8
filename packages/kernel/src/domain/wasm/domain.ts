// The wasm execution domain: each agent image runs in its own QuickJS runtime inside one shared
// QuickJS WebAssembly module, with a memory limit, a stack limit and a CPU-slice interrupt; an image spawned
// again while recent runs in clones of its snapshot (own instance and memory, made at the agent's first
// activation, reset and reused after a clean exit: snapshot.ts, lazy-clone.ts).
// Trusts the ports it is given (clock for the CPU deadline, randomness for crypto.getRandomValues).

import type { AgentInstance, ExecutionDomain, Gate, InstanceLimits } from '../types.ts';
import { WasmInstance } from './instance.ts';
import type { WasmPorts } from './support.ts';
import { cloneSnapshot, recyclable, resetClone, snapshotsAvailable, takeSnapshot, type Snapshot } from './snapshot.ts';
import type { OwnModule } from './own-module.ts';
import { LazyClone } from './lazy-clone.ts';

export type WasmDomainOptions = WasmPorts & WasmDomainTuning;

/** The wasm domain, plus an optional pool of blank sandboxes the kernel may fill when it is idle. */
export interface WasmDomain extends ExecutionDomain {
  readonly name: 'wasm';
  /**
   * Fills (or trims) the pool of blank sandboxes (runtime + context + prelude, no image) to
   * `count`. instantiate() takes one from the pool when there is one, which leaves only the
   * image and its first activation on the spawn path. Deterministic: nothing refills by itself.
   */
  prewarm(count: number): void;
  /** One bounded piece of prewarm(count) (see ExecutionDomain.prewarmStep). */
  prewarmStep(count: number): boolean;
  /** Blank sandboxes waiting in the pool. */
  readonly pooled: number;
  /** Images with a snapshot, the sandboxes cloned from snapshots that are still alive, and reset clones waiting for reuse. */
  readonly snapshots: { readonly images: number; readonly live: number; readonly recycled: number };
}

/** Options of the wasm domain besides its ports. */
export interface WasmDomainTuning {
  /** Clone sandboxes from per-image snapshots (default: true when the runtime allows it). */
  snapshots?: boolean;
  /** Reset and reuse the instances of clones whose agent ended cleanly (default: true when the runtime allows it). */
  recycle?: boolean;
}

/** Creates the wasm domain. instantiate() throws TrapError('load' | 'memory' | 'cpu') when the image does not load. */
/** Images whose sandboxes are prepared ahead (most recently spawned first), and how many each. */
const RECENT_IMAGES = 4;
const PREPARED_PER_IMAGE = 2;
/** Limits while an image is prepared: a module body that needs more than 50 ms is simply not prepared. */
const PREPARE_LIMITS: InstanceLimits = { memoryBytes: 32 * 1024 * 1024, stackBytes: 256 * 1024, sliceMs: 50 };
/**
 * Most clones alive at once: each has its own wasm memory, and V8 reserves ~10 GiB of address space per memory
 * (13,087 fit in one process on this machine, executors included); past this, sandboxes go on the shared heap.
 */
const SNAPSHOT_LIVE_MAX = 4096;
/**
 * Reset clones kept for reuse, per image: each holds its memory (5.5-10 MB virtual) whose pages its agents touched
 * stay resident (~0.4 MB for a small agent, at most the snapshot's size + 4 MiB), so at most RECENT_IMAGES x 16
 * wait at once (~25 MB for small agents, under 700 MB at worst).
 */
const RECYCLE_PER_IMAGE = 16;

export function createWasmDomain(opts: WasmDomainOptions): WasmDomain {
  const ports: WasmPorts = { random: (n) => opts.random(n), now: () => opts.now(), wallClock: () => opts.wallClock() };
  const pool: WasmInstance[] = [];
  // Zygotes: sandboxes with a recently spawned image already evaluated (module bodies that make
  // no syscall), so the next spawn of that image only binds a gate and runs its first activation.
  const prepared = new Map<string, WasmInstance[]>();
  const unpreparable = new Set<string>();
  const recent: string[] = [];
  const useSnapshots = opts.snapshots !== false && snapshotsAvailable;
  // Snapshots of recent images (null: the image is not preparable), and how many clones are alive.
  const snapshots = new Map<string, Snapshot | null>();
  let live = 0;
  const useRecycle = useSnapshots && opts.recycle !== false && recyclable;
  // Reset clones of each snapshot, waiting for the next spawn of its image (dropped with the snapshot).
  const recycled = new Map<Snapshot, OwnModule[]>();
  let waiting = 0;
  const release = (snap: Snapshot, own: OwnModule | null): void => {
    live--;
    if (own === null || !useRecycle || snapshots.get(snap.state.code) !== snap) return;
    const list = recycled.get(snap) ?? [];
    if (list.length >= RECYCLE_PER_IMAGE || live + waiting >= SNAPSHOT_LIVE_MAX) return;
    if (!resetClone(snap, own)) return;
    list.push(own);
    recycled.set(snap, list);
    waiting++;
  };
  const touch = (code: string): void => {
    const i = recent.indexOf(code);
    if (i >= 0) recent.splice(i, 1);
    recent.unshift(code);
    while (recent.length > RECENT_IMAGES) {
      const old = recent.pop()!;
      for (const inst of prepared.get(old) ?? []) inst.dispose();
      prepared.delete(old);
      const snap = snapshots.get(old);
      if (snap) {
        waiting -= recycled.get(snap)?.length ?? 0;
        recycled.delete(snap);
      }
      snapshots.delete(old);
    }
  };
  /**
   * The sandbox of a snapshot's agent, made when it first runs: a reset clone of the image when one waits, else a
   * new clone, else (no room for another wasm memory) a sandbox on the shared heap.
   */
  const materialize = (snap: Snapshot, gate: Gate, limits: InstanceLimits): WasmInstance => {
    const reuse = recycled.get(snap)?.pop();
    if (reuse !== undefined) waiting--;
    if (reuse !== undefined || live + waiting < SNAPSHOT_LIVE_MAX) {
      let inst: WasmInstance | undefined;
      try {
        inst = cloneSnapshot(snap, ports, reuse);
      } catch {
        // no memory for another instance: the shared heap below
      }
      if (inst !== undefined) {
        live++;
        inst.onFree = (own) => release(snap, own);
        return inst.adopt(gate, limits);
      }
    }
    return new WasmInstance(ports).boot(snap.state.code, gate, limits);
  };
  /** Takes (once) the snapshot of an image; null when it is not preparable. */
  const snapshot = (code: string): Snapshot | null => {
    const got = snapshots.get(code);
    if (got !== undefined) return got;
    const snap = takeSnapshot(code, ports, PREPARE_LIMITS);
    snapshots.set(code, snap);
    if (snap === null) unpreparable.add(code);
    return snap;
  };
  /** One piece of prewarm(count): trims the pool, or prepares one recent image, or makes one blank sandbox; false when done. */
  function prewarmStep(count: number): boolean {
    const n = Math.max(0, Math.floor(count));
    if (pool.length > n) {
      while (pool.length > n) pool.pop()!.dispose();
      return true;
    }
    if (n === 0) return false;
    // Recent images first: a snapshot serves every later spawn of its image; a prepared instance saves one spawn.
    if (useSnapshots) {
      for (const code of recent) {
        if (snapshots.has(code) || unpreparable.has(code)) continue;
        snapshot(code);
        return true;
      }
    }
    for (const code of recent) {
      if (snapshots.get(code)) continue;
      if (unpreparable.has(code)) continue;
      const list = prepared.get(code) ?? [];
      prepared.set(code, list);
      if (list.length >= PREPARED_PER_IMAGE) continue;
      const inst = new WasmInstance(ports);
      if (inst.preload(code, PREPARE_LIMITS)) list.push(inst);
      else unpreparable.add(code);
      return true;
    }
    if (pool.length < n) {
      pool.push(new WasmInstance(ports));
      return true;
    }
    return false;
  }

  return {
    name: 'wasm',
    instantiate(code: string, gate: Gate, limits: InstanceLimits): AgentInstance {
      // An image spawned again while still recent gets its snapshot now (a node busy with a burst has no idle step).
      const again = useSnapshots && !unpreparable.has(code) && recent.includes(code);
      const snap = again ? snapshot(code) : undefined;
      if (snap && limits.memoryBytes >= PREPARE_LIMITS.memoryBytes / 2) {
        touch(code);
        return new LazyClone(snap.state.info, () => materialize(snap, gate, limits));
      }
      const ready = prepared.get(code)?.pop();
      if (ready !== undefined && limits.memoryBytes >= PREPARE_LIMITS.memoryBytes / 2) {
        touch(code);
        return ready.adopt(gate, limits);
      }
      ready?.dispose();
      const blank = pool.pop() ?? new WasmInstance(ports);
      const inst = blank.boot(code, gate, limits);
      // Only images that loaded once are prepared ahead (a module body that traps never is).
      touch(code);
      return inst;
    },
    prewarm(count: number): void {
      while (prewarmStep(count));
    },
    prewarmStep,
    get pooled(): number {
      return pool.length;
    },
    get snapshots() {
      let images = 0;
      for (const s of snapshots.values()) if (s) images++;
      return { images, live, recycled: waiting };
    },
  };
}
