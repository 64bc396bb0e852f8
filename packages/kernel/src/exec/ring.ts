// The syscall ring between one executor worker and the kernel thread: a SharedArrayBuffer with a state
// word and one data area, used half-duplex. The worker writes a message (UP) and waits; the kernel reads
// it, writes the reply (DOWN) and notifies. Messages larger than the data area cross in chunks, each
// acknowledged by the reader. Waiting is a short spin, then Atomics.wait (worker) or Atomics.waitAsync
// (kernel, when idle). Trusts nothing it reads: lengths are checked against the area's size.

import { AiosError, limits } from '@aios/abi';
import { Reader, Writer } from './wire.ts';

/** Ring states (control word 0). */
export const RING = { IDLE: 0, UP: 1, UP_ACK: 2, DOWN: 3, DOWN_ACK: 4, CLOSED: 5 } as const;
/** Control words: state, chunk length, more-chunks flag. */
const CTL_WORDS = 4;
const HDR_BYTES = CTL_WORDS * 4;

/** Makes the shared memory of one ring (the kernel creates it and hands it to the worker). */
export function createRingMemory(dataBytes = limits.EXEC_RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HDR_BYTES + dataBytes);
}

/** Thrown when the other side gives no sign of life within a wait's timeout (the executor is treated as hung). */
export class RingTimeout extends Error {}

/** The common half: the shared words, the data area, chunked send and receive. */
class RingEnd {
  protected readonly ctl: Int32Array;
  protected readonly data: Uint8Array;
  protected readonly writer: Writer;

  constructor(readonly memory: SharedArrayBuffer) {
    this.ctl = new Int32Array(memory, 0, CTL_WORDS);
    this.data = new Uint8Array(memory, HDR_BYTES);
    this.writer = new Writer();
  }

  get state(): number {
    return Atomics.load(this.ctl, 0);
  }

  /** A writer positioned on the ring's data area (zero-copy when the message fits). */
  begin(): Writer {
    const w = this.writer;
    w.buf = this.data;
    w.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return w.reset();
  }

  /**
   * Waits until the state is `want`: spins for spinUs, then parks with Atomics.wait. Returns false when
   * timeoutMs passes first, or when the ring is closed.
   */
  protected await(want: number, spinUs: number, timeoutMs: number): boolean {
    const ctl = this.ctl;
    let s = Atomics.load(ctl, 0);
    if (s === want) return true;
    const t0 = performance.now();
    const spinMs = spinUs / 1000;
    for (let i = 0; ; i++) {
      s = Atomics.load(ctl, 0);
      if (s === want) return true;
      if (s === RING.CLOSED) return false;
      if ((i & 63) === 0 && performance.now() - t0 > spinMs) break;
    }
    for (;;) {
      s = Atomics.load(ctl, 0);
      if (s === want) return true;
      if (s === RING.CLOSED) return false;
      const left = timeoutMs - (performance.now() - t0);
      if (left <= 0) return false;
      Atomics.wait(ctl, 0, s, Math.min(left, 2 ** 31 - 1));
    }
  }

  /** Sends the writer's message as one or more chunks in `chunk` state, waiting for `ack` between chunks. */
  protected send(w: Writer, chunk: number, ack: number, spinUs: number, timeoutMs: number): void {
    const ctl = this.ctl;
    const cap = this.data.byteLength;
    const inPlace = w.buf === this.data;
    const all = w.bytes();
    let off = 0;
    for (;;) {
      const n = Math.min(cap, all.byteLength - off);
      if (!inPlace) this.data.set(all.subarray(off, off + n));
      off += n;
      const more = off < all.byteLength;
      ctl[1] = n;
      ctl[2] = more ? 1 : 0;
      Atomics.store(ctl, 0, chunk);
      Atomics.notify(ctl, 0);
      if (!more) return;
      if (!this.await(ack, spinUs, timeoutMs)) throw new RingTimeout('executor ring: no acknowledgement of a chunk');
    }
  }

  /** Reads the message whose first chunk is present (state `chunk`); acknowledges further chunks with `ack`. */
  protected receive(chunk: number, ack: number, spinUs: number, timeoutMs: number): Reader {
    const ctl = this.ctl;
    const cap = this.data.byteLength;
    let n = ctl[1]!;
    if (n < 0 || n > cap) throw new AiosError('EINVAL', 'executor ring: bad chunk length');
    if (ctl[2] === 0) return new Reader(this.data.subarray(0, n));
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      parts.push(this.data.slice(0, n));
      total += n;
      if (ctl[2] === 0) break;
      Atomics.store(ctl, 0, ack);
      Atomics.notify(ctl, 0);
      if (!this.await(chunk, spinUs, timeoutMs)) throw new RingTimeout('executor ring: a chunked message stopped');
      n = ctl[1]!;
      if (n < 0 || n > cap) throw new AiosError('EINVAL', 'executor ring: bad chunk length');
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.byteLength;
    }
    return new Reader(out);
  }
}

/**
 * The worker's end. call() is synchronous: it sends a message and parks until the reply is there.
 * Only one call is in progress at a time (the worker is single-threaded).
 */
export class RingClient extends RingEnd {
  /** Sends the message in `w` (from begin()) and returns a reader over the reply; valid until the next call. */
  call(w: Writer): Reader {
    this.send(w, RING.UP, RING.UP_ACK, limits.EXEC_WORKER_SPIN_US, Infinity);
    return this.next();
  }

  /** Waits for the kernel's next message (a reply, or a call-in before it); valid until the next call. */
  next(): Reader {
    if (!this.await(RING.DOWN, limits.EXEC_WORKER_SPIN_US, Infinity)) throw new RingTimeout('executor ring closed');
    const r = this.receive(RING.DOWN, RING.DOWN_ACK, limits.EXEC_WORKER_SPIN_US, Infinity);
    // The reply may be a view of the ring: the reader is consumed before the next call writes here.
    // The kernel may be waiting to write its next message (after a call-in it answers twice in a row).
    Atomics.store(this.ctl, 0, RING.IDLE);
    Atomics.notify(this.ctl, 0);
    return r;
  }
}

/** The kernel thread's end: polls for a request, replies, and can wait for one asynchronously. */
export class RingServer extends RingEnd {
  /** The state value the latest waitAsync waits on (-1: none pending). */
  private armedAt = -1;
  private armGen = 0;

  /** The pending request, or null when there is none. Throws RingTimeout when a chunked request stalls. */
  poll(): Reader | null {
    if (Atomics.load(this.ctl, 0) !== RING.UP) return null;
    return this.receive(RING.UP, RING.UP_ACK, limits.EXEC_WORKER_SPIN_US, limits.EXEC_WATCHDOG_MS);
  }

  /**
   * Sends the reply in `w` (from begin()); the worker is parked on the ring, so chunk acknowledgements come
   * quickly. A previous message the worker has not taken yet (the ack of a call-in's LOADED, just before
   * the reply to the request the call-in came in front of) is waited for first.
   */
  reply(w: Writer): void {
    if (Atomics.load(this.ctl, 0) === RING.DOWN && !this.awaitNot(RING.DOWN)) throw new RingTimeout('executor ring: the worker does not take its replies');
    this.send(w, RING.DOWN, RING.DOWN_ACK, limits.EXEC_WORKER_SPIN_US, limits.EXEC_WATCHDOG_MS);
  }

  private awaitNot(state: number): boolean {
    const t0 = performance.now();
    for (;;) {
      const s = Atomics.load(this.ctl, 0);
      if (s !== state) return s !== RING.CLOSED;
      const left = limits.EXEC_WATCHDOG_MS - (performance.now() - t0);
      if (left <= 0) return false;
      Atomics.wait(this.ctl, 0, s, Math.min(left, 1));
    }
  }

  /** Blocks (the kernel thread) until a request is there or timeoutMs passes; true when one is. */
  waitRequest(timeoutMs: number): boolean {
    return this.await(RING.UP, 0, timeoutMs);
  }

  /**
   * Calls `fn` when the worker next writes to the ring (at once when a request is waiting). A new
   * Atomics.waitAsync is made whenever the state moved since the last one: a waiter that missed its wake
   * (seen on Node 20 when a waiter is made inside another's resolution) is then superseded, not relied on.
   * The pool also polls while work is in flight, so a lost wake costs at most a poll period.
   */
  arm(fn: () => void): void {
    const s = Atomics.load(this.ctl, 0);
    if (s === RING.CLOSED) return;
    if (s === RING.UP) {
      queueMicrotask(fn);
      return;
    }
    if (this.armedAt === s) return;
    this.armedAt = s;
    const gen = ++this.armGen;
    const r = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync(this.ctl, 0, s);
    const fire = (): void => {
      if (gen === this.armGen) this.armedAt = -1;
      if (Atomics.load(this.ctl, 0) !== RING.CLOSED) fn();
    };
    if (r.async) (r.value as Promise<string>).then(fire);
    else queueMicrotask(fire);
  }

  /** Closes the ring: a parked worker and a pending arm() wake up and see CLOSED. */
  close(): void {
    Atomics.store(this.ctl, 0, RING.CLOSED);
    Atomics.notify(this.ctl, 0);
  }
}
