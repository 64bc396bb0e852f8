// An in-memory AuditSink: for tests, benchmarks and nodes that run without a data folder.
// Keeps the canonical lines too, so a reader sees exactly what was hashed.
import type { AuditEntry, AuditSink, SignedCheckpoint } from './chain-types.ts';

export class MemoryAuditSink implements AuditSink {
  readonly records: AuditEntry[] = [];
  readonly lines: string[] = [];
  readonly checkpoints: SignedCheckpoint[] = [];
  flushes = 0;

  appendRecord(entry: AuditEntry, line: string): void {
    this.records.push(entry);
    this.lines.push(line);
  }
  appendCheckpoint(cp: SignedCheckpoint): void {
    this.checkpoints.push(cp);
  }
  async flush(): Promise<void> {
    this.flushes++;
  }
  /** Parses the stored lines again (as a file reader would), so callers never share objects. */
  async readAll(): Promise<{ records: AuditEntry[]; checkpoints: SignedCheckpoint[] }> {
    return {
      records: this.lines.map((l) => JSON.parse(l) as AuditEntry),
      checkpoints: this.checkpoints.map((c) => ({ ...c })),
    };
  }
  async close(): Promise<void> {}
}
