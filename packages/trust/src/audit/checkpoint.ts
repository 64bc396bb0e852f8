// Audit checkpoints: the Merkle root at a tree size, hybrid-signed by the node key, plus the
// emission policy (every N records or every T ms of the clock port). Trusts only the key it is given.
import { hybridSign, hybridVerify, keyId as keyIdOf } from '../crypto/hybrid.ts';
import type { HybridKeyPair, HybridPublicKey } from '../crypto/hybrid.ts';
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.ts';
import type { SignedCheckpoint } from './chain-types.ts';

/** Default emission policy: at least every 1,000 records or every second, whichever comes first. */
export const CHECKPOINT_EVERY_RECORDS = 1000;
export const CHECKPOINT_EVERY_MS = 1000;

/** The exact bytes signed: a versioned, line-based text (no JSON ambiguity). */
export function checkpointMessage(treeSize: number, rootHash: string, time: number, keyId: string): Uint8Array {
  return utf8(`AIOS-AUDIT-CHECKPOINT-v1\n${treeSize}\n${rootHash}\n${time}\n${keyId}\n`);
}

export function signCheckpoint(treeSize: number, rootHash: string, time: number, key: HybridKeyPair): SignedCheckpoint {
  const sig = hybridSign(key.secretKey, checkpointMessage(treeSize, rootHash, time, key.keyId));
  return { treeSize, rootHash, time, keyId: key.keyId, signature: toBase64Url(sig) };
}

/** True only if well formed, made by this key (key id matches) and both signature halves verify. */
export function verifyCheckpoint(cp: SignedCheckpoint, publicKey: HybridPublicKey, publicKeyId?: string): boolean {
  if (cp === null || typeof cp !== 'object') return false;
  if (!Number.isSafeInteger(cp.treeSize) || cp.treeSize < 0) return false;
  if (typeof cp.rootHash !== 'string' || !/^[0-9a-f]{64}$/.test(cp.rootHash)) return false;
  if (typeof cp.time !== 'number' || !Number.isFinite(cp.time)) return false;
  const kid = publicKeyId ?? keyIdOf(publicKey);
  if (cp.keyId !== kid || typeof cp.signature !== 'string') return false;
  let sig: Uint8Array;
  try {
    sig = fromBase64Url(cp.signature);
  } catch {
    return false;
  }
  return hybridVerify(publicKey, checkpointMessage(cp.treeSize, cp.rootHash, cp.time, cp.keyId), sig);
}
