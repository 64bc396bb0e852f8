// Public surface of the audit-file driver: the persistent audit log as JSONL files, and the node key seed.
export { createAuditFileSink, RECORDS_FILE, CHECKPOINTS_FILE } from './sink.ts';
export type { AuditFileSink, AuditFileSinkOptions, FsyncPolicy } from './sink.ts';
export { forEachLine, readLinesOf } from './lines.ts';
export { loadOrCreateNodeKeySeed, NODE_KEY_FILE } from './node-key.ts';
export type { AuditEntryShape, SignedCheckpointShape, AuditSinkShape } from './types.ts';
