// The audit log, first form: an in-memory ring. Every state-changing syscall
// and every denial appends one record. The ring is columnar (typed arrays and
// interned strings) so the syscall path does not allocate per record; records
// become objects only when read, or when a sink (the persistent log) is attached.

import { limits, type AuditRecord } from '@aios/abi';

export type AuditSinkFn = (record: AuditRecord) => void;

export class AuditLog {
  seq = 0;
  private readonly cap: number;
  private readonly time: Float64Array;
  private readonly agent: Int32Array;
  private readonly syscall: Uint16Array;
  private readonly result: Uint16Array;
  private readonly object: Array<string | null>;
  private readonly detail: Array<Record<string, unknown> | undefined>;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly sinks: AuditSinkFn[] = [];

  constructor(capacity = limits.AUDIT_MEMORY_RECORDS) {
    this.cap = capacity;
    this.time = new Float64Array(capacity);
    this.agent = new Int32Array(capacity);
    this.syscall = new Uint16Array(capacity);
    this.result = new Uint16Array(capacity);
    this.object = new Array(capacity).fill(null);
    this.detail = new Array(capacity).fill(undefined);
  }

  /** The id of a string in the ring's table (callers may cache it). */
  intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      if (id >= 0xffff) return this.intern('?');
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  addSink(fn: AuditSinkFn): () => void {
    this.sinks.push(fn);
    return () => {
      const i = this.sinks.indexOf(fn);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  /** Appends a record; returns its sequence number. */
  append(time: number, agent: number, syscall: string, object: string | null, result: string, detail?: Record<string, unknown>): number {
    return this.appendIds(time, agent, this.intern(syscall), object, this.intern(result), detail);
  }

  /** append() with interned names, for the syscall path. */
  appendIds(time: number, agent: number, syscallId: number, object: string | null, resultId: number, detail?: Record<string, unknown>): number {
    const seq = ++this.seq;
    const i = seq % this.cap;
    this.time[i] = time;
    this.agent[i] = agent;
    this.syscall[i] = syscallId;
    this.result[i] = resultId;
    this.object[i] = object;
    this.detail[i] = detail;
    if (this.sinks.length > 0) {
      const rec = this.at(seq)!;
      for (const s of this.sinks) s(rec);
    }
    return seq;
  }

  /** The record with this sequence number, if still in the ring. */
  at(seq: number): AuditRecord | undefined {
    if (seq < 1 || seq > this.seq || seq <= this.seq - this.cap) return undefined;
    const i = seq % this.cap;
    const rec: AuditRecord = { seq, time: this.time[i]!, agent: this.agent[i]!, syscall: this.strings[this.syscall[i]!]!, object: this.object[i]!, result: this.strings[this.result[i]!]! };
    const d = this.detail[i];
    if (d !== undefined) rec.detail = d;
    return rec;
  }

  /** Records still in memory, oldest first, optionally filtered. */
  records(filter?: (r: AuditRecord) => boolean): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let s = Math.max(1, this.seq - this.cap + 1); s <= this.seq; s++) {
      const r = this.at(s)!;
      if (!filter || filter(r)) out.push(r);
    }
    return out;
  }

  tail(n: number): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let s = Math.max(1, this.seq - Math.min(n, this.cap) + 1); s <= this.seq; s++) out.push(this.at(s)!);
    return out;
  }
}
