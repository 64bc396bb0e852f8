// Offline verification of a persistent audit log: hash chain, RFC 9162 tree and every checkpoint
// signature; names the first bad record. Trusts only the node public key it is given.
import { AiosError } from '@aios/abi';
import { toHex, fromHex, bytesEqual } from '../crypto/encoding.ts';
import { keyId as keyIdOf } from '../crypto/hybrid.ts';
import type { HybridPublicKey } from '../crypto/hybrid.ts';
import { MerkleTree, verifyInclusion, verifyConsistency } from './merkle.ts';
import { encodeEntry, entryShapeError, lineLeafHash, GENESIS_PREV } from './chain-encode.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import type { AuditEntry, SignedCheckpoint } from './chain-types.ts';

export type AuditFault =
  | 'malformed' // a record is not a well-formed entry
  | 'modified' // a record's content no longer matches the hash its successor committed to
  | 'deleted' // a seq is missing
  | 'inserted' // a record that the chain links over, or a duplicate seq
  | 'reordered' // records are out of seq order
  | 'truncated' // a signed checkpoint covers more records than are present
  | 'checkpoint-mismatch' // the chain is intact but a signed root disagrees: rewritten in [window]
  | 'checkpoint-forged' // a checkpoint's signature or key id does not verify
  | 'checkpoint-order'; // checkpoints go backwards in size or time

export interface AuditVerifyReport {
  ok: boolean;
  records: number;
  checkpoints: number;
  /** hex root over all records (when they are all well formed). */
  rootHash?: string;
  /**
   * How many leading records are covered by a verified checkpoint. Records after it are protected by
   * the hash chain only (a tail cut there is undetectable until the next checkpoint): compare it with
   * the latest checkpoint you know from elsewhere (e.g. one a peer holds, see verifyCheckpointConsistency).
   */
  signedPrefix: number;
  fault?: AuditFault;
  /** Position (0-based) in the records array of the first bad record. */
  firstBadIndex?: number;
  /** The seq that should be at firstBadIndex (for 'deleted': the first missing seq). */
  firstBadSeq?: number;
  /** For checkpoint faults: the checkpoint's position in the checkpoints array. */
  checkpointIndex?: number;
  /** For 'checkpoint-mismatch': the seq range [from, to] that holds the first bad record. */
  window?: [number, number];
  reason?: string;
}

interface RecordFault {
  fault: AuditFault;
  index: number;
  reason: string;
  window?: [number, number];
}

/**
 * Verifies records (in stored order) and checkpoints against the node public key.
 * ok is true only if every record is well formed, seq runs 1..n, every prev is the previous
 * entry's leaf hash, every checkpoint signature verifies, and every checkpoint root equals the
 * root recomputed over the first treeSize records. Otherwise the report names the first bad record
 * (the earliest position the evidence allows) or the first bad checkpoint.
 */
export function verifyAuditLog(
  records: readonly AuditEntry[], checkpoints: readonly SignedCheckpoint[], nodePublicKey: HybridPublicKey,
): AuditVerifyReport {
  return verifyCore(records, (i) => lineLeafHash(encodeEntry(records[i]!)), checkpoints, nodePublicKey);
}

/**
 * Same checks over stored JSONL lines (what the file driver keeps): each leaf is the raw line's
 * bytes, so nothing is re-encoded; a line that is not valid JSON is a 'malformed' record.
 */
export function verifyAuditLines(
  lines: readonly string[], checkpoints: readonly SignedCheckpoint[], nodePublicKey: HybridPublicKey,
): AuditVerifyReport {
  const records = lines.map((l) => {
    try {
      return JSON.parse(l) as AuditEntry;
    } catch {
      return null as unknown as AuditEntry;
    }
  });
  return verifyCore(records, (i) => lineLeafHash(lines[i]!), checkpoints, nodePublicKey);
}

function verifyCore(
  records: readonly AuditEntry[], leafOf: (i: number) => Uint8Array,
  checkpoints: readonly SignedCheckpoint[], nodePublicKey: HybridPublicKey,
): AuditVerifyReport {
  const n = records.length;
  const tree = new MerkleTree();
  const hashCache = new Map<number, string | null>();
  const hashAt = (k: number): string | null => {
    if (k < 0 || k >= n) return null;
    let h = hashCache.get(k);
    if (h === undefined) {
      h = entryShapeError(records[k]) === null ? toHex(leafOf(k)) : null;
      hashCache.set(k, h);
    }
    return h;
  };

  // 1. The chain and the tree, one pass; stop at the first anomaly and classify it.
  let recordFault: RecordFault | null = null;
  let prevHex = GENESIS_PREV;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const shape = entryShapeError(r);
    if (shape !== null) {
      recordFault = { fault: 'malformed', index: i, reason: `record at position ${i}: ${shape}` };
      break;
    }
    if (r.seq !== i + 1 || r.prev !== prevHex) {
      recordFault = classify(records, i, prevHex, hashAt);
      break;
    }
    const h = leafOf(i);
    tree.appendLeafHash(h);
    prevHex = toHex(h);
  }
  const intact = tree.size; // records [0, intact) form a valid chain

  // 2. Checkpoints: signature, order, then root against the intact prefix.
  const kid = keyIdOf(nodePublicKey);
  let lastSize = 0;
  let lastTime = -Infinity;
  let goodPrefix = 0; // largest treeSize whose signed root matched
  for (let c = 0; c < checkpoints.length; c++) {
    const cp = checkpoints[c]!;
    if (!verifyCheckpoint(cp, nodePublicKey, kid)) {
      return report(n, checkpoints.length, tree, recordFault, { fault: 'checkpoint-forged', checkpointIndex: c, reason: `checkpoint ${c} (treeSize ${String(cp?.treeSize)}) has a bad signature or key id` });
    }
    if (cp.treeSize < lastSize || cp.time < lastTime) {
      return report(n, checkpoints.length, tree, recordFault, { fault: 'checkpoint-order', checkpointIndex: c, reason: `checkpoint ${c} goes backwards` });
    }
    lastSize = cp.treeSize;
    lastTime = cp.time;
    if (cp.treeSize > n) {
      const f: RecordFault = { fault: 'truncated', index: n, reason: `checkpoint ${c} covers ${cp.treeSize} records but only ${n} are present` };
      return finish(n, checkpoints.length, tree, earliest(recordFault, f), c);
    }
    if (cp.treeSize > intact) continue; // covered by the record fault found in step 1
    if (!bytesEqual(tree.root(cp.treeSize), fromHex(cp.rootHash))) {
      const f: RecordFault = {
        fault: 'checkpoint-mismatch', index: goodPrefix, window: [goodPrefix + 1, cp.treeSize],
        reason: `root of the first ${cp.treeSize} records differs from signed checkpoint ${c}; first bad record is in seq ${goodPrefix + 1}..${cp.treeSize}`,
      };
      // A chain fault inside the window is the more precise answer.
      const best = recordFault && recordFault.index < cp.treeSize ? recordFault : f;
      return finish(n, checkpoints.length, tree, best, c);
    }
    goodPrefix = cp.treeSize;
  }
  return finish(n, checkpoints.length, tree, recordFault, undefined, goodPrefix);
}

function classify(
  records: readonly AuditEntry[], i: number, expectedPrev: string, hashAt: (k: number) => string | null,
): RecordFault {
  const r = records[i]!;
  const exp = i + 1;
  const n = records.length;
  if (r.seq > exp) {
    for (let j = i + 1; j < n; j++) {
      if (records[j]?.seq === exp) return { fault: 'reordered', index: i, reason: `seq ${r.seq} at position ${i} comes before seq ${exp}` };
    }
    return { fault: 'deleted', index: i, reason: `seq ${exp}${r.seq - 1 > exp ? '..' + (r.seq - 1) : ''} missing before position ${i}` };
  }
  if (r.seq < exp) {
    // Two records claim the same place: the one the successor does not link to is the intruder.
    const beforePrev = i >= 2 ? hashAt(i - 2) : GENESIS_PREV;
    if (i >= 1 && r.prev === beforePrev) {
      return { fault: 'inserted', index: i - 1, reason: `record at position ${i - 1} is not in the chain (its successor links over it)` };
    }
    return { fault: 'inserted', index: i, reason: `duplicate or out-of-place seq ${r.seq} at position ${i}` };
  }
  // seq is right but prev is wrong: link (i-1 -> i) is broken.
  const next = records[i + 1];
  if (next !== undefined && next.prev === expectedPrev) {
    return { fault: 'inserted', index: i, reason: `record at position ${i} is not in the chain (its successor links over it)` };
  }
  if (i === 0 || (next !== undefined && next.prev !== hashAt(i))) {
    return { fault: 'modified', index: i, reason: `record seq ${exp} does not match the chain` };
  }
  return { fault: 'modified', index: i - 1, reason: `record seq ${i} does not match the hash its successor committed to` };
}

function earliest(a: RecordFault | null, b: RecordFault): RecordFault {
  return a !== null && a.index <= b.index ? a : b;
}

function report(
  n: number, ncp: number, tree: MerkleTree, rf: RecordFault | null,
  cpf: { fault: AuditFault; checkpointIndex: number; reason: string },
): AuditVerifyReport {
  const out = finish(n, ncp, tree, rf, undefined);
  out.ok = false;
  out.checkpointIndex = cpf.checkpointIndex;
  if (!rf) {
    out.fault = cpf.fault;
    out.reason = cpf.reason;
  } else {
    out.reason = `${out.reason}; also ${cpf.reason}`;
  }
  return out;
}

function finish(
  n: number, ncp: number, tree: MerkleTree, rf: RecordFault | null, checkpointIndex: number | undefined, signedPrefix = 0,
): AuditVerifyReport {
  const out: AuditVerifyReport = { ok: rf === null, records: n, checkpoints: ncp, signedPrefix };
  if (tree.size === n) out.rootHash = toHex(tree.root());
  if (rf) {
    out.fault = rf.fault;
    out.firstBadIndex = rf.index;
    out.firstBadSeq = rf.index + 1;
    out.reason = rf.reason;
    if (rf.window) out.window = rf.window;
    if (checkpointIndex !== undefined) out.checkpointIndex = checkpointIndex;
  }
  return out;
}

/**
 * Offline check that `entry` is record seq of the log whose signed checkpoint is `checkpoint`:
 * verifies the checkpoint signature, then the RFC 9162 inclusion path. EINVAL on a malformed entry or proof.
 */
export function verifyAuditInclusion(
  entry: AuditEntry, proof: { seq: number; leafIndex: number; treeSize: number; path: readonly string[] },
  checkpoint: SignedCheckpoint, nodePublicKey: HybridPublicKey,
): boolean {
  const shape = entryShapeError(entry);
  if (shape !== null) throw new AiosError('EINVAL', `malformed audit entry: ${shape}`);
  if (!verifyCheckpoint(checkpoint, nodePublicKey)) return false;
  if (proof.treeSize !== checkpoint.treeSize || proof.seq !== entry.seq || proof.leafIndex !== entry.seq - 1) return false;
  const path = proof.path.map((h) => fromHex(h));
  return verifyInclusion(lineLeafHash(encodeEntry(entry)), proof.leafIndex, proof.treeSize, path, fromHex(checkpoint.rootHash));
}

/**
 * Offline check that checkpoint `newer` extends checkpoint `older` (the log only grew): both
 * signatures verify under the node key and the RFC 9162 consistency proof links their roots.
 * A verifier that kept one checkpoint can accept a later one without reading the records.
 */
export function verifyCheckpointConsistency(
  older: SignedCheckpoint, newer: SignedCheckpoint, proof: { fromSize: number; toSize: number; path: readonly string[] },
  nodePublicKey: HybridPublicKey,
): boolean {
  if (!verifyCheckpoint(older, nodePublicKey) || !verifyCheckpoint(newer, nodePublicKey)) return false;
  if (proof.fromSize !== older.treeSize || proof.toSize !== newer.treeSize) return false;
  if (older.treeSize === 0) return true; // the empty log is a prefix of every log
  let path: Uint8Array[];
  try {
    path = proof.path.map((h) => fromHex(h));
  } catch {
    return false;
  }
  return verifyConsistency(older.treeSize, newer.treeSize, fromHex(older.rootHash), fromHex(newer.rootHash), path);
}
