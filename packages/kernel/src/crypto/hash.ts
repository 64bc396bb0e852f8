// SHA-256 for the kernel's security code (audit tree, key ids, attestation), from @noble/hashes.
// Pure and deterministic; the one place that picks the hash implementation.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export const SHA256_BYTES = 32;

/** SHA-256 of one byte string. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-256 of the concatenation of several byte strings, without building the concatenation. */
export function sha256Concat(...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}
