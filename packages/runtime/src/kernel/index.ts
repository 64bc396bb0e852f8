// @aios/runtime/kernel: the syscall stubs. stubs.gen.ts is generated from the abi
// table and is itself the explicit export list (one function per syscall).
export * from './stubs.gen.ts';
export { bound } from './trap.ts';
export { AiosError, Rights, Perm } from '@aios/abi';
