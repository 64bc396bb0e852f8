// Wire types of the persistent audit log; defined in the abi (drivers store them, the kernel writes them).
export type { AuditEntry, SignedCheckpoint, AuditSink } from '@aios/abi';
