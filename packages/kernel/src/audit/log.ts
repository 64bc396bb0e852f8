// The audit log, first form: an in-memory ring of records. Every state-changing
// syscall and every denial appends one. `sink` lets the node persist records
// (the signed, persistent form plugs in there).

import { limits, type AuditRecord } from '@aios/abi';

export type AuditSinkFn = (record: AuditRecord) => void;

export class AuditLog {
  private readonly ring: AuditRecord[] = [];
  private start = 0;
  seq = 0;
  private readonly sinks: AuditSinkFn[] = [];

  constructor(private readonly capacity = limits.AUDIT_MEMORY_RECORDS) {}

  addSink(fn: AuditSinkFn): () => void {
    this.sinks.push(fn);
    return () => {
      const i = this.sinks.indexOf(fn);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  append(time: number, agent: number, syscall: string, object: string | null, result: string, detail?: Record<string, unknown>): AuditRecord {
    const rec: AuditRecord = { seq: ++this.seq, time, agent, syscall, object, result };
    if (detail !== undefined) rec.detail = detail;
    if (this.ring.length < this.capacity) this.ring.push(rec);
    else {
      this.ring[this.start] = rec;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const s of this.sinks) s(rec);
    return rec;
  }

  /** Records still in memory, oldest first, optionally filtered. */
  records(filter?: (r: AuditRecord) => boolean): AuditRecord[] {
    const ordered = this.ring.length < this.capacity ? this.ring.slice() : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    return filter ? ordered.filter(filter) : ordered;
  }

  tail(n: number): AuditRecord[] {
    const all = this.records();
    return all.slice(Math.max(0, all.length - n));
  }
}
