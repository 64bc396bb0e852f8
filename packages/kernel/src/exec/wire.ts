// The executor wire: a compact binary encoding of syscall arguments, results and errors between the
// kernel thread and an executor worker. Bytes travel as bytes (no JSON, no base64). Both ends are ours,
// but the worker hosts untrusted sandboxes, so decode() checks every length and tag and never throws
// anything but AiosError EINVAL.

import { AiosError, isErrorCode } from '@aios/abi';
import { TrapError } from '../domain/types.ts';

const T = { undef: 0, nul: 1, fals: 2, tru: 3, int: 4, f64: 5, str: 6, bytes: 7, arr: 8, obj: 9, big: 10 } as const;
/** Deepest nesting the wire carries (the sandbox codec allows 64 on the way in; deeper is a bug or a cycle). */
const MAX_DEPTH = 64;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A growable byte writer; reset() keeps its buffer, so steady-state encoding allocates nothing. */
export class Writer {
  buf: Uint8Array<ArrayBufferLike> = new Uint8Array(4096);
  view: DataView<ArrayBufferLike> = new DataView(this.buf.buffer);
  len = 0;

  reset(): this {
    this.len = 0;
    return this;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  raw(b: Uint8Array): void {
    this.room(b.byteLength);
    this.buf.set(b, this.len);
    this.len += b.byteLength;
  }

  str(s: string): void {
    // at most 3 bytes per UTF-16 unit
    this.room(4 + s.length * 3);
    const r = enc.encodeInto(s, this.buf.subarray(this.len + 4));
    this.view.setUint32(this.len, r.written, true);
    this.len += 4 + r.written;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Appends one value. Throws AiosError EINVAL for what cannot cross (functions, symbols, non-Uint8Array views, cycles). */
export function writeValue(w: Writer, v: unknown, depth = 0): void {
  switch (typeof v) {
    case 'undefined':
      return w.u8(T.undef);
    case 'boolean':
      return w.u8(v ? T.tru : T.fals);
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
        w.u8(T.int);
        return w.u32(v >>> 0);
      }
      w.u8(T.f64);
      return w.f64(v);
    case 'string':
      w.u8(T.str);
      return w.str(v);
    case 'bigint':
      w.u8(T.big);
      return w.str(v.toString());
    case 'object': {
      if (v === null) return w.u8(T.nul);
      if (depth >= MAX_DEPTH) throw new AiosError('EINVAL', `value nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
      if (v instanceof Uint8Array) {
        w.u8(T.bytes);
        w.u32(v.byteLength);
        return w.raw(v);
      }
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw new AiosError('EINVAL', 'binary data must be a Uint8Array');
      if (Array.isArray(v)) {
        w.u8(T.arr);
        w.u32(v.length);
        for (let i = 0; i < v.length; i++) writeValue(w, v[i], depth + 1);
        return;
      }
      const keys = Object.keys(v);
      w.u8(T.obj);
      w.u32(keys.length);
      for (const k of keys) {
        w.str(k);
        writeValue(w, (v as Record<string, unknown>)[k], depth + 1);
      }
      return;
    }
    default:
      throw new AiosError('EINVAL', `a ${typeof v} cannot cross to an executor`);
  }
}

/** A reader over one message; every read checks the bounds (EINVAL on a short or malformed message). */
export class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.byteLength) throw new AiosError('EINVAL', 'malformed executor message (short)');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const s = dec.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  /** A reader over a private copy of the rest of this message (the ring's memory is about to be reused). */
  detach(): Reader {
    return new Reader(this.buf.slice(this.pos));
  }

  /** A copy of the next n bytes (the ring's memory is reused by the next message). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  value(depth = 0): unknown {
    if (depth > MAX_DEPTH) throw new AiosError('EINVAL', 'malformed executor message (too deep)');
    const tag = this.u8();
    switch (tag) {
      case T.undef:
        return undefined;
      case T.nul:
        return null;
      case T.fals:
        return false;
      case T.tru:
        return true;
      case T.int:
        return this.u32() | 0;
      case T.f64:
        return this.f64();
      case T.str:
        return this.str();
      case T.big:
        return BigInt(this.str());
      case T.bytes:
        return this.bytes(this.u32());
      case T.arr: {
        const n = this.u32();
        // every element takes at least one byte: a bogus count fails before allocating
        this.need(n);
        const out: unknown[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
        return out;
      }
      case T.obj: {
        const n = this.u32();
        this.need(n);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.str();
          const v = this.value(depth + 1);
          if (k !== '__proto__') out[k] = v;
        }
        return out;
      }
      default:
        throw new AiosError('EINVAL', `malformed executor message (tag ${tag})`);
    }
  }
}

/**
 * Appends an error so that the other side rebuilds the same thing: AiosError (code, message, detail),
 * TrapError (kind, message, stack), or any other error as its name and message.
 */
export function writeError(w: Writer, e: unknown): void {
  if (e instanceof AiosError) {
    w.u8(1);
    w.str(e.code);
    w.str(e.message);
    try {
      const mark = w.len;
      try {
        writeValue(w, e.detail);
      } catch {
        w.len = mark;
        w.u8(T.undef);
      }
    } catch {
      w.u8(T.undef);
    }
    return;
  }
  if (e instanceof TrapError) {
    w.u8(2);
    w.str(e.kind);
    w.str(e.message);
    w.str(e.stack ?? '');
    return;
  }
  const err = e instanceof Error ? e : null;
  w.u8(3);
  w.str(err?.name ?? 'Error');
  w.str(err ? err.message : String(e));
  w.str(err?.stack ?? '');
}

export function readError(r: Reader): Error {
  const kind = r.u8();
  if (kind === 1) {
    const code = r.str();
    const message = r.str();
    const detail = r.value();
    if (!isErrorCode(code)) return new AiosError('EINVAL', message);
    return new AiosError(code, message, detail as Record<string, unknown> | undefined);
  }
  if (kind === 2) {
    const trapKind = r.str();
    const message = r.str();
    const stack = r.str();
    return new TrapError(trapKind as TrapError['kind'], message, stack === '' ? undefined : stack);
  }
  if (kind !== 3) throw new AiosError('EINVAL', 'malformed executor message (error kind)');
  const name = r.str();
  const message = r.str();
  const stack = r.str();
  const err = new Error(message);
  err.name = name;
  if (stack !== '') err.stack = stack;
  return err;
}
