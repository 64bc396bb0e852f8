// The persistent audit log writer: chains entries by hash, appends them as leaves of an RFC 9162
// Merkle tree (incremental), and emits hybrid-signed checkpoints through an AuditSink port.
// Deterministic: time comes from the clock port, I/O from the sink; trusts the node key it is given.
import { AiosError, type AuditRecord } from '@aios/abi';
import { toHex, fromHex, toBase64Url } from '../crypto/encoding.ts';
import { hybridSign } from '../crypto/hybrid.ts';
import type { HybridKeyPair } from '../crypto/hybrid.ts';
import { MerkleTree } from './merkle.ts';
import { encodeEntry, lineLeafHash, GENESIS_PREV } from './chain-encode.ts';
import { checkpointMessage, CHECKPOINT_EVERY_MS, CHECKPOINT_EVERY_RECORDS } from './checkpoint.ts';
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
  /**
   * Who signs the automatic checkpoints (default: the node key, synchronously, ~10 ms of this thread
   * per checkpoint). An async signer (e.g. the offload port running hybridSign on a worker) keeps
   * that cost off the syscall path: the tree head is cut at once, and the signed checkpoint reaches
   * the sink when the signature arrives, always in order.
   */
  signer?: CheckpointSigner;
}

/** Signs checkpoint messages with the node key: the result must be hybridSign(nodeKey.secretKey, msg). */
export interface CheckpointSigner {
  sign(msg: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Proof that entry seq is in the tree of checkpoint.treeSize (RFC 9162 §2.1.3), all hex. */
export interface AuditInclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  path: string[];
}

/** Proof that the log of fromSize records is a prefix of the log of toSize records (RFC 9162 §2.1.4), hex. */
export interface AuditConsistencyProof {
  fromSize: number;
  toSize: number;
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
  private readonly signer: CheckpointSigner;
  /** Emission queue of async-signed checkpoints; sinks see checkpoints in tree-size order. */
  private emitting: Promise<void> = Promise.resolve();
  private pendingSignatures = 0;
  private signError: Error | null = null;

  /** Starts an empty log. To continue a stored one use AuditChain.resume. */
  constructor(private readonly opts: AuditChainOptions) {
    this.every = opts.checkpointEvery ?? CHECKPOINT_EVERY_RECORDS;
    this.intervalMs = opts.checkpointIntervalMs ?? CHECKPOINT_EVERY_MS;
    if (!Number.isSafeInteger(this.every) || this.every < 1) throw new AiosError('EINVAL', 'checkpointEvery must be >= 1');
    if (!(this.intervalMs > 0)) throw new AiosError('EINVAL', 'checkpointIntervalMs must be > 0');
    this.lastCheckpointTime = opts.clock.now();
    const key = opts.nodeKey;
    this.signer = opts.signer ?? { sign: (msg) => hybridSign(key.secretKey, msg) };
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

  /**
   * Cuts a checkpoint if one is due by count or by clock; returns whether it did. Call it from a 1 s
   * timer too, so an idle log still gets its last records covered.
   */
  maybeCheckpoint(): boolean {
    const pending = this.tree.size - this.lastCheckpointSize;
    if (pending <= 0) return false;
    if (pending >= this.every || this.opts.clock.now() - this.lastCheckpointTime >= this.intervalMs) {
      this.cut(this.signer);
      return true;
    }
    return false;
  }

  /**
   * Signs a checkpoint of the current tree now with the node key, on this thread (e.g. at shutdown),
   * and returns it; the sink gets it after any checkpoint still being signed asynchronously.
   * If nothing changed since the latest checkpoint, returns that one.
   */
  checkpoint(): SignedCheckpoint {
    if (this.latest && this.latest.treeSize === this.tree.size && this.pendingSignatures === 0) return this.latest;
    const key = this.opts.nodeKey;
    return this.cut({ sign: (msg) => hybridSign(key.secretKey, msg) }) as SignedCheckpoint;
  }

  /** Resolves when every checkpoint cut so far has been signed and handed to the sink; EIO if a signing failed. */
  async settled(): Promise<void> {
    await this.emitting;
    if (this.signError) throw new AiosError('EIO', 'checkpoint signing failed', undefined, { cause: this.signError });
  }

  /** Cuts the tree head now; emits it signed (sync signer) or once signed (async signer). */
  private cut(signer: CheckpointSigner): SignedCheckpoint | null {
    const treeSize = this.tree.size;
    const rootHash = toHex(this.tree.root());
    const time = this.opts.clock.now();
    const keyId = this.opts.nodeKey.keyId;
    this.lastCheckpointSize = treeSize;
    this.lastCheckpointTime = time;
    const sig = signer.sign(checkpointMessage(treeSize, rootHash, time, keyId));
    const make = (s: Uint8Array): SignedCheckpoint => ({ treeSize, rootHash, time, keyId, signature: toBase64Url(s) });
    if (sig instanceof Uint8Array && this.pendingSignatures === 0) {
      const cp = make(sig);
      this.emit(cp);
      return cp;
    }
    this.pendingSignatures++;
    const signed = Promise.resolve(sig).then(make);
    this.emitting = this.emitting.then(async () => {
      try {
        this.emit(await signed);
      } catch (e) {
        this.signError ??= e instanceof Error ? e : new Error(String(e));
      } finally {
        this.pendingSignatures--;
      }
    });
    return sig instanceof Uint8Array ? make(sig) : null;
  }

  private emit(cp: SignedCheckpoint): void {
    this.opts.sink.appendCheckpoint(cp);
    this.latest = cp;
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

  /** RFC 9162 consistency proof that the tree of fromSize is a prefix of the tree of toSize (default: latest checkpoint). */
  consistencyProof(fromSize: number, toSize?: number): AuditConsistencyProof {
    const size = toSize ?? this.latest?.treeSize ?? this.tree.size;
    return { fromSize, toSize: size, path: this.tree.consistencyProof(fromSize, size).map(toHex) };
  }

  /** The stored leaf hash of seq, hex (for tests and tooling). */
  leafHashHex(seq: number): string {
    return toHex(this.tree.leafHashAt(seq - 1));
  }

  /** Waits for pending checkpoint signatures, then flushes the sink. Call at shutdown after checkpoint(). */
  async flush(): Promise<void> {
    await this.settled();
    await this.opts.sink.flush();
  }
}

/** Parses a hex proof path; EINVAL on malformed hex. */
export function proofPathBytes(p: AuditInclusionProof): Uint8Array[] {
  return p.path.map((h) => fromHex(h));
}
