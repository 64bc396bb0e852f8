// Offline access to a node's persisted audit log (<dataDir>/audit/*.jsonl): read-only, so it is safe
// while the node runs. Verification across key rotations, inclusion proofs, tail and grep.
// Trusts only the key history's first key (or a pinned key id) and what its endorsements lead to.
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import { CHECKPOINTS_FILE, RECORDS_FILE, forEachLine, readLinesOf } from '@aios/drivers/audit-file';
import {
  MerkleTree, decodePublicKey, encodePublicKey, fromBase64Url, fromHex, leafHash, toBase64Url, toHex, utf8,
  verifyAuditInclusion, verifyAuditLines, verifyCheckpoint, type AuditEntry, type AuditInclusionProof,
  type AuditVerifyReport, type SignedCheckpoint,
} from '@aios/trust';
import { trustedKeys, type VerifiedKey } from './history.ts';
import { checkAnchor, readAnchor, type AnchorReport } from './audit-anchor.ts';
import { readNodeState } from '../node/node-state.ts';

export const AUDIT_DIR = 'audit';

export function auditDir(dataDir: string): string {
  return join(dataDir, AUDIT_DIR);
}

/** Complete lines, read in chunks: never one string of the whole log (a crash's or a running writer's torn line is left out). */
const completeLines = readLinesOf;

/** Stored record lines (verbatim) and checkpoints; a checkpoint line that is not JSON becomes null (a forged checkpoint). */
export async function readAuditFiles(dataDir: string): Promise<{ lines: string[]; checkpoints: SignedCheckpoint[] }> {
  const dir = auditDir(dataDir);
  const lines = await completeLines(join(dir, RECORDS_FILE));
  const checkpoints = (await completeLines(join(dir, CHECKPOINTS_FILE))).map((l) => {
    try {
      return JSON.parse(l) as SignedCheckpoint;
    } catch {
      return null as unknown as SignedCheckpoint;
    }
  });
  return { lines, checkpoints };
}

export interface FolderVerifyReport extends AuditVerifyReport {
  /** Node keys in the verified key history. */
  keys: number;
  /** The log compared with its anchored head in kernel.db (verifyAuditFolder only). */
  anchor?: AnchorReport;
}

/**
 * verifyAuditLines across key rotations: every checkpoint must be signed by a key of the history and
 * lie in that key's tenure; checkpoints never go back; each key's checkpoints are checked against the
 * records with verifyAuditLines, and the earliest fault wins.
 */
export function verifyAcrossKeys(lines: readonly string[], checkpoints: readonly SignedCheckpoint[], keys: readonly VerifiedKey[]): FolderVerifyReport {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  const groups = new Map<string, number[]>(keys.map((k) => [k.keyId, []]));
  let lastSize = 0;
  let lastTime = -Infinity;
  const fail = (fault: 'checkpoint-forged' | 'checkpoint-order', c: number, reason: string): FolderVerifyReport => ({
    ok: false, records: lines.length, checkpoints: checkpoints.length, signedPrefix: 0, fault, checkpointIndex: c, reason, keys: keys.length,
  });
  for (const [c, cp] of checkpoints.entries()) {
    const k = cp && typeof cp === 'object' ? byId.get(cp.keyId) : undefined;
    if (!k) return fail('checkpoint-forged', c, `checkpoint ${c} is malformed or signed by a key outside the key history`);
    if (!(cp.treeSize >= k.fromSize && cp.treeSize <= k.untilSize)) {
      return fail('checkpoint-forged', c, `checkpoint ${c} (treeSize ${cp.treeSize}) lies outside the tenure of key ${k.keyId.slice(0, 16)} [${k.fromSize}, ${k.untilSize}]`);
    }
    if (cp.treeSize < lastSize || cp.time < lastTime) return fail('checkpoint-order', c, `checkpoint ${c} goes backwards`);
    lastSize = cp.treeSize;
    lastTime = cp.time;
    groups.get(k.keyId)!.push(c);
  }
  const current = keys[keys.length - 1]!;
  let best: AuditVerifyReport | null = null;
  let signedPrefix = 0;
  let full: AuditVerifyReport | null = null;
  for (const k of keys) {
    const idx = groups.get(k.keyId)!;
    if (idx.length === 0 && k !== current) continue;
    const cps = idx.map((i) => checkpoints[i]!);
    // The current key's run sees every record (so record faults anywhere are found); older keys need
    // only the prefix their checkpoints cover.
    const upto = k === current ? lines.length : Math.max(...cps.map((c) => c.treeSize));
    const r = verifyAuditLines(k === current ? lines : lines.slice(0, upto), cps, k.publicKey);
    if (k === current) full = r;
    if (r.checkpointIndex !== undefined) r.checkpointIndex = idx[r.checkpointIndex];
    signedPrefix = Math.max(signedPrefix, r.signedPrefix);
    if (!r.ok) {
      const rank = (x: AuditVerifyReport) => x.firstBadIndex ?? Number.MAX_SAFE_INTEGER;
      if (best === null || rank(r) < rank(best)) best = r;
    }
  }
  const out: FolderVerifyReport = { ...(best ?? full!), records: lines.length, checkpoints: checkpoints.length, signedPrefix, keys: keys.length };
  if (best === null && full?.rootHash) out.rootHash = full.rootHash;
  return out;
}

/**
 * Verifies a data folder's audit log offline (no node needed; safe while one runs): the chain, the
 * checkpoints, and the log against its anchor in kernel.db (read first: the anchor only lags the log).
 * ok is false when either check fails; report.anchor says which anchor check failed and why.
 */
export async function verifyAuditFolder(dataDir: string, pinnedRoot?: string): Promise<FolderVerifyReport> {
  const keys = await trustedKeys(dataDir, pinnedRoot);
  const state = readNodeState(dataDir);
  let anchor;
  try {
    anchor = state ? readAnchor(state) : null;
  } finally {
    state?.close();
  }
  const { lines, checkpoints } = await readAuditFiles(dataDir);
  const r = verifyAcrossKeys(lines, checkpoints, keys);
  r.anchor = checkAnchor(lines, checkpoints, anchor, keys);
  if (!r.anchor.ok && r.ok) {
    r.ok = false;
    r.reason = `anchor: ${r.anchor.reason}`;
  }
  return r;
}

/** What `aios audit proof SEQ` prints and `aios audit verify-proof FILE` checks. */
export interface ProofBundle {
  v: 1;
  entry: AuditEntry;
  proof: AuditInclusionProof;
  checkpoint: SignedCheckpoint;
  /** base64url of the encoded hybrid public key that signed the checkpoint. */
  publicKey: string;
}

/** An inclusion proof of record seq against the latest checkpoint that covers it. EAGAIN when none does yet. */
export async function buildProof(dataDir: string, seq: number, pinnedRoot?: string): Promise<ProofBundle> {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new AiosError('EINVAL', 'SEQ must be a positive integer', { arg: 'SEQ' });
  const keys = await trustedKeys(dataDir, pinnedRoot);
  const { lines, checkpoints } = await readAuditFiles(dataDir);
  if (seq > lines.length) throw new AiosError('ENOENT', `no audit record ${seq} (the log has ${lines.length})`, { seq, records: lines.length });
  const cp = [...checkpoints].reverse().find((c) => c && c.treeSize >= seq && c.treeSize <= lines.length);
  if (!cp) throw new AiosError('EAGAIN', `record ${seq} is not covered by a checkpoint yet (one is cut at least every second while the node runs)`, { seq });
  const key = keys.find((k) => k.keyId === cp.keyId);
  if (!key || !verifyCheckpoint(cp, key.publicKey, key.keyId)) throw new AiosError('EIO', 'the covering checkpoint does not verify: run `aios audit verify`');
  const tree = new MerkleTree();
  for (let i = 0; i < cp.treeSize; i++) tree.appendLeafHash(leafHash(utf8(lines[i]!)));
  if (toHex(tree.root(cp.treeSize)) !== cp.rootHash) throw new AiosError('EIO', 'the stored records do not match the checkpoint: run `aios audit verify`');
  let entry: AuditEntry;
  try {
    entry = JSON.parse(lines[seq - 1]!) as AuditEntry;
  } catch {
    throw new AiosError('EIO', `record ${seq} is not JSON: run \`aios audit verify\``);
  }
  const proof: AuditInclusionProof = { seq, leafIndex: seq - 1, treeSize: cp.treeSize, path: tree.inclusionProof(seq - 1, cp.treeSize).map(toHex) };
  return { v: 1, entry, proof, checkpoint: cp, publicKey: toBase64Url(encodePublicKey(key.publicKey)) };
}

/**
 * Checks a proof bundle offline. trusted (key ids, e.g. from a data folder's history or --key) restricts
 * which signer is accepted; without it the bundle's own key is used (it must match the checkpoint's key id).
 */
export function verifyProofBundle(b: ProofBundle, trusted?: readonly string[]): { ok: boolean; reason?: string; keyId?: string } {
  try {
    if (b?.v !== 1 || !b.entry || !b.proof || !b.checkpoint) return { ok: false, reason: 'malformed proof file' };
    const pub = decodePublicKey(fromBase64Url(b.publicKey));
    if (trusted && !trusted.includes(b.checkpoint.keyId)) return { ok: false, reason: `checkpoint key ${b.checkpoint.keyId} is not trusted` };
    if (!verifyCheckpoint(b.checkpoint, pub)) return { ok: false, reason: 'checkpoint signature or key id does not verify' };
    for (const h of b.proof.path) fromHex(h);
    if (!verifyAuditInclusion(b.entry, b.proof, b.checkpoint, pub)) return { ok: false, reason: 'inclusion path does not lead to the signed root' };
    return { ok: true, keyId: b.checkpoint.keyId };
  } catch (e) {
    return { ok: false, reason: `malformed proof file: ${(e as Error).message}` };
  }
}

/** The last n stored records (parsed; a line that is not JSON is skipped). Streams: holds n lines at most. */
export async function tailRecords(dataDir: string, n: number): Promise<AuditEntry[]> {
  if (n < 1) return [];
  const ring: string[] = [];
  let next = 0;
  await forEachLine(join(auditDir(dataDir), RECORDS_FILE), (l) => {
    if (ring.length < n) ring.push(l);
    else ring[next] = l;
    next = (next + 1) % n;
  });
  return parseSome(ring.length < n ? ring : [...ring.slice(next), ...ring.slice(0, next)]);
}

/** Stored records whose line matches the pattern (a regular expression; EINVAL when it is not one). Streams the log. */
export async function grepRecords(dataDir: string, pattern: string, flags = ''): Promise<AuditEntry[]> {
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags.replace(/[gy]/g, ''));
  } catch (e) {
    throw new AiosError('EINVAL', `bad pattern: ${(e as Error).message}`, { arg: 'PATTERN' });
  }
  const hits: string[] = [];
  await forEachLine(join(auditDir(dataDir), RECORDS_FILE), (l) => {
    if (re.test(l)) hits.push(l);
  });
  return parseSome(hits);
}

function parseSome(lines: string[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const l of lines) {
    try {
      out.push(JSON.parse(l) as AuditEntry);
    } catch {
      /* shown by aios audit verify */
    }
  }
  return out;
}
