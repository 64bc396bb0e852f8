// The syscall fast path's direct access to the QuickJS FFI (quickjs-emscripten 0.32, pinned): values are read
// and made by pointer, with no Lifetime, Scope or generator per value. Trusts the library's FFI contract:
// a JSValue* we return from a host call is owned by QuickJS (it frees the pointer); QTS_GetArrayBuffer returns a
// malloc'd copy we free; QTS_NewArrayBuffer takes ownership of a malloc'd buffer.

import type { QuickJSContext } from 'quickjs-emscripten';
import { AiosError } from '@aios/abi';
import { copyPayload } from '../../ipc/mailbox.ts';

type Ptr = number;

interface Ffi {
  QTS_ArgvGetJSValueConstPointer(argv: Ptr, i: number): Ptr;
  QTS_GetFloat64(ctx: Ptr, v: Ptr): number;
  QTS_NewFloat64(ctx: Ptr, n: number): Ptr;
  QTS_GetString(ctx: Ptr, v: Ptr): Ptr;
  QTS_FreeCString(ctx: Ptr, s: Ptr): void;
  QTS_NewString(ctx: Ptr, s: Ptr): Ptr;
  QTS_GetArrayBuffer(ctx: Ptr, v: Ptr): Ptr;
  QTS_GetArrayBufferLength(ctx: Ptr, v: Ptr): number;
  QTS_NewArrayBuffer(ctx: Ptr, buf: Ptr, len: number): Ptr;
  QTS_NewArray(ctx: Ptr): Ptr;
  QTS_SetProp(ctx: Ptr, obj: Ptr, key: Ptr, value: Ptr): void;
  QTS_FreeValuePointer(ctx: Ptr, v: Ptr): void;
  QTS_Throw(ctx: Ptr, v: Ptr): Ptr;
  QTS_NewObject(ctx: Ptr): Ptr;
  QTS_GetTrue(): Ptr;
  QTS_GetFalse(): Ptr;
  QTS_GetNull(): Ptr;
  QTS_GetUndefined(): Ptr;
  QTS_DupValuePointer(ctx: Ptr, v: Ptr): Ptr;
  QTS_Call(ctx: Ptr, fn: Ptr, thisPtr: Ptr, argc: number, argvPtrs: Ptr): Ptr;
  QTS_ResolveException(ctx: Ptr, v: Ptr): Ptr;
  QTS_IsJobPending(rt: Ptr): number;
  QTS_ExecutePendingJob(rt: Ptr, max: number, lastCtxOut: Ptr): Ptr;
  QTS_FreeValuePointerRuntime(rt: Ptr, v: Ptr): void;
  QTS_Typeof(ctx: Ptr, v: Ptr): Ptr;
}

interface EmModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): Ptr;
  _free(p: Ptr): void;
  UTF8ToString(p: Ptr): string;
}

/** The host callback signature of the library's context callbacks (C -> host function call). */
export type HostCall = (ctx: Ptr, thisPtr: Ptr, argc: number, argv: Ptr, fnId: number) => Ptr;

interface Internals {
  ffi: Ffi;
  module: EmModule;
  ctx: { value: Ptr };
  cToHostCallbacks: { callFunction: HostCall };
  memory: { heapValueHandle(p: Ptr): unknown };
}

const utf8 = new TextEncoder();

/** Strings (keys and short values) kept as sandbox values per context, so a repeated key costs no allocation. */
const CACHED_MAX = 256;
const CACHED_LEN = 32;
/** Deepest host value built directly in the sandbox (as encodeForSandbox's default). */
const BUILD_DEPTH = 64;
/** Arguments a raw call can pass (the JSON wire maker: text, fixups and the buffers of one value). */
const ARGV_SLOTS = 64;

function tooBig(): never {
  throw new AiosError('EMSGSIZE', 'value too large to cross the syscall boundary');
}

/** True when a C string carries s exactly: no U+0000 (it would end it) and no lone surrogate (UTF-8 has none). */
function exact(s: string): boolean {
  return !s.includes('\0') && (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Heap pointers a RawContext holds (see RawContext.state). */
export interface RawState {
  readonly keys: readonly Ptr[];
  readonly strings: readonly (readonly [string, Ptr])[];
  readonly argvSlot: Ptr;
  readonly slot: Ptr;
  readonly u8Fn: Ptr;
}

/** Thrown by build() for a value it cannot make directly (a string with U+0000 or a lone surrogate): use JSON. */
export class NotRaw extends Error {}

/** Raw value access for one context. Throws Error('out of memory') when the wasm heap cannot give a buffer. */
export class RawContext {
  private readonly ffi: Ffi;
  private readonly mod: EmModule;
  readonly ptr: Ptr;
  private readonly internals: Internals;
  /** Number keys 0..7 for array elements, made once (freed by dispose). */
  private readonly keys: Ptr[] = [];
  private readonly strings = new Map<string, Ptr>();
  /** Pointer slots for QTS_Call's argument list, and for the job runner's context out-pointer (malloc'd on first use). */
  private argvSlot = 0;
  private slot = 0;
  /** The prelude's make-a-Uint8Array(buffer) function (borrowed JSValue*), once the prelude gave it. */
  private u8Fn = 0;

  constructor(ctx: QuickJSContext) {
    const i = ctx as unknown as Internals;
    if (typeof i.ffi?.QTS_GetFloat64 !== 'function' || typeof i.module?._malloc !== 'function' || typeof i.cToHostCallbacks?.callFunction !== 'function' || typeof i.memory?.heapValueHandle !== 'function') {
      throw new Error('quickjs-emscripten internals are not the ones the wasm domain was written for (0.32)');
    }
    this.internals = i;
    this.ffi = i.ffi;
    this.mod = i.module;
    this.ptr = i.ctx.value;
  }

  /** Replaces the context's host-call callback; returns the library's own (for calls the fast path passes on). */
  hook(fast: (argc: number, argv: Ptr, slow: () => Ptr) => Ptr): void {
    const cbs = this.internals.cToHostCallbacks;
    const slow = cbs.callFunction;
    cbs.callFunction = (ctx, thisPtr, argc, argv, fnId) => fast(argc, argv, () => slow(ctx, thisPtr, argc, argv, fnId));
  }

  /** Wraps an owned JSValue* into a library handle (for the library's own calls). */
  handle<T>(p: Ptr): T {
    return this.internals.memory.heapValueHandle(p) as T;
  }

  arg(argv: Ptr, i: number): Ptr {
    return this.ffi.QTS_ArgvGetJSValueConstPointer(argv, i);
  }

  /** A number argument (the prelude passes numbers only where it reads them). */
  num(v: Ptr): number {
    return this.ffi.QTS_GetFloat64(this.ptr, v);
  }

  str(v: Ptr): string {
    const s = this.ffi.QTS_GetString(this.ptr, v);
    if (s === 0) throw new Error('out of memory');
    try {
      return this.mod.UTF8ToString(s);
    } finally {
      this.ffi.QTS_FreeCString(this.ptr, s);
    }
  }

  bytesLength(v: Ptr): number {
    return this.ffi.QTS_GetArrayBufferLength(this.ptr, v);
  }

  /**
   * A host copy of an ArrayBuffer argument, private to the host (the sandbox never sees it change). Small ones are
   * copied into the kernel's payload slabs (ipc/mailbox.ts copyPayload: written once, never reused) rather than a
   * fresh ArrayBuffer each: V8 spends ~0.35 us allocating a 1 KiB buffer, the slab copy ~0.05 us.
   */
  bytes(v: Ptr, length?: number): Uint8Array {
    const n = length ?? this.ffi.QTS_GetArrayBufferLength(this.ptr, v);
    const p = this.ffi.QTS_GetArrayBuffer(this.ptr, v);
    if (p === 0) {
      if (n === 0) return new Uint8Array(0);
      throw new Error('out of memory');
    }
    try {
      return copyPayload(this.mod.HEAPU8.subarray(p, p + n));
    } finally {
      this.mod._free(p);
    }
  }

  newNumber(n: number): Ptr {
    return this.ffi.QTS_NewFloat64(this.ptr, n);
  }

  /** A sandbox string; the text must hold no U+0000 (JSON text never does). */
  newString(s: string): Ptr {
    const max = s.length * 3 + 1;
    const p = this.mod._malloc(max);
    if (p === 0) throw new Error('out of memory');
    try {
      const heap = this.mod.HEAPU8;
      const { written } = utf8.encodeInto(s, heap.subarray(p, p + max - 1));
      heap[p + written] = 0;
      return this.ffi.QTS_NewString(this.ptr, p);
    } finally {
      this.mod._free(p);
    }
  }

  /**
   * A copy of an ArrayBuffer argument in `into` when it fits (else in a fresh buffer): a view of its first bytes, which
   * the caller must be done with before `into` is used again (the scratch of IPCSendMany's packed list).
   */
  bytesInto(v: Ptr, length: number, into: Uint8Array): Uint8Array {
    const p = this.ffi.QTS_GetArrayBuffer(this.ptr, v);
    if (p === 0) {
      if (length === 0) return into.subarray(0, 0);
      throw new Error('out of memory');
    }
    try {
      const src = this.mod.HEAPU8.subarray(p, p + length);
      if (length > into.length) return new Uint8Array(src);
      into.set(src);
      return into.subarray(0, length);
    } finally {
      this.mod._free(p);
    }
  }

  /** One sandbox ArrayBuffer holding the parts one after another (`total` bytes in all), copied once. */
  newBytesOf(parts: readonly Uint8Array[], total: number): Ptr {
    const p = this.mod._malloc(Math.max(1, total));
    if (p === 0) throw new Error('out of memory');
    const heap = this.mod.HEAPU8;
    let o = p;
    for (const b of parts) {
      heap.set(b, o);
      o += b.length;
    }
    return this.ffi.QTS_NewArrayBuffer(this.ptr, p, total);
  }

  newBytes(b: Uint8Array): Ptr {
    const p = this.mod._malloc(Math.max(1, b.byteLength));
    if (p === 0) throw new Error('out of memory');
    this.mod.HEAPU8.set(b, p);
    return this.ffi.QTS_NewArrayBuffer(this.ptr, p, b.byteLength);
  }

  /** An array of the given owned values (consumed). */
  newArray(items: Ptr[]): Ptr {
    const arr = this.ffi.QTS_NewArray(this.ptr);
    for (let i = 0; i < items.length; i++) {
      const k = i < 8 ? (this.keys[i] ??= this.newNumber(i)) : this.newNumber(i);
      this.ffi.QTS_SetProp(this.ptr, arr, k, items[i]!);
      this.ffi.QTS_FreeValuePointer(this.ptr, items[i]!);
      if (i >= 8) this.ffi.QTS_FreeValuePointer(this.ptr, k);
    }
    return arr;
  }

  /** Throws the error handle's value in the sandbox: the host call's result. */
  throwValue(errPtr: Ptr): Ptr {
    return this.ffi.QTS_Throw(this.ptr, errPtr);
  }

  /** An owned copy of a value (a borrowed JSValue*). */
  dup(p: Ptr): Ptr {
    return this.ffi.QTS_DupValuePointer(this.ptr, p);
  }

  /** An owned sandbox string, from the per-context cache when it is short. */
  string(s: string): Ptr {
    const c = this.cached(s);
    return c !== 0 ? this.ffi.QTS_DupValuePointer(this.ptr, c) : this.newString(s);
  }

  hasJobs(rt: Ptr): boolean {
    return this.ffi.QTS_IsJobPending(rt) !== 0;
  }

  /**
   * Runs the runtime's pending jobs until none is left or one throws: 0, or the thrown value (owned, of this
   * context). The job's context pointer is read from the heap after the call (the library reads it through a view
   * that goes stale when the heap grew meanwhile).
   */
  runJobs(rt: Ptr): Ptr {
    if (this.slot === 0) {
      this.slot = this.mod._malloc(4);
      if (this.slot === 0) throw new Error('out of memory');
    }
    const heap = this.mod.HEAPU8;
    heap[this.slot] = heap[this.slot + 1] = heap[this.slot + 2] = heap[this.slot + 3] = 0;
    const v = this.ffi.QTS_ExecutePendingJob(rt, -1, this.slot);
    const h = this.mod.HEAPU8;
    const ctx = (h[this.slot]! | (h[this.slot + 1]! << 8) | (h[this.slot + 2]! << 16) | (h[this.slot + 3]! << 24)) >>> 0;
    if (ctx === 0) {
      this.ffi.QTS_FreeValuePointerRuntime(rt, v);
      return 0;
    }
    if (ctx !== this.ptr) {
      // (one context per runtime: a job of another context is not ours to read)
      this.ffi.QTS_FreeValuePointerRuntime(rt, v);
      return 0;
    }
    const t = this.ffi.QTS_Typeof(this.ptr, v);
    const isNumber = this.mod.UTF8ToString(t) === 'number';
    this.mod._free(t);
    if (isNumber) {
      this.ffi.QTS_FreeValuePointer(this.ptr, v);
      return 0;
    }
    return v;
  }

  /** An owned undefined value. */
  undefinedValue(): Ptr {
    return this.ffi.QTS_DupValuePointer(this.ptr, this.ffi.QTS_GetUndefined());
  }

  free(p: Ptr): void {
    this.ffi.QTS_FreeValuePointer(this.ptr, p);
  }

  /** Sets the prelude's function that wraps an ArrayBuffer into a Uint8Array (a JSValue* kept alive by the caller). */
  setU8Maker(fn: Ptr): void {
    this.u8Fn = fn;
  }

  /** The pointers this context keeps in the heap (cached keys and strings, slots, the maker): a snapshot's part. */
  state(): RawState {
    return { keys: [...this.keys], strings: [...this.strings], argvSlot: this.argvSlot, slot: this.slot, u8Fn: this.u8Fn };
  }

  /** Takes over the state of a context whose heap this one's is a byte-for-byte copy of (a snapshot clone). */
  adopt(st: RawState): void {
    this.keys.length = 0;
    this.keys.push(...st.keys);
    this.strings.clear();
    for (const [k, p] of st.strings) this.strings.set(k, p);
    this.argvSlot = st.argvSlot;
    this.slot = st.slot;
    this.u8Fn = st.u8Fn;
  }

  /**
   * Makes a host value directly as a sandbox value (objects, arrays, numbers, strings, Uint8Arrays), with the
   * same limits as encodeForSandbox: EINVAL for what cannot cross, EMSGSIZE past `maxSize`. Throws NotRaw
   * for a string that only JSON carries exactly. Returns an owned JSValue*.
   */
  build(v: unknown, maxSize: number): Ptr {
    return this.make(v, 0, { left: maxSize });
  }

  private make(v: unknown, depth: number, budget: { left: number }): Ptr {
    const f = this.ffi;
    if ((budget.left -= 16) < 0) tooBig();
    switch (typeof v) {
      case 'number':
        return f.QTS_NewFloat64(this.ptr, v);
      case 'bigint':
        return f.QTS_NewFloat64(this.ptr, Number(v));
      case 'boolean':
        return f.QTS_DupValuePointer(this.ptr, v ? f.QTS_GetTrue() : f.QTS_GetFalse());
      case 'undefined':
        return f.QTS_DupValuePointer(this.ptr, f.QTS_GetUndefined());
      case 'string': {
        if ((budget.left -= v.length) < 0) tooBig();
        const c = this.cached(v);
        if (c !== 0) return f.QTS_DupValuePointer(this.ptr, c);
        if (!exact(v)) throw new NotRaw();
        return this.newString(v);
      }
      case 'object': {
        if (v === null) return f.QTS_DupValuePointer(this.ptr, f.QTS_GetNull());
        if (depth >= BUILD_DEPTH) throw new AiosError('EINVAL', `value nested deeper than ${BUILD_DEPTH} levels (or cyclic)`);
        if (v instanceof Uint8Array) {
          if ((budget.left -= v.byteLength) < 0) tooBig();
          return this.newU8(v);
        }
        if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw new AiosError('EINVAL', 'binary data must be a Uint8Array');
        const box = Array.isArray(v) ? f.QTS_NewArray(this.ptr) : f.QTS_NewObject(this.ptr);
        try {
          if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
              const k = i < 8 ? (this.keys[i] ??= this.newNumber(i)) : this.newNumber(i);
              this.put(box, k, this.make(v[i], depth + 1, budget));
              if (i >= 8) f.QTS_FreeValuePointer(this.ptr, k);
            }
          } else {
            for (const key of Object.keys(v)) {
              if (key === '__proto__') continue;
              if ((budget.left -= key.length) < 0) tooBig();
              const item = (v as Record<string, unknown>)[key];
              if (item === undefined) continue;
              let k = this.cached(key);
              const own = k === 0;
              if (own) {
                if (!exact(key)) throw new NotRaw();
                k = this.newString(key);
              }
              try {
                this.put(box, k, this.make(item, depth + 1, budget));
              } finally {
                if (own) f.QTS_FreeValuePointer(this.ptr, k);
              }
            }
          }
        } catch (e) {
          f.QTS_FreeValuePointer(this.ptr, box);
          throw e;
        }
        return box;
      }
      default:
        throw new AiosError('EINVAL', `a ${typeof v} cannot cross the syscall boundary`);
    }
  }

  /** Sets box[key] = value and frees the value pointer. */
  private put(box: Ptr, key: Ptr, value: Ptr): void {
    this.ffi.QTS_SetProp(this.ptr, box, key, value);
    this.ffi.QTS_FreeValuePointer(this.ptr, value);
  }

  /** A borrowed sandbox string for a short, well-formed string (made once per context), or 0. */
  private cached(s: string): Ptr {
    if (s.length > CACHED_LEN) return 0;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size >= CACHED_MAX || !exact(s)) return 0;
    const p = this.newString(s);
    this.strings.set(s, p);
    return p;
  }

  /** A Uint8Array in the sandbox holding a copy of b (through the prelude's maker). */
  private newU8(b: Uint8Array): Ptr {
    if (this.u8Fn === 0) throw new Error('the prelude has not handed over its Uint8Array maker yet');
    return this.call(this.u8Fn, [this.newBytes(b)]);
  }

  /**
   * Calls a sandbox function (a borrowed JSValue*) with owned argument values, which it consumes. Returns the
   * owned result; a sandbox exception (the makers throw only when memory runs out) is an Error('out of memory').
   */
  call(fn: Ptr, args: Ptr[]): Ptr {
    const [ok, r] = this.tryCall(fn, args);
    if (!ok) {
      this.ffi.QTS_FreeValuePointer(this.ptr, r);
      throw new Error('out of memory');
    }
    return r;
  }

  /** As call(), but a sandbox exception comes back as [false, the thrown value (owned)]. */
  tryCall(fn: Ptr, args: Ptr[]): [boolean, Ptr] {
    try {
      if (this.argvSlot === 0) {
        this.argvSlot = this.mod._malloc(4 * ARGV_SLOTS);
        if (this.argvSlot === 0) throw new Error('out of memory');
      }
      const argv = args.length <= ARGV_SLOTS ? this.argvSlot : this.mod._malloc(4 * args.length);
      if (argv === 0) throw new Error('out of memory');
      const heap = this.mod.HEAPU8;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        const at = argv + 4 * i;
        heap[at] = a & 255;
        heap[at + 1] = (a >>> 8) & 255;
        heap[at + 2] = (a >>> 16) & 255;
        heap[at + 3] = a >>> 24;
      }
      const r = this.ffi.QTS_Call(this.ptr, fn, this.ffi.QTS_GetUndefined(), args.length, argv);
      if (argv !== this.argvSlot) this.mod._free(argv);
      const err = this.ffi.QTS_ResolveException(this.ptr, r);
      if (err !== 0) {
        this.ffi.QTS_FreeValuePointer(this.ptr, r);
        return [false, err];
      }
      return [true, r];
    } finally {
      for (const a of args) this.ffi.QTS_FreeValuePointer(this.ptr, a);
    }
  }

  /** Frees the cached keys (numbers hold no memory in QuickJS; only the pointers are freed). Before the context goes. */
  dispose(): void {
    for (const k of this.keys) if (k) this.ffi.QTS_FreeValuePointer(this.ptr, k);
    this.keys.length = 0;
    for (const p of this.strings.values()) this.ffi.QTS_FreeValuePointer(this.ptr, p);
    this.strings.clear();
    if (this.argvSlot !== 0) this.mod._free(this.argvSlot);
    if (this.slot !== 0) this.mod._free(this.slot);
    this.argvSlot = this.slot = 0;
    this.u8Fn = 0;
  }
}
