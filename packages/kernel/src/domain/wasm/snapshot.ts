// Snapshots of a prepared sandbox (runtime + context + prelude + an evaluated image) and their clones: a clone
// is a fresh instance of the already compiled QuickJS module on its own memory, into which the pages where the
// template differs from a fresh instance are copied. Every pointer stays valid because the layout is identical
// (same module, same constructors, same allocation history). Trusts own-module.ts and the template's state.

import { LAYOUT, newOwnModule, ownModulesAvailable, recyclingAvailable, type OwnModule, type WasmMemory } from './own-module.ts';
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
  /** Every page of the template that is not all zero (page index -> its bytes): what a recycled clone is reset to. */
  readonly pages: ReadonlyMap<number, Int32Array>;
  /** End of the template's last non-zero page. */
  readonly end: number;
}

/**
 * A recycled clone is reset to its snapshot over every range its agent could have written (LAYOUT): data and
 * bss, the top STACK_BAND of the linear-memory stack (QuickJS refuses to go deeper than the runtime's maximum
 * stack size, at most STACK_CAP = 256 KiB, checked on every JS call, parse, regexp and JSON recursion), and the
 * heap up to sbrk's pointer. The TRIPWIRE below the band must still be the template's, else it is not recycled.
 */
const STACK_BAND = 1024 * 1024;
/**
 * A clone whose memory grew more than this past its snapshot's is not recycled (a reused memory keeps its size:
 * the next agent finds that much spare capacity, zeroed; its runtime's memory limit applies as ever).
 */
const GROWN_MAX = 4 * 1024 * 1024;
const TRIPWIRE = 256 * 1024;

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
  const pages = new Map<number, Int32Array>();
  const words = new Int32Array(tpl.buffer, tpl.byteOffset, tpl.length >> 2);
  for (let pg = 0; pg < tpl.length / CHUNK; pg++) {
    const w = words.subarray(pg * (CHUNK >> 2), (pg + 1) * (CHUNK >> 2));
    if (!isZero(w)) pages.set(pg, w.slice());
  }
  // the runs keep views of one private copy of the template's memory (only their bytes are read)
  const end = (Math.max(-1, ...pages.keys()) + 1) * CHUNK;
  return { state, bytes: tpl.length, runs: runs.map(([at, b]) => [at, b.slice()] as const), copied, pages, end };
}

function isZero(w: Int32Array): boolean {
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

function same(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the clones of a snapshot can be recycled in this process. */
export const recyclable = recyclingAvailable;

/**
 * Resets the memory of a clone whose agent is gone back to its snapshot, so that it holds nothing the agent
 * wrote, and renews its host side (own.renew). Only between calls into the instance. False (and nothing is
 * promised: drop it) when it cannot be reset: recycling unavailable, the memory grew past GROWN_MAX, sbrk's pointer is out of
 * range, or the stack went below the band.
 */
export function resetClone(s: Snapshot, own: OwnModule): boolean {
  if (!recyclingAvailable) return false;
  const mem = own.memory.buffer;
  if (mem.byteLength < s.bytes || mem.byteLength > s.bytes + GROWN_MAX) return false;
  const top = own.heapTop();
  if (top < LAYOUT.stackTop || top > mem.byteLength) return false;
  const words = new Int32Array(mem);
  const W = CHUNK >> 2;
  const page = (pg: number): Int32Array => words.subarray(pg * W, (pg + 1) * W);
  const bandLow = LAYOUT.stackTop - STACK_BAND;
  // the tripwire first: a stack deeper than the band is not reset, so the clone is not reused
  for (let pg = Math.floor((bandLow - TRIPWIRE) / CHUNK); pg < bandLow / CHUNK; pg++) {
    const want = s.pages.get(pg);
    if (want ? !same(page(pg), want) : !isZero(page(pg))) return false;
  }
  const reset = (from: number, to: number): void => {
    for (let pg = Math.floor(from / CHUNK); pg < Math.ceil(to / CHUNK); pg++) {
      const p = page(pg);
      const want = s.pages.get(pg);
      if (want) {
        if (!same(p, want)) p.set(want);
      } else if (!isZero(p)) p.fill(0);
    }
  };
  reset(0, LAYOUT.dataEnd);
  reset(bandLow, LAYOUT.stackTop);
  reset(LAYOUT.stackTop, Math.min(mem.byteLength, Math.max(top, s.end)));
  own.renew();
  return true;
}

/**
 * A new sandbox from a snapshot: own memory, the snapshot's pages copied in, wrappers rebuilt; or, given a clone
 * already reset by resetClone, the same over its instance (no new memory, no new instance). Throws on failure.
 */
export function cloneSnapshot(s: Snapshot, ports: WasmPorts, reset?: OwnModule): WasmInstance {
  if (reset !== undefined) return new WasmInstance(ports, reset, s.state);
  const own = newOwnModule(s.bytes);
  const have = own.memory.buffer.byteLength;
  if (have < s.bytes) own.memory.grow((s.bytes - have) / 65536);
  const heap = new Uint8Array(own.memory.buffer);
  for (const [at, b] of s.runs) heap.set(b, at);
  return new WasmInstance(ports, own, s.state);
}
