// The node's persistent audit log: every record of the kernel's in-memory ring goes into an AuditChain
// (hash chain + RFC 9162 tree + signed checkpoints) written by the audit-file sink in <dataDir>/audit.
// Resumes the stored chain at boot (refusing a log that fails verification); trusts the node identity.
import { AiosError, type AuditRecord } from '@aios/abi';
import { createAuditFileSink, type AuditFileSink, type FsyncPolicy } from '@aios/drivers/audit-file';
import {
  AuditChain, offloadSigner, localSigner, verifyCheckpoint, type AuditEntry, type AuditChainOptions,
  type HybridKeyPair, type PqcOffload, type SignedCheckpoint,
} from '@aios/trust';
import type { NodeIdentity } from './identity.ts';
import { verifyKeyHistory } from './history.ts';
import { auditDir } from './audit-store.ts';
import { anchorOf, checkAnchor, genesisAnchor, readAnchor, writeAnchor, type AnchorReport } from './audit-anchor.ts';
import type { NodeState } from '../node/node-state.ts';

/** The part of the kernel's AuditLog this module uses. */
export interface AuditSource {
  seq: number;
  addSink(fn: (r: AuditRecord) => void): () => void;
}

export interface PersistentAuditOptions {
  dataDir: string;
  identity: NodeIdentity;
  clock: { now(): number };
  /** Off-thread ML-DSA signing (KernelPorts.offload.pqc); without it checkpoints are signed inline. */
  pqc?: PqcOffload;
  fsync?: FsyncPolicy;
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /**
   * Where the log head is anchored (kernel.db). With it, open() refuses (EIO) a log that is shorter
   * than, or differs from, the anchored head, and every durable checkpoint moves the anchor forward.
   */
  state?: NodeState;
  /** Boot even though the log does not match its anchor (the operator's explicit override). */
  acceptRollback?: boolean;
}

/** Makes a record's detail JSON-safe (bigints as strings, bytes as their length) so it can be hashed. */
export function jsonSafe(detail: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(detail, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (ArrayBuffer.isView(v)) return { bytes: v.byteLength };
      return v;
    })) as Record<string, unknown>;
  } catch {
    return { unserialisable: true };
  }
}

export class PersistentAudit {
  private rotating: AuditRecord[] | null = null;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Records the chain refused even after sanitising (should stay 0). */
  dropped = 0;

  private constructor(
    private chainRef: AuditChain, private readonly sink: AuditFileSink, private readonly opts: PersistentAuditOptions,
    /** The anchor check made at open (status 'ok', or the mismatch the operator accepted). */
    readonly anchorReport: AnchorReport | null,
  ) {}

  /**
   * Opens <dataDir>/audit and resumes the stored chain: the records and the current key's checkpoints
   * through AuditChain.resume, older keys' checkpoints against the rebuilt tree. EIO if anything fails.
   */
  static async open(opts: PersistentAuditOptions): Promise<PersistentAudit> {
    // Every durable checkpoint becomes the anchor (written after the checkpoint reached the disk, so the
    // anchor lags the log and never leads it). `current` names the live chain (it changes at rotation).
    let current: () => AuditChain | null = () => null;
    const state = opts.state;
    const onCheckpointsDurable = state ? (cps: SignedCheckpoint[]) => {
      const cp = cps[cps.length - 1]!;
      const chain = current();
      if (chain && cp.treeSize > 0 && cp.treeSize <= chain.size) writeAnchor(state, anchorOf(cp, { head: chain.leafHashHex(cp.treeSize) }));
    } : undefined;
    const sink = await createAuditFileSink({ dir: auditDir(opts.dataDir), fsync: opts.fsync ?? 'checkpoint', ...(onCheckpointsDurable ? { onCheckpointsDurable } : {}) });
    try {
      const { lines, checkpoints } = await sink.readLines();
      const records = lines.map((l) => {
        try {
          return JSON.parse(l) as AuditEntry;
        } catch {
          return null as unknown as AuditEntry;
        }
      });
      const key = opts.identity.key;
      const chain = AuditChain.resume(records, checkpoints.filter((c) => c?.keyId === key.keyId), chainOptions(opts, sink, key));
      const hist = verifyKeyHistory(opts.identity.history);
      if (!hist.ok) throw new AiosError('EIO', `key history fails verification: ${hist.reason}`);
      for (const [i, cp] of checkpoints.entries()) {
        if (cp?.keyId === key.keyId) continue;
        const k = hist.keys.find((x) => x.keyId === cp?.keyId);
        const good = k !== undefined && verifyCheckpoint(cp, k.publicKey, k.keyId) && cp.treeSize <= Math.min(k.untilSize, chain.size)
          && chain.rootHex(cp.treeSize) === cp.rootHash;
        if (!good) throw new AiosError('EIO', `stored audit log failed verification: checkpoint ${i} (an earlier key's) does not verify`, { checkpointIndex: i });
      }
      let report: AnchorReport | null = null;
      if (state) {
        const anchor = readAnchor(state);
        report = checkAnchor(lines, checkpoints, anchor, hist.keys, (n) => chain.rootHex(n));
        if (!report.ok && !opts.acceptRollback) {
          throw new AiosError('EIO', `audit log rollback detected in ${sink.recordsPath}: ${report.reason}; restore the log, or boot with --accept-audit-rollback to continue from the log as it is (recorded in the audit log)`, {
            file: sink.recordsPath, checkpointsFile: sink.checkpointsPath, status: report.status, anchoredSeq: report.anchoredSeq, logSeq: report.logSeq, checkpoints: report.checkpoints,
          });
        }
        // A fresh log gets a signed genesis anchor before its first record; an accepted mismatch is
        // re-anchored on the log as it is (its latest checkpoint), so a crash right after stays bootable.
        if (anchor === null || !report.ok) {
          const last = [...checkpoints].reverse().find((c) => c !== null && c.treeSize <= chain.size);
          writeAnchor(state, last && last.treeSize > 0 ? anchorOf(last, { head: chain.leafHashHex(last.treeSize) }) : genesisAnchor(key, opts.clock.now()));
        }
      }
      const pa = new PersistentAudit(chain, sink, opts, report);
      current = () => pa.chain;
      return pa;
    } catch (e) {
      await sink.close().catch(() => {});
      throw e;
    }
  }

  get chain(): AuditChain {
    return this.chainRef;
  }

  get latestCheckpoint(): SignedCheckpoint | null {
    return this.chainRef.latestCheckpoint;
  }

  /**
   * Feeds the kernel's audit ring into the chain. A fresh ring (seq 0) continues the stored numbering,
   * so ring seq and persisted seq agree. Starts the 1 s checkpoint timer.
   */
  attach(source: AuditSource): void {
    if (this.unsubscribe) throw new AiosError('EBUSY', 'the persistent audit log is already attached');
    if (source.seq === 0) source.seq = this.chainRef.size;
    this.unsubscribe = source.addSink((r) => this.onRecord(r));
    const every = Math.min(this.opts.checkpointIntervalMs ?? 1000, 1000);
    this.timer = setInterval(() => {
      if (this.rotating) return;
      try {
        this.chainRef.maybeCheckpoint();
      } catch {
        /* surfaced by close() through flush() */
      }
    }, every);
    this.timer.unref?.();
  }

  private onRecord(r: AuditRecord): void {
    if (this.closed) return;
    if (this.rotating) {
      this.rotating.push(r);
      return;
    }
    this.append(r);
  }

  private append(r: AuditRecord): void {
    const rec = { time: r.time, agent: r.agent, syscall: r.syscall, object: r.object, result: r.result, ...(r.detail !== undefined ? { detail: r.detail } : {}) };
    // Never throws into the syscall path. A detail without a JSON form is the only content the chain
    // refuses: the record is kept with a JSON-safe detail. Anything else (a closed sink) is counted.
    try {
      this.chainRef.append(rec);
    } catch {
      try {
        if (rec.detail === undefined) throw new Error('refused');
        this.chainRef.append({ ...rec, detail: jsonSafe(rec.detail) });
      } catch {
        this.dropped++;
      }
    }
  }

  /**
   * Key rotation: the old key signs a last checkpoint over everything so far, the identity rotates
   * (the old key endorses the new one, which takes over at this tree size), and the chain continues
   * under the new key. Records arriving meanwhile are held and appended afterwards, in order.
   */
  async rotate(): Promise<{ oldKeyId: string; newKeyId: string; atSeq: number }> {
    if (this.rotating) throw new AiosError('EBUSY', 'a key rotation is already running');
    this.rotating = [];
    try {
      this.chainRef.checkpoint();
      await this.chainRef.flush();
      const atSeq = this.chainRef.size;
      const { old, next } = await this.opts.identity.rotate(atSeq);
      const { lines } = await this.sink.readLines();
      const records = lines.map((l) => JSON.parse(l) as AuditEntry);
      this.chainRef = AuditChain.resume(records, [], chainOptions(this.opts, this.sink, next));
      return { oldKeyId: old.keyId, newKeyId: next.keyId, atSeq };
    } finally {
      const held = this.rotating;
      this.rotating = null;
      for (const r of held) this.append(r);
    }
  }

  /** Final checkpoint, flush and close; the kernel's later records are no longer persisted. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.chainRef.size > 0) this.chainRef.checkpoint();
      await this.chainRef.flush();
    } finally {
      this.closed = true;
      await this.sink.close();
    }
  }
}

function chainOptions(opts: PersistentAuditOptions, sink: AuditFileSink, key: HybridKeyPair): AuditChainOptions {
  return {
    sink: sink as unknown as AuditChainOptions['sink'],
    clock: opts.clock,
    nodeKey: key,
    signer: opts.pqc ? offloadSigner(key, opts.pqc) : localSigner(key),
    ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
    ...(opts.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: opts.checkpointIntervalMs } : {}),
  };
}
