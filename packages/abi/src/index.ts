// @aios/abi: the contract between kernel, runtime, services and tools. Imports nothing.
export { AiosError, ERROR_CODES, EXIT_CODE_BY_CATEGORY, HTTP_STATUS_BY_CODE, isAiosError, isErrorCode, einval, hasCode } from './errors.ts';
export type { ErrorCategory, ErrorCode, ErrorCodeInfo, ErrorDetail, AiosErrorJSON } from './errors.ts';
export * as limits from './limits.ts';
export { trustScore, PROVENANCE_BASE } from './trust.ts';
export type { CodeProvenance } from './trust.ts';
export { Rights, RIGHT_NAMES, ALL_RIGHTS, PRIVILEGES, DEFAULT_RIGHTS, SELF_BASE_RIGHTS, Perm, rightsToNames, parseRights, parsePerms } from './rights.ts';
export type { RightName, Privilege, ObjectType } from './rights.ts';
export { SYSCALLS, SYSCALL_BY_NAME, SYSCALL_BY_NR, NR } from './syscalls.ts';
export type { SyscallRow, SyscallParam, SyscallKind, SyscallName, SyscallNumbers } from './syscalls.ts';
export { PQC_OPS } from './types.ts';
export type {
  Handle, Ticket, VAddr, AgentId, Domain, AgentImage, AgentState, SchedHint, Quotas, SpawnOptions, Message,
  SendOptions, IntentManifest, AgentManifest, AgentInfo, ExitNotice, TrapKind, TrapInfo, AuditRecord, KernelEvent,
  PqcOp, CapInfo, CapDeriveOptions, SelfInfo, SchedParams,
} from './types.ts';
export type { CheckpointStorePort, JournalPort, KernelPorts, ClockPort, TimerPort, ImageLoaderPort, LoadedImage, LoadRequest, OffloadPort, TraceSpan, TracerPort } from './ports.ts';
export type { DriverKind, DriverInfo, Driver, EmbedderDriver } from './devices.ts';
export type { MountSpec, FsEntry, FsEntryType, FsStat, FsWriteResult, NetRequest, NetResponseHead, DeviceInfo, HwInfo, PowerState } from './io.ts';
export type { FsPort, NetPort, NetPortRequest, NetPortResponse, NetGuard } from './ports.ts';
// Device interfaces of the storage and model buses (interfaces only).
export type * from './storage.ts';
export type * from './llm.ts';
export type { AuditEntry, SignedCheckpoint, AuditSink } from './audit.ts';
// Service protocols: the call envelope and one table per service (packages/abi/src/protocols).
export * from './protocols/index.ts';
