// @aios/kernel: the mechanism. Hosts boot it with ports; agents reach it only through the gate.
export { Kernel } from './kernel.ts';
export type { KernelConfig } from './kernel.ts';
export { KernelHost, looksLikeSource } from './host.ts';
export type { ExitStatus } from './host.ts';
export type { KernelPorts, ClockPort, TimerPort, ImageLoaderPort, LoadedImage, OffloadPort } from './ports.ts';
export type { PolicyHook, PolicyRequest, PolicyDecision, PolicyPrincipal } from './policy/hook.ts';
export { allowAll } from './policy/hook.ts';
export type { ExecutionDomain, AgentInstance, Gate, InstanceLimits, EntryInfo, ActivationKind } from './domain/types.ts';
export { TrapError } from './domain/types.ts';
export { createNativeDomain } from './domain/native.ts';
export { createWasmDomain } from './domain/wasm/index.ts';
export type { WasmDomainOptions } from './domain/wasm/index.ts';
export { runPqc } from './pqc/ops.ts';
export type { PqcResult } from './pqc/ops.ts';
export { KernelPanic } from './panic.ts';
