// Loads the QuickJS WebAssembly module (quickjs-emscripten, release-sync build) ONCE per
// process, at import time; every agent gets its own runtime inside this one module.
// Trusts quickjs-emscripten; no I/O of ours (the library reads its .wasm file itself).

import { newQuickJSWASMModule, type QuickJSWASMModule } from 'quickjs-emscripten';

export const quickjs: QuickJSWASMModule = await newQuickJSWASMModule();
