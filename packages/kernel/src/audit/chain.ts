// The persistent audit log writer: chains entries by hash, appends them as leaves of an RFC 9162
// Merkle tree (incremental), and emits hybrid-signed checkpoints through an AuditSink port.
// Deterministic: time comes from the clock port, I/O from the sink; trusts the node key it is given.
import { AiosError, type AuditRecord } from '@aios/abi';
import { toHex, fromHex } from '../crypto/encoding.ts';
import type { HybridKeyPair } from '../crypto/hybrid.ts';
import { MerkleTree } from './merkle.ts';
import { encodeEntry, lineLeafHash, GENESIS_PREV } from './chain-encode.ts';
import { signCheckpoint, CHECKPOINT_EVERY_MS, CHECKPOINT_EVERY_RECORDS } from './checkpoint.ts';
import type { AuditEntry, AuditSink, SignedCheckpoint } from './chain-types.ts';
import { verifyAuditLog } from './verify.ts';

/** A record to append: an AuditRecord whose seq is optional (given, it must be the next seq). */
export type AuditInput = Omit<AuditRecord, 'seq'> & { seq?: number };

export interface AuditChainOptions {
  sink: AuditSink;
  clock: { now(): number };
  nodeKey: HybridKeyPair;
  /** Checkpoint after this many records since the last one (default 1000). */
  checkpointEvery?: number;
  /** Checkpoint when this many clock ms passed since the last one and records are pending (default 1000). */
  checkpointIntervalMs?: number;
}

/** Proof that entry seq is in the tree of checkpoint.treeSize (RFC 9162 §2.1.3), all hex. */
export interface AuditInclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  path: string[];
}

export class AuditChain {
  private readonly tree = new MerkleTree();
  private prev = GENESIS_PREV;
  private lastCheckpointSize = 0;
  private lastCheckpointTime: number;
  private latest: SignedCheckpoint | null = null;
  private readonly every: number;
  private readonly intervalMs: number;

  /** Starts an empty log. To continue a stored one use AuditChain.resume. */
  constructor(private readonly opts: AuditChainOptions) {
    this.every = opts.checkpointEvery ?? CHECKPOINT_EVERY_RECORDS;
    this.intervalMs = opts.checkpointIntervalMs ?? CHECKPOINT_EVERY_MS;
    if (!Number.isSafeInteger(this.every) || this.every < 1) throw new AiosError('EINVAL', 'checkpointEvery must be >= 1');
    if (!(this.intervalMs > 0)) throw new AiosError('EINVAL', 'checkpointIntervalMs must be > 0');
    this.lastCheckpointTime = opts.clock.now();
  }

  /**
   * Rebuilds the chain from stored records and checkpoints after verifying them with the node key.
   * A log that fails verification is EIO with the verification report in detail (the node decides
   * whether to boot); nothing is appended to the sink.
   */
  static resume(records: readonly AuditEntry[], checkpoints: readonly SignedCheckpoint[], opts: AuditChainOptions): AuditChain {
    const report = verifyAuditLog(records, checkpoints, opts.nodeKey.publicKey);
    if (!report.ok) throw new AiosError('EIO', `stored audit log failed verification: ${report.reason}`, { report: { ...report } });
    const c = new AuditChain(opts);
    for (const e of records) {
      const h = lineLeafHash(encodeEntry(e));
      c.tree.appendLeafHash(h);
      c.prev = toHex(h);
    }
    const last = checkpoints[checkpoints.length - 1];
    if (last) {
      c.latest = last;
      c.lastCheckpointSize = last.treeSize;
    }
    return c;
  }

  /** Next seq to be assigned (entries are 1-based: seq === leaf index + 1). */
  get nextSeq(): number {
    return this.tree.size + 1;
  }

  get size(): number {
    return this.tree.size;
  }

  /** The most recent checkpoint, or null before the first one. */
  get latestCheckpoint(): SignedCheckpoint | null {
    return this.latest;
  }

  /**
   * Appends one record: chains it, adds it to the tree, queues it in the sink, and emits a
   * checkpoint when due. A given seq other than nextSeq is EINVAL (records must not be lost or reordered).
   */
  append(rec: AuditInput): AuditEntry {
    const seq = this.tree.size + 1;
    if (rec.seq !== undefined && rec.seq !== seq) {
      throw new AiosError('EINVAL', 'audit record out of sequence', { expected: seq, got: rec.seq });
    }
    const entry: AuditEntry = {
      seq, time: rec.time, agent: rec.agent, syscall: rec.syscall, object: rec.object, result: rec.result, prev: this.prev,
    };
    if (rec.detail !== undefined) entry.detail = rec.detail;
    const line = encodeEntry(entry); // EINVAL here for non-JSON detail, before any state changes
    const h = lineLeafHash(line);
    this.tree.appendLeafHash(h);
    this.prev = toHex(h);
    this.opts.sink.appendRecord(entry, line);
    this.maybeCheckpoint();
    return entry;
  }

  /** Emits a checkpoint if one is due by count or by clock; call it from a 1 s timer so idle logs get one too. */
  maybeCheckpoint(): SignedCheckpoint | null {
    const pending = this.tree.size - this.lastCheckpointSize;
    if (pending <= 0) return null;
    if (pending >= this.every || this.opts.clock.now() - this.lastCheckpointTime >= this.intervalMs) return this.checkpoint();
    return null;
  }

  /** Signs and emits a checkpoint of the current tree now (e.g. at shutdown). Returns the latest one if nothing changed. */
  checkpoint(): SignedCheckpoint {
    if (this.latest && this.latest.treeSize === this.tree.size) return this.latest;
    const time = this.opts.clock.now();
    const cp = signCheckpoint(this.tree.size, toHex(this.tree.root()), time, this.opts.nodeKey);
    this.opts.sink.appendCheckpoint(cp);
    this.latest = cp;
    this.lastCheckpointSize = this.tree.size;
    this.lastCheckpointTime = time;
    return cp;
  }

  /** hex root of the first treeSize entries (default: all). */
  rootHex(treeSize: number = this.tree.size): string {
    return toHex(this.tree.root(treeSize));
  }

  /** Inclusion proof of entry seq in the tree of treeSize (default: the latest checkpoint's size). */
  inclusionProof(seq: number, treeSize?: number): AuditInclusionProof {
    const size = treeSize ?? this.latest?.treeSize ?? this.tree.size;
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > size) {
      throw new AiosError('EINVAL', 'seq is not covered by that tree size', { seq, treeSize: size });
    }
    const path = this.tree.inclusionProof(seq - 1, size).map(toHex);
    return { seq, leafIndex: seq - 1, treeSize: size, path };
  }

  /** The stored leaf hash of seq, hex (for tests and tooling). */
  leafHashHex(seq: number): string {
    return toHex(this.tree.leafHashAt(seq - 1));
  }

  async flush(): Promise<void> {
    await this.opts.sink.flush();
  }
}

/** Parses a hex proof path; EINVAL on malformed hex. */
export function proofPathBytes(p: AuditInclusionProof): Uint8Array[] {
  return p.path.map((h) => fromHex(h));
}
