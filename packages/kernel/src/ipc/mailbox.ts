// A bounded FIFO mailbox. Sends never block: a full mailbox refuses (EAGAIN).
// Kernel notices (exit, trap) bypass the bound so supervision never loses them.
//
// Representation: a ring of slots. A plain data message (no handles, tag 'data')
// is kept as four integers (sender, slab index, offset, length) and becomes a
// Message object only when it is taken out; any other message is kept as its
// Message object. A queued plain message therefore owns no JS object and no
// pointer of its own: thousands of them waiting in a mailbox cost the GC nothing.

import type { Message } from '@aios/abi';

/** Shared by every message that carries no handle (frozen: nobody may push into it). */
export const NO_HANDLES: number[] = Object.freeze([]) as unknown as number[];

// ---- payload slabs -------------------------------------------------------------------
//
// Payloads are copied into shared slabs, so a small message costs a few bytes of a large
// buffer, not an ArrayBuffer of its own. Slab bytes are written once and never reused: a
// receiver holds a view of its slab, and the GC drops the slab once every view (and every
// mailbox queue that points into it) is gone, so a receiver never observes a later write.
// The slab is a process-wide allocator, shared by every kernel in the process on purpose: it holds
// bytes only (no ids, no order anyone observes), and sharing it keeps small messages cheap.

const SLAB_BYTES = 1 << 17;
/** Payloads above this size get an ArrayBuffer of their own (they would waste most of a slab). */
const SLAB_MAX_PAYLOAD = 4096;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabBytes = new Uint8Array(slab);
let slabUsed = 0;

/** Copies `src` (at most SLAB_MAX_PAYLOAD bytes) into the current slab (`slab`); returns its offset there. */
function slabCopy(src: Uint8Array, n: number): number {
  if (slabUsed + n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    slabUsed = 0;
  }
  const off = slabUsed;
  slabBytes.set(src, off);
  slabUsed = (off + n + 7) & ~7;
  return off;
}

/** A private copy of a payload (the sender may reuse its buffer; the receiver never sees it change). */
export function copyPayload(src: Uint8Array): Uint8Array {
  const n = src.length;
  // Not src.slice(): on a Node Buffer (a Uint8Array subclass) slice() is a view, not a copy.
  if (n > SLAB_MAX_PAYLOAD) return new Uint8Array(src);
  const off = slabCopy(src, n);
  // The constructor, not subarray(): subarray looks up Symbol.species on every call.
  return new Uint8Array(slab, off, n);
}

// ---- the mailbox -----------------------------------------------------------------------

/** Slot length marking a slot that holds a whole Message object. */
const WHOLE = -1;
/** Smallest ring, in slots (a quiet mailbox stays small). */
const MIN_CAPACITY = 4;
/** Int32 fields per slot: sender, slab index, offset in the slab, length (or WHOLE). */
const STRIDE = 4;

export class Mailbox {
  /** Per slot: the Message of a WHOLE slot, else undefined. */
  private objs: Array<Message | undefined>;
  private meta: Int32Array;
  private mask: number;
  private head = 0;
  private count = 0;
  /**
   * The slabs that queued plain messages point into, by a small index of this mailbox,
   * with how many queued messages point into each. A slab leaves this table once no queued
   * message needs it, so an idle mailbox holds no payload memory.
   */
  private slabs: Array<ArrayBuffer | undefined> = [];
  private slabRefs = new Int32Array(4);
  private freeSlabs: number[] = [];
  /** The slab the newest plain message went into, and its index (-1: none). */
  private tailSlab: ArrayBuffer | undefined = undefined;
  private tailIndex = -1;

  constructor(public depth: number) {
    this.objs = new Array<Message | undefined>(MIN_CAPACITY).fill(undefined);
    this.meta = new Int32Array(MIN_CAPACITY * STRIDE);
    this.mask = MIN_CAPACITY - 1;
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.depth;
  }

  /** Queues a message object as it is (its data must already be the kernel's own copy). */
  push(msg: Message): void {
    const i = this.slot();
    this.objs[i] = msg;
    this.meta[i * STRIDE + 3] = WHOLE;
  }

  /**
   * Queues a plain data message from `from`: copies `src` now, so the sender may
   * reuse its buffer at once. The receiver gets { from, data, handles: [], tag: 'data' }.
   */
  pushData(from: number, src: Uint8Array): void {
    const n = src.length;
    // Big payloads, and senders whose id does not fit a slot field, are queued whole.
    if (n > SLAB_MAX_PAYLOAD || (from | 0) !== from) {
      this.push({ from, data: copyPayload(src), handles: NO_HANDLES, tag: 'data' });
      return;
    }
    const off = slabCopy(src, n);
    const s = slab === this.tailSlab ? this.tailIndex : this.holdSlab(slab);
    this.slabRefs[s]!++;
    const j = this.slot() * STRIDE;
    const m = this.meta;
    m[j] = from;
    m[j + 1] = s;
    m[j + 2] = off;
    m[j + 3] = n;
  }

  /** Takes the oldest message, or undefined when empty. */
  shift(): Message | undefined {
    if (this.count === 0) return undefined;
    const i = this.head;
    this.head = (i + 1) & this.mask;
    this.count--;
    const m = this.meta;
    const j = i * STRIDE;
    const n = m[j + 3]!;
    if (n === WHOLE) {
      const msg = this.objs[i]!;
      this.objs[i] = undefined;
      return msg;
    }
    const s = m[j + 1]!;
    const data = new Uint8Array(this.slabs[s]!, m[j + 2]!, n);
    if (--this.slabRefs[s]! === 0) this.dropSlab(s);
    return { from: m[j]!, data, handles: NO_HANDLES, tag: 'data' };
  }

  /** Takes every queued message, oldest first, and shrinks the mailbox back to its smallest. */
  drain(): Message[] {
    const out: Message[] = [];
    for (let m = this.shift(); m !== undefined; m = this.shift()) out.push(m);
    if (this.objs.length > MIN_CAPACITY) this.resize(MIN_CAPACITY);
    this.slabs = [];
    this.slabRefs = new Int32Array(4);
    this.freeSlabs = [];
    this.tailSlab = undefined;
    this.tailIndex = -1;
    return out;
  }

  /** Gives `buf` (the current slab, newly used by this mailbox) an index in the table. */
  private holdSlab(buf: ArrayBuffer): number {
    const s = this.freeSlabs.pop() ?? this.slabs.length;
    if (s === this.slabs.length) this.slabs.push(undefined);
    if (s >= this.slabRefs.length) {
      const refs = new Int32Array(this.slabRefs.length * 2);
      refs.set(this.slabRefs);
      this.slabRefs = refs;
    }
    this.slabs[s] = buf;
    this.slabRefs[s] = 0;
    this.tailSlab = buf;
    this.tailIndex = s;
    return s;
  }

  private dropSlab(s: number): void {
    this.slabs[s] = undefined;
    this.freeSlabs.push(s);
    if (s === this.tailIndex) {
      this.tailSlab = undefined;
      this.tailIndex = -1;
    }
  }

  /** The index of a fresh tail slot (the ring doubles when full). */
  private slot(): number {
    if (this.count === this.objs.length) this.resize(this.objs.length * 2);
    const i = (this.head + this.count) & this.mask;
    this.count++;
    return i;
  }

  /** Moves the queued slots, in order, into a ring of `cap` slots (cap is a power of two >= count). */
  private resize(cap: number): void {
    const objs = new Array<Message | undefined>(cap).fill(undefined);
    const meta = new Int32Array(cap * STRIDE);
    for (let k = 0; k < this.count; k++) objs[k] = this.objs[(this.head + k) & this.mask];
    // The queued slots are one run from head, or two when they wrap around the end.
    const first = Math.min(this.count, this.objs.length - this.head);
    meta.set(this.meta.subarray(this.head * STRIDE, (this.head + first) * STRIDE), 0);
    meta.set(this.meta.subarray(0, (this.count - first) * STRIDE), first * STRIDE);
    this.objs = objs;
    this.meta = meta;
    this.mask = cap - 1;
    this.head = 0;
  }
}
