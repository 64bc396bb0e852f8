// Public surface of the persistent audit log (chain, tree, checkpoints, verification).
// The lead's in-memory log (log.ts) feeds AuditChain.append through its sink hook.
export { AuditChain, proofPathBytes } from './chain.ts';
export type { AuditInput, AuditChainOptions, AuditInclusionProof, AuditConsistencyProof, CheckpointSigner } from './chain.ts';
export { localSigner, offloadSigner } from './chain-signer.ts';
export type { PqcOffload } from './chain-signer.ts';
export type { AuditEntry, SignedCheckpoint, AuditSink } from './chain-types.ts';
export { MemoryAuditSink } from './chain-memory-sink.ts';
export { encodeEntry, entryHashHex, entryShapeError, GENESIS_PREV } from './chain-encode.ts';
export { signCheckpoint, verifyCheckpoint, checkpointMessage, CHECKPOINT_EVERY_MS, CHECKPOINT_EVERY_RECORDS } from './checkpoint.ts';
export { verifyAuditLog, verifyAuditLines, verifyAuditInclusion, verifyCheckpointConsistency } from './verify.ts';
export type { AuditVerifyReport, AuditFault } from './verify.ts';
export { MerkleTree, leafHash, nodeHash, verifyInclusion, verifyConsistency, EMPTY_ROOT } from './merkle.ts';
