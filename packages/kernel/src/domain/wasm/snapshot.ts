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
  /** The template's bytes over the ranges a recycled clone is reset in (see resetClone): data, stack band, heap. */
  readonly regions: readonly Region[];
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
/** Compared in spans of this many bytes (memcmp), then page by page where a span differs. */
const SPAN = 64 * 1024;
const ZERO = Buffer.alloc(SPAN);

/** Template bytes of [at, at + bytes.length); past its end the template is zero. */
interface Region {
  readonly at: number;
  readonly bytes: Buffer;
}

const floorPage = (n: number): number => Math.floor(n / CHUNK) * CHUNK;
const ceilPage = (n: number): number => Math.ceil(n / CHUNK) * CHUNK;
/** The reset ranges: data and bss, the stack band with its tripwire below, the heap from the stack's top. */
const DATA = [0, LAYOUT.dataEnd] as const;
const BAND = [floorPage(LAYOUT.stackTop - STACK_BAND - TRIPWIRE), ceilPage(LAYOUT.stackTop)] as const;
const BAND_LOW = floorPage(LAYOUT.stackTop - STACK_BAND);
const HEAP_LOW = floorPage(LAYOUT.stackTop);

export const snapshotsAvailable = ownModulesAvailable;

/**
 * Prepares `code` in a sandbox on its own memory and takes its snapshot; null when the image is not preparable
 * (its module body makes a syscall or fails) or own modules are not available. The template itself is dropped.
 */
export function takeSnapshot(code: string, ports: WasmPorts, limits: InstanceLimits): Snapshot | null {
  if (!ownModulesAvailable) return null;
  let inst: WasmInstance;
  try {
    inst = new WasmInstance(ports, newOwnModule(0, ports.wallClock));
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
  // a fresh instance to compare against: never run, so its clock is never read
  const ref = new Uint8Array(newOwnModule(0, () => 0).memory.buffer);
  // Below the stack pointer the stack is dead between calls (the snapshot is taken between calls): a clone takes the
  // fresh instance's bytes there, not the stack garbage the preparation left (~1/3 of a small image's pages).
  const deadFrom = LAYOUT.dataEnd, deadTo = floorPage(LAYOUT.stackTop);
  if (recyclingAvailable && ref.length >= deadTo) tpl.set(ref.subarray(deadFrom, deadTo), deadFrom);
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
  let end = 0;
  for (let at = tpl.length - 1; at >= 0; at--) {
    if (tpl[at] !== 0) {
      end = ceilPage(at + 1);
      break;
    }
  }
  const region = (from: number, to: number): Region => ({ at: from, bytes: Buffer.from(tpl.slice(from, Math.max(from, Math.min(to, end)))) });
  const regions = [region(DATA[0], DATA[1]), region(BAND[0], BAND[1]), region(HEAP_LOW, end)];
  // the runs keep views of one private copy of the template's memory (only their bytes are read)
  return { state, bytes: tpl.length, runs: runs.map(([at, b]) => [at, b.slice()] as const), copied, regions, end };
}

/** Whether memory equals the template over [from, to) (page aligned, inside region r's range). */
function sameAs(mem: Buffer, r: Region, from: number, to: number): boolean {
  for (let c = from; c < to; ) {
    const tplEnd = r.at + r.bytes.length;
    const end = Math.min(to, c + SPAN, c < tplEnd ? tplEnd : Infinity);
    const want = c < tplEnd ? r.bytes.subarray(c - r.at, end - r.at) : ZERO.subarray(0, end - c);
    if (!mem.subarray(c, end).equals(want)) return false;
    c = end;
  }
  return true;
}

/** Makes memory equal the template over [from, to): spans compared with memcmp, differing pages copied or zeroed. */
function resetSpan(mem: Buffer, r: Region, from: number, to: number): void {
  for (let c = from; c < to; ) {
    const tplEnd = r.at + r.bytes.length;
    const end = Math.min(to, c + SPAN, c < tplEnd ? tplEnd : Infinity);
    const want = c < tplEnd ? r.bytes.subarray(c - r.at, end - r.at) : ZERO.subarray(0, end - c);
    const have = mem.subarray(c, end);
    if (!have.equals(want)) {
      // page by page: a page that is the template's already is not written (an untouched page stays uncommitted)
      for (let p = 0; p < have.length; p += CHUNK) {
        const h = have.subarray(p, p + CHUNK), w = want.subarray(p, p + CHUNK);
        if (!h.equals(w)) h.set(w);
      }
    }
    c = end;
  }
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
  const buf = Buffer.from(mem);
  const [data, band, heap] = s.regions as [Region, Region, Region];
  // the tripwire first: a stack deeper than the band is not reset, so the clone is not reused
  if (!sameAs(buf, band, BAND[0], BAND_LOW)) return false;
  resetSpan(buf, data, DATA[0], DATA[1]);
  resetSpan(buf, band, BAND_LOW, BAND[1]);
  resetSpan(buf, heap, HEAP_LOW, Math.min(mem.byteLength, ceilPage(Math.max(top, s.end))));
  own.renew();
  return true;
}

/**
 * A new sandbox from a snapshot: own memory, the snapshot's pages copied in, wrappers rebuilt; or, given a clone
 * already reset by resetClone, the same over its instance (no new memory, no new instance). Throws on failure.
 */
export function cloneSnapshot(s: Snapshot, ports: WasmPorts, reset?: OwnModule): WasmInstance {
  if (reset !== undefined) return new WasmInstance(ports, reset, s.state);
  const own = newOwnModule(s.bytes, ports.wallClock);
  const have = own.memory.buffer.byteLength;
  if (have < s.bytes) own.memory.grow((s.bytes - have) / 65536);
  const heap = new Uint8Array(own.memory.buffer);
  for (const [at, b] of s.runs) heap.set(b, at);
  return new WasmInstance(ports, own, s.state);
}
