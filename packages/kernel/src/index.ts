// @aios/kernel: the mechanism. Hosts boot it with ports; agents reach it only through the gate.
export { Kernel } from './kernel.ts';
export type { KernelConfig } from './kernel.ts';
export { KernelHost, looksLikeSource } from './host.ts';
export type { ExitStatus, HostSpawnOptions } from './host.ts';
export { DeviceObject, ServiceObject, DEVICE_METHODS } from './dev/bus.ts';
export { TokenRegistry } from './cap/export.ts';
export { mintToken, verifyToken, decodeToken, TokenVerifyCache, MemoryUseCounter, TOKEN_PREFIX } from './cap/token.ts';
export type { TokenClaims, MintTokenInput, MintedToken, TokenGrant } from './cap/token.ts';
export type { TokenIssuer } from './cap/export.ts';
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
// Security libraries, for the node's wiring (apps/cli/src/security): hybrid keys, the persistent
// audit chain and its offline verification, the Cedar engine, attestation.
export {
  hybridKeygen, hybridSign, hybridVerify, encodePublicKey, decodePublicKey, keyId, HYBRID_PUBLIC_BYTES,
  sha256, toHex, fromHex, toBase64Url, fromBase64Url, utf8, canonicalJson,
} from './crypto/index.ts';
export type { HybridKeyPair, HybridPublicKey, HybridSecretKey } from './crypto/index.ts';
export {
  AuditChain, localSigner, offloadSigner, MemoryAuditSink, encodeEntry, entryShapeError, GENESIS_PREV,
  signCheckpoint, verifyCheckpoint, checkpointMessage, CHECKPOINT_EVERY_MS, CHECKPOINT_EVERY_RECORDS,
  verifyAuditLog, verifyAuditLines, verifyAuditInclusion, verifyCheckpointConsistency,
  MerkleTree, leafHash, verifyInclusion,
} from './audit/chain-api.ts';
export type {
  AuditEntry, SignedCheckpoint, AuditSink, AuditVerifyReport, AuditFault, AuditInclusionProof, AuditChainOptions,
  CheckpointSigner, PqcOffload,
} from './audit/chain-api.ts';
export {
  createPolicyEngine, resourcePolicy, schedulingPolicy, AIOS_SCHEMA, DEFAULT_POLICIES, POLICY_ACTIONS, PRIVILEGED_ACTIONS,
  RESOURCE_TYPES,
} from './policy/index.ts';
export type {
  PolicyEngine, AuthorizeRequest, PolicyDecision as CedarDecision, PolicyPrincipal as CedarPrincipal, PolicyResource,
  PolicyValue, ParsedPolicy, PolicyValidation, SchedulingPolicy, PolicyResourceType,
} from './policy/index.ts';
export { MeasurementRegisters, measure, replayEventLog, quote, verifyQuote, REGISTER_COUNT } from './attest/index.ts';
export type { MeasurementEvent, Quote, QuoteVerification } from './attest/index.ts';
export type { RemotePort, RemoteResolver } from './ipc/remote.ts';
export { REMOTE_ADDRESS_RE } from './ipc/remote.ts';
