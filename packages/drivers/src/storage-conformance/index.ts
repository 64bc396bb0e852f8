// Public surface of the storage conformance suite (test-only code; imports vitest).
export { runStorageConformance } from './conformance.ts';
export type { StorageFactory } from './conformance.ts';
