// @aios/kernel: the mechanism. Hosts boot it with ports; agents reach it only through the gate.
export { Kernel } from './kernel.ts';
export type { KernelConfig } from './kernel.ts';
export { KernelHost, looksLikeSource } from './host.ts';
export type { ExitStatus, HostSpawnOptions } from './host.ts';
export { DeviceObject, DEVICE_METHODS } from './objects/device.ts';
export { ServiceObject } from './objects/service-object.ts';
export { TokenRegistry } from './cap/export.ts';
export { mintToken, verifyToken, decodeToken, TokenVerifyCache, MemoryUseCounter, TOKEN_PREFIX } from './cap/token.ts';
export type { TokenClaims, MintTokenInput, MintedToken, TokenGrant } from './cap/token.ts';
export type { TokenIssuer } from './cap/export.ts';
export type { KernelPorts, ClockPort, TimerPort, ImageLoaderPort, LoadedImage, OffloadPort } from './ports.ts';
export type { PolicyHook, PolicyRequest, PolicyDecision, PolicyPrincipal } from './policy/hook.ts';
export { allowAll } from './policy/hook.ts';
export { applySpawnDefaults } from './policy/spawn-defaults.ts';
export type { SpawnDefaults, SpawnDefaultsHook, SpawnDefaultsRequest } from './policy/spawn-defaults.ts';
export type { ExecutionDomain, AgentInstance, Gate, InstanceLimits, EntryInfo, ActivationKind } from './domain/types.ts';
export { TrapError } from './domain/types.ts';
export { createNativeDomain } from './domain/native.ts';
export { createWasmDomain } from './domain/wasm/index.ts';
export type { WasmDomainOptions } from './domain/wasm/index.ts';
export { runPqc } from './pqc/ops.ts';
export type { PqcResult } from './pqc/ops.ts';
export { KernelPanic } from './panic.ts';
// The crypto, audit-chain and attestation libraries live in @aios/trust (the kernel uses them; it does
// not re-export them: verifiers import @aios/trust without loading the kernel).
export {
  createPolicyEngine, resourcePolicy, schedulingPolicy, AIOS_SCHEMA, DEFAULT_POLICIES, POLICY_ACTIONS, PRIVILEGED_ACTIONS,
  RESOURCE_TYPES,
} from './policy/index.ts';
export type {
  PolicyEngine, AuthorizeRequest, PolicyDecision as CedarDecision, PolicyPrincipal as CedarPrincipal, PolicyResource,
  PolicyValue, ParsedPolicy, PolicyValidation, SchedulingPolicy, PolicyResourceType,
} from './policy/index.ts';
export type { RemotePort, RemoteResolver, RemoteTransfer, RemoteSpawner } from './ipc/remote.ts';
export { REMOTE_ADDRESS_RE, deriveRemoteGrant } from './ipc/remote.ts';
export type { CapNode, HandleOwner, KObject } from './cap/captree.ts';
