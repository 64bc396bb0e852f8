// The audit wire shapes this driver stores, under the names it has always exported (one definition, in the abi).
export type { AuditEntry as AuditEntryShape, SignedCheckpoint as SignedCheckpointShape, AuditSink as AuditSinkShape } from '@aios/abi';
