// Snapshots of a prepared sandbox (runtime + context + prelude + an evaluated image) and their clones: a clone
// is a fresh instance of the already compiled QuickJS module on its own memory, into which the pages where the
// template differs from a fresh instance are copied. Every pointer stays valid because the layout is identical
// (same module, same constructors, same allocation history). Trusts own-module.ts and the template's state.

import { newOwnModule, ownModulesAvailable, type WasmMemory } from './own-module.ts';
import { WasmInstance, type InstanceState } from './instance.ts';
import type { InstanceLimits } from '../types.ts';
import type { WasmPorts } from './support.ts';

/** Copy granularity: pages of 4 KiB (an image's heap is ~0.4 MB of non-zero pages in a 5.6 MB prefix). */
const CHUNK = 4096;

export interface Snapshot {
  readonly state: InstanceState;
  /** Byte length of the template's memory (a clone's memory is grown to it before the copy). */
  readonly bytes: number;
  /** Runs of pages where the template differs from a fresh instance: [offset, bytes]. */
  readonly runs: readonly (readonly [number, Uint8Array])[];
  /** Bytes a clone copies (the sum of the runs). */
  readonly copied: number;
}

export const snapshotsAvailable = ownModulesAvailable;

/**
 * Prepares `code` in a sandbox on its own memory and takes its snapshot; null when the image is not preparable
 * (its module body makes a syscall or fails) or own modules are not available. The template itself is dropped.
 */
export function takeSnapshot(code: string, ports: WasmPorts, limits: InstanceLimits): Snapshot | null {
  if (!ownModulesAvailable) return null;
  let inst: WasmInstance;
  try {
    inst = new WasmInstance(ports, newOwnModule());
  } catch {
    return null;
  }
  if (!inst.preload(code, limits)) return null;
  const state = inst.snapshotState();
  const mem = inst.ownMemory;
  inst.dispose();
  if (state === null || mem === null) return null;
  return diff(state, mem);
}

function diff(state: InstanceState, mem: WasmMemory): Snapshot {
  const tpl = new Uint8Array(mem.buffer).slice();
  const ref = new Uint8Array(newOwnModule().memory.buffer);
  const runs: [number, Uint8Array][] = [];
  let start = -1;
  let copied = 0;
  const flush = (end: number): void => {
    if (start < 0) return;
    runs.push([start, tpl.subarray(start, end)]);
    copied += end - start;
    start = -1;
  };
  for (let at = 0; at < tpl.length; at += CHUNK) {
    const end = Math.min(at + CHUNK, tpl.length);
    let same = true;
    for (let i = at; i < end; i++) {
      if (tpl[i] !== (i < ref.length ? ref[i] : 0)) {
        same = false;
        break;
      }
    }
    if (same) flush(at);
    else if (start < 0) start = at;
  }
  flush(tpl.length);
  // the runs keep views of one private copy of the template's memory (only their bytes are read)
  return { state, bytes: tpl.length, runs: runs.map(([at, b]) => [at, b.slice()] as const), copied };
}

/** A new sandbox from a snapshot: own memory, the snapshot's pages copied in, wrappers rebuilt. Throws on failure. */
export function cloneSnapshot(s: Snapshot, ports: WasmPorts): WasmInstance {
  const own = newOwnModule(s.bytes);
  const have = own.memory.buffer.byteLength;
  if (have < s.bytes) own.memory.grow((s.bytes - have) / 65536);
  const heap = new Uint8Array(own.memory.buffer);
  for (const [at, b] of s.runs) heap.set(b, at);
  return new WasmInstance(ports, own, s.state);
}
