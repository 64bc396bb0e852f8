// @aios/kernel wasm domain: agents' bundled JavaScript in QuickJS/WebAssembly sandboxes.
export { createWasmDomain } from './domain.ts';
export type { WasmDomain, WasmDomainOptions } from './domain.ts';
