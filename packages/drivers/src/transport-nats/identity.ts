// A node's link identity: Ed25519 + ML-DSA-65 keys derived from one 32-byte seed, and hybrid
// signatures (both halves must verify). Trusts nothing; the seed comes from the caller (random or stored).
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AiosError } from '@aios/abi';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const SIG_PREFIX = utf8('AIOS-LINK-SIG-v1\0');

export interface NodeIdentity {
  readonly seed: Uint8Array;
  readonly edPublic: Uint8Array;
  readonly pqPublic: Uint8Array;
  readonly edSecret: Uint8Array;
  readonly pqSecret: Uint8Array;
  /** hex SHA-256 of edPublic || pqPublic: what the directory pins for the node's name. */
  readonly keyId: string;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function keyIdOf(edPublic: Uint8Array, pqPublic: Uint8Array): string {
  return Buffer.from(sha256(cat(edPublic, pqPublic))).toString('hex');
}

/** Keys from a 32-byte seed (a fresh random one when omitted). Same seed, same keys. */
export function nodeIdentity(seed: Uint8Array = randomBytes(32)): NodeIdentity {
  if (seed.length !== 32) throw new AiosError('EINVAL', 'node key seed must be 32 bytes', { length: seed.length });
  const ed = ed25519.keygen(sha256(cat(utf8('aios-link-ed25519'), seed)));
  const pq = ml_dsa65.keygen(sha256(cat(utf8('aios-link-ml-dsa-65'), seed)));
  return { seed: Uint8Array.from(seed), edPublic: ed.publicKey, pqPublic: pq.publicKey, edSecret: ed.secretKey, pqSecret: pq.secretKey, keyId: keyIdOf(ed.publicKey, pq.publicKey) };
}

/** Hybrid signature: Ed25519 (64 bytes) || ML-DSA-65 over PREFIX || msg. */
export function hybridSign(id: NodeIdentity, msg: Uint8Array): Uint8Array {
  const m = cat(SIG_PREFIX, msg);
  return cat(ed25519.sign(m, id.edSecret), ml_dsa65.sign(m, id.pqSecret));
}

/** True only when both halves verify. */
export function hybridVerify(edPublic: Uint8Array, pqPublic: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length < 65) return false;
  const m = cat(SIG_PREFIX, msg);
  try {
    return ed25519.verify(sig.subarray(0, 64), m, edPublic) && ml_dsa65.verify(sig.subarray(64), m, pqPublic);
  } catch {
    return false;
  }
}

export { cat };
