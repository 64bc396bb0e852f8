// Hybrid signatures: Ed25519 (@noble/curves) AND ML-DSA-65 (FIPS 204, @noble/post-quantum).
// A signature is valid only if both halves verify, so it holds while either scheme holds.
// Deterministic: keys come from a caller-supplied seed (the random port), signing is unhedged.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { AiosError } from '@aios/abi';
import { sha256Concat, sha256 } from './hash.ts';
import { concatBytes, toHex, utf8 } from './encoding.ts';

/** Wire version byte of every hybrid key and signature encoding. */
export const HYBRID_VERSION = 1;
export const ED25519_PUBLIC_BYTES = 32;
export const ED25519_SIG_BYTES = 64;
export const MLDSA65_PUBLIC_BYTES = 1952;
export const MLDSA65_SIG_BYTES = 3309;
/** 1 + 32 + 1952 */
export const HYBRID_PUBLIC_BYTES = 1 + ED25519_PUBLIC_BYTES + MLDSA65_PUBLIC_BYTES;
/** 1 + 64 + 3309 */
export const HYBRID_SIG_BYTES = 1 + ED25519_SIG_BYTES + MLDSA65_SIG_BYTES;
/** 1 + 32: the secret key is stored as its seed; both halves are re-derived from it. */
export const HYBRID_SECRET_BYTES = 33;

// Domain separation: the signed message is PREFIX || msg for both halves, so a hybrid
// signature is never a valid plain Ed25519/ML-DSA signature over msg (no cross-protocol reuse).
const SIG_PREFIX = utf8('AIOS-HYBRID-SIG-v1\0');
const ED_SEED_TAG = utf8('AIOS-HYBRID-KEY-v1/ed25519\0');
const PQ_SEED_TAG = utf8('AIOS-HYBRID-KEY-v1/ml-dsa-65\0');

export interface HybridPublicKey {
  readonly ed25519: Uint8Array;
  readonly mldsa65: Uint8Array;
}

export interface HybridSecretKey {
  /** The 32-byte seed both halves derive from (this is what encodeSecretKey stores). */
  readonly seed: Uint8Array;
  readonly ed25519: Uint8Array;
  readonly mldsa65: Uint8Array;
  readonly publicKey: HybridPublicKey;
}

export interface HybridKeyPair {
  readonly secretKey: HybridSecretKey;
  readonly publicKey: HybridPublicKey;
  /** hex SHA-256 of the encoded public key. */
  readonly keyId: string;
}

/** Derives a key pair from a 32-byte seed (take it from the random port). Same seed, same keys. */
export function hybridKeygen(seed: Uint8Array): HybridKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new AiosError('EINVAL', 'hybrid key seed must be 32 bytes', { length: seed?.length ?? -1 });
  }
  const ed = ed25519.keygen(sha256Concat(ED_SEED_TAG, seed));
  const pq = ml_dsa65.keygen(sha256Concat(PQ_SEED_TAG, seed));
  const publicKey: HybridPublicKey = { ed25519: ed.publicKey, mldsa65: pq.publicKey };
  const secretKey: HybridSecretKey = { seed: seed.slice(), ed25519: ed.secretKey, mldsa65: pq.secretKey, publicKey };
  return { secretKey, publicKey, keyId: keyId(publicKey) };
}

/** Signs msg with both halves; returns the compact encoding (HYBRID_SIG_BYTES). */
export function hybridSign(secret: HybridSecretKey, msg: Uint8Array): Uint8Array {
  const m = concatBytes(SIG_PREFIX, msg);
  const edSig = ed25519.sign(m, secret.ed25519);
  const pqSig = ml_dsa65.sign(m, secret.mldsa65, { extraEntropy: false });
  return concatBytes(Uint8Array.of(HYBRID_VERSION), edSig, pqSig);
}

/**
 * Hybrid signing with the ML-DSA-65 half delegated (e.g. to the offload port's worker): the
 * Ed25519 half is made here, pqSign(message, mldsaSecretKey) must return an ML-DSA-65 signature
 * over exactly `message`. The result verifies with hybridVerify like hybridSign's.
 */
export async function hybridSignDelegated(
  secret: HybridSecretKey, msg: Uint8Array, pqSign: (message: Uint8Array, secretKey: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const m = concatBytes(SIG_PREFIX, msg);
  const edSig = ed25519.sign(m, secret.ed25519);
  const pqSig = await pqSign(m, secret.mldsa65);
  if (!(pqSig instanceof Uint8Array) || pqSig.length !== MLDSA65_SIG_BYTES) {
    throw new AiosError('EIO', 'delegated ML-DSA-65 signature has the wrong length', { length: pqSig?.length ?? -1 });
  }
  return concatBytes(Uint8Array.of(HYBRID_VERSION), edSig, pqSig);
}

/** Signs with the Ed25519 half only: not a hybrid signature; exposed for the baseline benchmark. */
export function ed25519OnlySign(secret: HybridSecretKey, msg: Uint8Array): Uint8Array {
  return ed25519.sign(concatBytes(SIG_PREFIX, msg), secret.ed25519);
}

export function ed25519OnlyVerify(pub: HybridPublicKey, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, concatBytes(SIG_PREFIX, msg), pub.ed25519);
  } catch {
    return false;
  }
}

/**
 * True only if the encoding is well formed AND the Ed25519 half AND the ML-DSA-65 half verify.
 * Never throws: malformed keys or signatures are simply false.
 */
export function hybridVerify(pub: HybridPublicKey, msg: Uint8Array, sig: Uint8Array): boolean {
  if (!(sig instanceof Uint8Array) || sig.length !== HYBRID_SIG_BYTES || sig[0] !== HYBRID_VERSION) return false;
  if (pub?.ed25519?.length !== ED25519_PUBLIC_BYTES || pub?.mldsa65?.length !== MLDSA65_PUBLIC_BYTES) return false;
  const m = concatBytes(SIG_PREFIX, msg);
  try {
    // The cheap half first: a forgery usually fails here without paying for ML-DSA.
    if (!ed25519.verify(sig.subarray(1, 1 + ED25519_SIG_BYTES), m, pub.ed25519)) return false;
    return ml_dsa65.verify(sig.subarray(1 + ED25519_SIG_BYTES), m, pub.mldsa65);
  } catch {
    return false;
  }
}

export function encodePublicKey(pub: HybridPublicKey): Uint8Array {
  return concatBytes(Uint8Array.of(HYBRID_VERSION), pub.ed25519, pub.mldsa65);
}

/** EINVAL on a wrong length or version. */
export function decodePublicKey(bytes: Uint8Array): HybridPublicKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HYBRID_PUBLIC_BYTES || bytes[0] !== HYBRID_VERSION) {
    throw new AiosError('EINVAL', 'malformed hybrid public key', { length: bytes?.length ?? -1 });
  }
  return {
    ed25519: bytes.slice(1, 1 + ED25519_PUBLIC_BYTES),
    mldsa65: bytes.slice(1 + ED25519_PUBLIC_BYTES),
  };
}

/** The secret key as version || seed (33 bytes). Treat the result as secret. */
export function encodeSecretKey(secret: HybridSecretKey): Uint8Array {
  return concatBytes(Uint8Array.of(HYBRID_VERSION), secret.seed);
}

/** EINVAL on a wrong length or version; re-derives both halves from the stored seed. */
export function decodeSecretKey(bytes: Uint8Array): HybridKeyPair {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HYBRID_SECRET_BYTES || bytes[0] !== HYBRID_VERSION) {
    throw new AiosError('EINVAL', 'malformed hybrid secret key');
  }
  return hybridKeygen(bytes.slice(1));
}

/** Key id: hex SHA-256 of the encoded public key (64 hex characters). */
export function keyId(pub: HybridPublicKey): string {
  return toHex(sha256(encodePublicKey(pub)));
}
