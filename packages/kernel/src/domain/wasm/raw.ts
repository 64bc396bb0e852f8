// The syscall fast path's direct access to the QuickJS FFI (quickjs-emscripten 0.32, pinned): values are read
// and made by pointer, with no Lifetime, Scope or generator per value. Trusts the library's FFI contract:
// a JSValue* we return from a host call is owned by QuickJS (it frees the pointer); QTS_GetArrayBuffer returns a
// malloc'd copy we free; QTS_NewArrayBuffer takes ownership of a malloc'd buffer.

import type { QuickJSContext } from 'quickjs-emscripten';

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

/** Raw value access for one context. Throws Error('out of memory') when the wasm heap cannot give a buffer. */
export class RawContext {
  private readonly ffi: Ffi;
  private readonly mod: EmModule;
  readonly ptr: Ptr;
  private readonly internals: Internals;
  /** Number keys 0..7 for array elements, made once (freed by dispose). */
  private readonly keys: Ptr[] = [];

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

  /** A fresh host copy of an ArrayBuffer argument. */
  bytes(v: Ptr): Uint8Array {
    const n = this.ffi.QTS_GetArrayBufferLength(this.ptr, v);
    const p = this.ffi.QTS_GetArrayBuffer(this.ptr, v);
    if (p === 0) {
      if (n === 0) return new Uint8Array(0);
      throw new Error('out of memory');
    }
    try {
      return this.mod.HEAPU8.slice(p, p + n);
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

  free(p: Ptr): void {
    this.ffi.QTS_FreeValuePointer(this.ptr, p);
  }

  /** Frees the cached keys (numbers hold no memory in QuickJS; only the pointers are freed). Before the context goes. */
  dispose(): void {
    for (const k of this.keys) if (k) this.ffi.QTS_FreeValuePointer(this.ptr, k);
    this.keys.length = 0;
  }
}
