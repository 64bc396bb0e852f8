// Loads the QuickJS WebAssembly module (quickjs-emscripten, release-sync build) ONCE per
// process, at import time; every agent gets its own runtime inside this one module, on one shared
// wasm heap that we create, so its growth is capped (WASM_HEAP_MAX_BYTES) and charged to the
// sandbox that caused it (see HeapGuard). Trusts quickjs-emscripten; no I/O of ours.

import { newQuickJSWASMModule, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';
import { limits } from '@aios/abi';

const PAGE = 65536;

/**
 * Who pays for heap growth: the sandbox running when the heap must grow. QuickJS's own limit does
 * not see most of its memory under Emscripten (it cannot ask malloc for block sizes), so growth is
 * the host's ground truth: `grow(bytes)` returns false to refuse it (the sandbox's allocation
 * then fails with 'out of memory').
 */
export interface HeapGuard {
  grow(bytes: number): boolean;
}

let current: HeapGuard | null = null;

/** Sets the sandbox charged for growth from now on (null: the host itself); returns the previous one. */
export function chargeHeapTo(g: HeapGuard | null): HeapGuard | null {
  const prev = current;
  current = g;
  return prev;
}

interface WasmMemory {
  grow(pages: number): number;
  readonly buffer: ArrayBuffer;
}
// (the kernel's tsconfig has no DOM/wasm lib: the one constructor we need, typed here)
const Memory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory } }).WebAssembly.Memory;

/** The shared wasm heap of every sandbox in this process. */
export const wasmHeap = new Memory({ initial: 256, maximum: Math.floor(limits.WASM_HEAP_MAX_BYTES / PAGE) });
const realGrow = wasmHeap.grow.bind(wasmHeap);
// Emscripten grows the heap with `memory.grow(pages)` and treats a throw as "no memory".
Object.defineProperty(wasmHeap, 'grow', {
  value: (pages: number): number => {
    if (current !== null && !current.grow(pages * PAGE)) throw new RangeError('sandbox heap growth refused');
    return realGrow(pages);
  },
});

export const quickjs: QuickJSWASMModule = await newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory: wasmHeap as never }));
