// The audit wire shapes, declared again here because drivers may import only @aios/abi.
// They must stay structurally identical to AuditEntry / SignedCheckpoint / AuditSink in
// packages/kernel/src/audit/chain-types.ts (the kernel passes this sink where it expects its own type).

export interface AuditEntryShape {
  seq: number;
  time: number;
  agent: number;
  syscall: string;
  object: string | null;
  result: string;
  detail?: Record<string, unknown>;
  prev: string;
}

export interface SignedCheckpointShape {
  treeSize: number;
  rootHash: string;
  time: number;
  keyId: string;
  signature: string;
}

export interface AuditSinkShape {
  appendRecord(entry: AuditEntryShape, line: string): void;
  appendCheckpoint(checkpoint: SignedCheckpointShape): void;
  flush(): Promise<void>;
  readAll(): Promise<{ records: AuditEntryShape[]; checkpoints: SignedCheckpointShape[] }>;
  close(): Promise<void>;
}
