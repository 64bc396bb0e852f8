// A QuickJS WebAssembly instance with its OWN linear memory, made synchronously from the module that is
// compiled once per process: the base of snapshot clones (snapshot.ts). It replaces Emscripten's JS glue
// (asynchronous, ~8 ms per instance) with the ~20 imports the release-sync build of quickjs-emscripten 0.32
// needs, written here by their minified names; `ownModulesAvailable` is false when the glue on disk is not
// the one this was written for (the domain then keeps to the shared heap). Trusts quickjs-emscripten.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { QuickJSWASMModule, RELEASE_SYNC } from 'quickjs-emscripten';
import type { HeapGuard } from './quickjs.ts';

const PAGE = 65536;
const LEAP = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335];
const NORMAL = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

interface WasmInstanceLike {
  exports: Record<string, (...a: number[]) => number>;
}
interface Wasm {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (m: unknown, imports: unknown) => WasmInstanceLike;
  Memory: new (d: { initial: number; maximum: number }) => WasmMemory;
}
export interface WasmMemory {
  grow(pages: number): number;
  readonly buffer: ArrayBuffer;
}
const WA = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** The glue's export names: `d._QTS_X=b.Y` pairs, and the four runtime helpers it keeps private. */
const HELPERS = 'wa=b.La;ua=b.Ma;Y=b.Na;ta=b.Oa';
/** The import object the glue hands the instance (checked against the glue text below). */
const IMPORTS_SIGNATURE = ['b:(a,c,b,e)=>N(`Assertion failed', 's:function(a,c,b,e,f){return d.callbacks.callFunction(void 0,a,c,b,e,f)}', 'i:function(a){return d.callbacks.shouldInterrupt(void 0,a)}', 't:function(a,c){d.callbacks.freeHostRef(void 0,a,c)}', 'Z.u();'];

interface Loaded {
  compiled: unknown;
  exportsByName: Map<string, string>;
  ffiClass: new (m: unknown) => unknown;
  memoryPages: number;
  /** The linear-memory stack's top (the stack pointer between calls), and where sbrk keeps the heap's top (0: unknown). */
  stackTop: number;
  sbrkAt: number;
}

/**
 * The layout recycling was written for (quickjs-emscripten 0.32 release-sync): data and bss below 128 KiB, a
 * 5 MiB stack growing down from 5,333,088, the heap from there up to sbrk's pointer (which never moves down:
 * dlmalloc here does not trim). Anything else: clones are not recycled.
 */
export const LAYOUT = { dataEnd: 128 * 1024, stackTop: 5333088 } as const;

/** Finds sbrk's pointer in a probe instance: the one word below dataEnd that follows an 8 MiB malloc and stays after free. */
function findSbrk(own: OwnModule & { exports: Record<string, (...a: number[]) => number> }, l: Loaded): number {
  const m = own.module as unknown as { module: { _malloc(n: number): number; _free(p: number): void } };
  const top = own.exports['Oa']!();
  const words = (): Int32Array => new Int32Array(own.memory.buffer, 0, LAYOUT.dataEnd / 4);
  const before = words().slice();
  const p = m.module._malloc(8 * 1024 * 1024);
  const after = words().slice();
  m.module._free(p);
  const freed = words();
  const hits: number[] = [];
  for (let i = 0; i < before.length; i++) {
    const b = before[i]!, a = after[i]!;
    if (b >= top && b < top + 65536 && a !== b && a >= p + 8 * 1024 * 1024 && freed[i] === a) hits.push(i * 4);
  }
  l.stackTop = top;
  return hits.length === 1 && top === LAYOUT.stackTop ? hits[0]! : 0;
}

const utf8d = new TextDecoder();
const utf8e = new TextEncoder();

/**
 * Own instances start with this many pages (5.5 MB: data, bss and the 5 MiB stack end at 5.33 MB; the heap grows
 * through emscripten_resize_heap as usual) instead of the build's 256 (16 MiB): V8 counts a memory's size as
 * external memory, so 16 MiB per clone drove garbage collections that 5.5 MB drives less often.
 */
const OWN_PAGES = 84;

/**
 * A copy of the module bytes whose memory import ("a"."a") declares OWN_PAGES as its minimum: the build's
 * limits {flags 1, min 256, max 32768} are patched in place (256 is two LEB128 bytes; OWN_PAGES is written as a
 * padded two-byte LEB128, which the format allows). Null when the import is not exactly the one expected.
 */
function lowerMinimum(wasm: Uint8Array): Uint8Array | null {
  let p = 8;
  const leb = (): number => {
    let r = 0, sh = 0, b: number;
    do {
      b = wasm[p++]!;
      r |= (b & 127) << sh;
      sh += 7;
    } while (b & 128);
    return r >>> 0;
  };
  const name = (): string => {
    const n = leb();
    p += n;
    return utf8d.decode(wasm.subarray(p - n, p));
  };
  while (p < wasm.length) {
    const id = wasm[p++]!;
    const size = leb();
    const end = p + size;
    if (id === 2) {
      for (let i = leb(); i > 0; i--) {
        const mod = name(), field = name(), kind = wasm[p++]!;
        if (kind === 0) leb();
        else if (kind === 2) {
          const want = [1, 0x80, 2, 0x80, 0x80, 2];
          if (mod !== 'a' || field !== 'a' || want.some((b, j) => wasm[p + j] !== b)) return null;
          const out = wasm.slice();
          out[p + 1] = 0x80 | (OWN_PAGES & 0x7f);
          out[p + 2] = OWN_PAGES >> 7;
          return out;
        } else return null;
      }
      return null;
    }
    p = end;
  }
  return null;
}

async function load(): Promise<Loaded | null> {
  try {
    const req = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
    const dir = req.resolve('@jitl/quickjs-wasmfile-release-sync/package.json').replace(/package\.json$/, 'dist/');
    const glue = readFileSync(dir + 'emscripten-module.mjs', 'utf8');
    if (!glue.includes(HELPERS) || IMPORTS_SIGNATURE.some((s) => !glue.includes(s))) return null;
    const exportsByName = new Map<string, string>();
    for (const m of glue.matchAll(/d\.(_[A-Za-z0-9_]+)=\s*b\.([A-Za-z_$]+);/g)) exportsByName.set(m[1]!, m[2]!);
    if (!exportsByName.has('_malloc') || !exportsByName.has('_free') || !exportsByName.has('_QTS_NewRuntime')) return null;
    const wasm = readFileSync(dir + 'emscripten-module.wasm');
    const lowered = lowerMinimum(wasm);
    const compiled = new WA.Module(lowered ?? wasm);
    const ffiMod = (await RELEASE_SYNC.importFFI()) as unknown as new (m: unknown) => unknown;
    const l: Loaded = { compiled, exportsByName, ffiClass: ffiMod, memoryPages: lowered ? OWN_PAGES : 256, stackTop: 0, sbrkAt: 0 };
    l.sbrkAt = findSbrk(make(l, 0, () => 0) as never, l);
    return l;
  } catch {
    return null;
  }
}

const loaded = await load();

/** True when own-memory instances can be made in this process (the glue is the one this file knows). */
export const ownModulesAvailable = loaded !== null;
/** True when an own instance can be reset and reused (the memory layout is the one LAYOUT describes). */
export const recyclingAvailable = loaded !== null && loaded.sbrkAt !== 0;


/** One QuickJS instance on its own memory; `module` is the library's module object over it. */
export interface OwnModule {
  readonly module: QuickJSWASMModule;
  readonly memory: WasmMemory;
  /** Sets the sandbox charged for this memory's growth (null: the host); returns the previous one. */
  chargeTo(g: HeapGuard | null): HeapGuard | null;
  /** The heap's top (sbrk's pointer); 0 when unknown. */
  heapTop(): number;
  /**
   * Host side of a recycle (the caller resets the memory): a new library module object (fresh callback maps:
   * no runtime or context wrapper of the previous sandbox is reachable), the stack pointer back at the
   * stack's top, no sandbox charged. Only between calls into the instance.
   */
  renew(): void;
}

/**
 * Instantiates the compiled module on a fresh memory of `bytes` (at least the module's minimum) and runs its
 * constructors, so the instance is as Emscripten's glue leaves it. Throws when own modules are unavailable or
 * the host cannot give the memory (the caller falls back to the shared heap).
 */
export function newOwnModule(bytes: number, wallClock: () => number): OwnModule {
  if (loaded === null) throw new Error('own QuickJS modules are not available');
  return make(loaded, bytes, wallClock);
}

function make(loaded: Loaded, bytes: number, wallClock: () => number): OwnModule {
  const pages = Math.max(loaded.memoryPages, Math.ceil(bytes / PAGE));
  const memory = new WA.Memory({ initial: pages, maximum: 32768 });
  let guard: HeapGuard | null = null;
  let u8 = new Uint8Array(memory.buffer);
  let i32 = new Int32Array(memory.buffer);
  const heap = (): Uint8Array => {
    if (u8.buffer !== memory.buffer) {
      u8 = new Uint8Array(memory.buffer);
      i32 = new Int32Array(memory.buffer);
    }
    return u8;
  };
  const I32 = (): Int32Array => (heap(), i32);
  const str = (p: number): string => {
    if (!p) return '';
    const h = heap();
    let e = p;
    while (h[e]) e++;
    return utf8d.decode(h.subarray(p, e));
  };
  const put = (s: string, p: number, max: number): number => {
    if (max <= 0) return 0;
    const { written } = utf8e.encodeInto(s, heap().subarray(p, Math.min(p + max - 1, memory.buffer.byteLength)));
    heap()[p + written] = 0;
    return written;
  };
  const lengthBytesUTF8 = (s: string): number => {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      n += c <= 0x7f ? 1 : c <= 0x7ff ? 2 : c >= 0xd800 && c <= 0xdfff ? (i++, 4) : 3;
    }
    return n;
  };
  const abort = (what: string): never => {
    throw new (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError(`Aborted(${what})`);
  };
  const env = ['USER=web_user', 'LOGNAME=web_user', 'PATH=/', 'PWD=/', 'HOME=/home/web_user', 'LANG=C.UTF-8', '_=./this.program'];
  // The module object the library reads: HEAP views, malloc/free, strings, cwrap, and the callbacks it installs.
  const d: Record<string, unknown> & { callbacks?: Record<string, (...a: unknown[]) => number> } = {};
  const imports: Record<string, unknown> = {
    a: memory,
    b: (a: number, c: number, b: number, e: number) => abort(`Assertion failed: ${str(a)}, at: ${str(c)},${b},${str(e)}`),
    q: () => abort(''),
    l: () => undefined,
    m: (t: bigint | number, p: number) => {
      const x = new Date(1000 * Number(t));
      const m = I32();
      m[p >> 2] = x.getSeconds(); m[(p + 4) >> 2] = x.getMinutes(); m[(p + 8) >> 2] = x.getHours(); m[(p + 12) >> 2] = x.getDate();
      m[(p + 16) >> 2] = x.getMonth(); m[(p + 20) >> 2] = x.getFullYear() - 1900; m[(p + 24) >> 2] = x.getDay();
      const start = new Date(x.getFullYear(), 0, 1);
      const y = x.getFullYear(), leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      m[(p + 28) >> 2] = ((leap ? LEAP : NORMAL)[x.getMonth()]! + x.getDate() - 1) | 0;
      m[(p + 36) >> 2] = -(60 * x.getTimezoneOffset());
      const jul = new Date(x.getFullYear(), 6, 1).getTimezoneOffset(), jan = start.getTimezoneOffset();
      m[(p + 32) >> 2] = Number(jul !== jan && x.getTimezoneOffset() === Math.min(jan, jul));
    },
    j: () => 0,
    n: (tz: number, dl: number, std: number, dst: number) => {
      const y = new Date().getFullYear(), jan = new Date(y, 0, 1).getTimezoneOffset(), jul = new Date(y, 6, 1).getTimezoneOffset();
      const m = I32();
      m[tz >> 2] = 60 * Math.max(jan, jul);
      m[dl >> 2] = Number(jan !== jul);
      const name = (o: number): string => { const a = Math.abs(o); return `UTC${o >= 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`; };
      if (jul < jan) { put(name(jan), std, 17); put(name(jul), dst, 17); } else { put(name(jan), dst, 17); put(name(jul), std, 17); }
    },
    // the C library's clock: the kernel's wall-clock port (no ambient time in the kernel)
    p: () => wallClock(),
    // emscripten_resize_heap: the glue's own over-growth policy (+20 %, then smaller steps), charged through grow().
    k: (req: number) => {
      const cur = memory.buffer.byteLength;
      req >>>= 0;
      if (req > 2147483648) return 0;
      for (let s = 1; s <= 4; s *= 2) {
        let want = cur * (1 + 0.2 / s);
        want = Math.min(want, req + 100663296);
        const n = ((Math.min(2147483648, PAGE * Math.ceil(Math.max(req, want) / PAGE)) - cur + 65535) / PAGE) | 0;
        try {
          if (guard !== null && !guard.grow(n * PAGE)) throw new RangeError('sandbox heap growth refused');
          memory.grow(n);
          heap();
          return 1;
        } catch {
          // a smaller step next
        }
      }
      return 0;
    },
    e: (a: number, c: number) => {
      let off = 0;
      env.forEach((s, i) => { I32()[(a + 4 * i) >> 2] = c + off; off += put(s, c + off, Infinity) + 1; });
      return 0;
    },
    f: (a: number, c: number) => {
      I32()[a >> 2] = env.length;
      I32()[c >> 2] = env.reduce((n, s) => n + lengthBytesUTF8(s) + 1, 0);
      return 0;
    },
    d: () => 52,
    o: () => 70,
    // fd_write: a sandbox has no stdout; the bytes are counted as written and dropped.
    c: (_fd: number, iov: number, n: number, pnum: number) => {
      let total = 0;
      for (let i = 0; i < n; i++) total += I32()[(iov + 8 * i + 4) >> 2]!;
      I32()[pnum >> 2] = total;
      return 0;
    },
    r: (code: number) => abort(`exit(${code})`),
    s: (a: number, c: number, b: number, e: number, f: number) => d.callbacks!['callFunction']!(undefined, a, c, b, e, f),
    i: (a: number) => d.callbacks!['shouldInterrupt']!(undefined, a),
    h: (a: number, c: number, b: number) => d.callbacks!['loadModuleSource']!(undefined, a, c, str(b)),
    g: (a: number, c: number, b: number, e: number) => d.callbacks!['normalizeModule']!(undefined, a, c, str(b), str(e)),
    t: (a: number, c: number) => void d.callbacks!['freeHostRef']!(undefined, a, c),
  };
  const inst = new WA.Instance(loaded.compiled, { a: imports });
  const x = inst.exports;
  for (const [name, letter] of loaded.exportsByName) d[name] = x[letter];
  const stackRestore = x['Ma']!, stackAlloc = x['Na']!, stackSave = x['Oa']!;
  Object.defineProperty(d, 'HEAPU8', { get: heap });
  Object.defineProperty(d, 'HEAP8', { get: () => new Int8Array(heap().buffer) });
  d['UTF8ToString'] = (p: number) => str(p);
  d['stringToUTF8'] = (s: string, p: number, max: number) => put(s, p, max);
  d['lengthBytesUTF8'] = lengthBytesUTF8;
  d['quickjsEmscriptenInit'] = () => ({ getWasmMemory: () => memory });
  d['cwrap'] = (name: string, ret: string | null, args: string[]) => {
    const fn = x[loaded.exportsByName.get('_' + name)!];
    if (fn === undefined) throw new Error(`no export ${name}`);
    if (ret !== 'string' && args.every((t) => t === 'number' || t === 'boolean')) return fn;
    return (...vals: unknown[]) => {
      const sp = stackSave();
      try {
        const conv = vals.map((v, i) => {
          if (args[i] !== 'string' || v === null || v === undefined || v === 0) return v as number;
          const s = String(v);
          const n = lengthBytesUTF8(s) + 1;
          const p = stackAlloc(n);
          put(s, p, n);
          return p;
        });
        const r = fn(...conv);
        return ret === 'string' ? str(r) : r;
      } finally {
        stackRestore(sp);
      }
    };
  };
  x['u']!();
  // the FFI object is stateless (cwraps over the exports); the module object holds the callback maps
  const ffi = new loaded.ffiClass(d);
  const Mod = QuickJSWASMModule as unknown as new (m: unknown, f: unknown) => QuickJSWASMModule;
  let module = new Mod(d, ffi);
  const sbrkAt = loaded.sbrkAt, top = loaded.stackTop;
  return {
    get module() {
      return module;
    },
    memory,
    exports: x,
    chargeTo(g) {
      const prev = guard;
      guard = g;
      return prev;
    },
    heapTop: () => (sbrkAt === 0 ? 0 : I32()[sbrkAt >> 2]! >>> 0),
    renew() {
      guard = null;
      delete d.callbacks;
      module = new Mod(d, ffi);
      if (top !== 0) stackRestore(top);
    },
  } as OwnModule;
}
