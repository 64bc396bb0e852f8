// Wire types of the persistent audit log: chained entries, signed checkpoints and the sink port.
// In the abi so the kernel (which writes them) and the drivers (which store them) share one definition.
import type { AuditRecord } from './types.ts';

/**
 * One persisted audit record. seq starts at 1 and equals Merkle leaf index + 1.
 * prev is the hex leaf hash of the previous entry (64 zeros for seq 1), so entries form a hash chain.
 * The leaf hashed into the tree is canonicalJson(entry) (keys sorted, detail included, prev included).
 */
export interface AuditEntry extends AuditRecord {
  /** hex leaf hash of the previous entry (64 zeros for seq 1). */
  prev: string;
}

/** A tree head signed by the node key (hybrid Ed25519 + ML-DSA-65). */
export interface SignedCheckpoint {
  treeSize: number;
  /** hex MTH of the first treeSize entries. */
  rootHash: string;
  /** Clock-port time at signing, ms. */
  time: number;
  /** hex SHA-256 of the node's encoded hybrid public key. */
  keyId: string;
  /** base64url hybrid signature over checkpointMessage(). */
  signature: string;
}

/**
 * Where the persistent audit log goes. The kernel calls appendRecord/appendCheckpoint synchronously
 * (they must only queue); durability is whatever flush() promises (see the driver's fsync policy).
 * Contract: records are kept in call order, and a checkpoint is never made durable before the
 * records it covers.
 */
export interface AuditSink {
  /** line is canonicalJson(entry), exactly the bytes that were hashed; store it verbatim. */
  appendRecord(entry: AuditEntry, line: string): void;
  appendCheckpoint(checkpoint: SignedCheckpoint): void;
  flush(): Promise<void>;
  /** Everything stored so far, in order (a torn final line after a crash is dropped). */
  readAll(): Promise<{ records: AuditEntry[]; checkpoints: SignedCheckpoint[] }>;
  close(): Promise<void>;
}
