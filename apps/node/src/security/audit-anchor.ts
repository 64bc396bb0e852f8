// The audit log's anchor: the log head (sequence number, chain hash, and the node-key-signed checkpoint
// over the tree root at that size) kept OUTSIDE the audit folder, in the kernel database (node_state),
// so that deleting checkpoints, cutting the tail with its checkpoints, or swapping in an older copy of
// the log is found at boot. Invariant: the anchor may lag the log (it is written only after the
// checkpoint it names is durable in checkpoints.jsonl), never lead it.
// Trusts the node's key history for signatures; the anchor's own row is checked, not trusted.
import {
  MerkleTree, leafHash, sha256, toHex, utf8, verifyCheckpoint, signCheckpoint, type HybridKeyPair,
  type SignedCheckpoint,
} from '@aios/trust';
import type { NodeState } from '../node/node-state.ts';
import type { VerifiedKey } from './history.ts';

/** node_state key of the anchor. */
export const ANCHOR_KEY = 'audit.anchor';
export const GENESIS_HEAD = '0'.repeat(64);

export interface AuditAnchor {
  v: 1;
  /** The anchored head: records 1..seq existed when it was written (seq === checkpoint.treeSize). */
  seq: number;
  /** Chain hash of record seq (its leaf hash, hex); zeros for the empty log. */
  head: string;
  /** Signed by the node key; covers seq and the tree root. For seq 0 it is a signed empty-tree head. */
  checkpoint: SignedCheckpoint;
}

export type AnchorStatus = 'ok' | 'missing' | 'forged' | 'shorter' | 'head-differs' | 'checkpoint-missing';

export interface AnchorReport {
  ok: boolean;
  status: AnchorStatus;
  /** The anchored head's seq (absent when there is no readable anchor). */
  anchoredSeq?: number;
  /** Records in the log on disk. */
  logSeq: number;
  checkpoints: number;
  reason?: string;
}

export function anchorOf(cp: SignedCheckpoint, lines: readonly string[] | { head: string }): AuditAnchor {
  const head = 'head' in lines ? lines.head : cp.treeSize === 0 ? GENESIS_HEAD : toHex(leafHash(utf8(lines[cp.treeSize - 1]!)));
  return { v: 1, seq: cp.treeSize, head, checkpoint: cp };
}

/** The anchor of an empty log: a signed head of the empty tree (so even a fresh node's anchor is signed). */
export function genesisAnchor(key: HybridKeyPair, time: number): AuditAnchor {
  return { v: 1, seq: 0, head: GENESIS_HEAD, checkpoint: signCheckpoint(0, toHex(sha256(new Uint8Array(0))), time, key) };
}

export function readAnchor(state: NodeState): AuditAnchor | null | 'malformed' {
  const text = state.get(ANCHOR_KEY);
  if (text === undefined) return null;
  try {
    const a = JSON.parse(text) as AuditAnchor;
    if (a?.v !== 1 || !Number.isSafeInteger(a.seq) || typeof a.head !== 'string' || a.checkpoint?.treeSize !== a.seq) return 'malformed';
    return a;
  } catch {
    return 'malformed';
  }
}

export function writeAnchor(state: NodeState, a: AuditAnchor): void {
  state.set(ANCHOR_KEY, JSON.stringify(a));
}

/**
 * Compares the log on disk with the anchor. Not ok when: the anchor is missing (or unreadable) while a
 * log exists; its signature is not by a key of the history; the log is shorter than the anchored seq;
 * the chain hash or the tree root at the anchored seq differ; or the anchored checkpoint is no longer in
 * checkpoints.jsonl. rootAt (the resumed chain's roots) saves recomputing the tree at boot.
 */
export function checkAnchor(
  lines: readonly string[], checkpoints: readonly (SignedCheckpoint | null)[], anchor: AuditAnchor | null | 'malformed',
  keys: readonly VerifiedKey[], rootAt?: (size: number) => string,
): AnchorReport {
  const base = { logSeq: lines.length, checkpoints: checkpoints.length };
  const fail = (status: AnchorStatus, reason: string, anchoredSeq?: number): AnchorReport => ({ ok: false, status, ...base, ...(anchoredSeq !== undefined ? { anchoredSeq } : {}), reason });
  if (anchor === null || anchor === 'malformed') {
    if (lines.length === 0 && checkpoints.length === 0) return { ok: true, status: 'ok', ...base };
    return fail('missing', `the audit log has ${lines.length} records and ${checkpoints.length} checkpoints but its anchor in kernel.db is ${anchor === null ? 'missing' : 'unreadable'} (kernel.db replaced or reset?)`);
  }
  const n = anchor.seq;
  const cp = anchor.checkpoint;
  const k = keys.find((x) => x.keyId === cp.keyId);
  if (!k || !verifyCheckpoint(cp, k.publicKey, k.keyId) || cp.treeSize > k.untilSize) {
    return fail('forged', `the audit anchor (seq ${n}) is not signed by a key of the node's key history`, n);
  }
  if (lines.length < n) {
    return fail('shorter', `records.jsonl ends at seq ${lines.length} but the anchor says the log reached seq ${n} (tail cut, or an older copy of the log)`, n);
  }
  if (n === 0) return { ok: true, status: 'ok', ...base, anchoredSeq: 0 };
  const head = toHex(leafHash(utf8(lines[n - 1]!)));
  if (head !== anchor.head) return fail('head-differs', `record seq ${n} in records.jsonl has chain hash ${head.slice(0, 16)}.. but the anchor says ${anchor.head.slice(0, 16)}.. (log rewritten)`, n);
  let root: string;
  if (rootAt) root = rootAt(n);
  else {
    const t = new MerkleTree();
    for (let i = 0; i < n; i++) t.appendLeafHash(leafHash(utf8(lines[i]!)));
    root = toHex(t.root(n));
  }
  if (root !== cp.rootHash) return fail('head-differs', `the tree root over records 1..${n} differs from the anchored signed root (log rewritten before seq ${n})`, n);
  const present = checkpoints.some((c) => c !== null && c.treeSize === cp.treeSize && c.rootHash === cp.rootHash && c.signature === cp.signature);
  if (!present) return fail('checkpoint-missing', `checkpoints.jsonl (${checkpoints.length} checkpoints) no longer holds the anchored checkpoint at seq ${n} (checkpoints deleted or replaced)`, n);
  return { ok: true, status: 'ok', ...base, anchoredSeq: n };
}
