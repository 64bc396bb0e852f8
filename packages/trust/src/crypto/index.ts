// Public surface of the crypto helpers: hybrid signatures, SHA-256, encodings.
export {
  hybridKeygen, hybridSign, hybridSignDelegated, hybridVerify, encodePublicKey, decodePublicKey, encodeSecretKey, decodeSecretKey, keyId,
  ed25519OnlySign, ed25519OnlyVerify,
  HYBRID_VERSION, HYBRID_PUBLIC_BYTES, HYBRID_SIG_BYTES, HYBRID_SECRET_BYTES,
} from './hybrid.ts';
export type { HybridPublicKey, HybridSecretKey, HybridKeyPair } from './hybrid.ts';
export { sha256, sha256Concat, SHA256_BYTES } from './hash.ts';
export { toHex, fromHex, toBase64Url, fromBase64Url, utf8, fromUtf8, canonicalJson, bytesEqual, concatBytes } from './encoding.ts';
