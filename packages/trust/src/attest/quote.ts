// Attestation quotes: the node key (hybrid Ed25519 + ML-DSA-65) signs the register values together
// with a verifier's fresh nonce, so the verifier knows the values are current and come from this node.
// verifyQuote works offline with only the node's public key.
import { AiosError } from '@aios/abi';
import { hybridSign, hybridVerify, keyId as keyIdOf } from '../crypto/hybrid.ts';
import type { HybridKeyPair, HybridPublicKey } from '../crypto/hybrid.ts';
import { bytesEqual, fromBase64Url, fromHex, toBase64Url, toHex, utf8 } from '../crypto/encoding.ts';
import { replayEventLog } from './registers.ts';
import type { MeasurementEvent, MeasurementRegisters } from './registers.ts';

export interface Quote {
  v: 1;
  /** hex of the verifier's nonce. */
  nonce: string;
  /** hex register values, by index. */
  registers: string[];
  /** Clock-port time at quoting, ms (informative; freshness comes from the nonce). */
  time: number;
  keyId: string;
  /** base64url hybrid signature over quoteMessage(). */
  signature: string;
  /** The event log, so a verifier can check what produced the values. */
  eventLog: MeasurementEvent[];
}

export interface QuoteVerification {
  ok: boolean;
  reason?: string;
  registers?: string[];
}

/** The exact bytes signed. The event log is not signed: it is checked by replaying it into the signed values. */
export function quoteMessage(nonce: string, registers: readonly string[], time: number, keyId: string): Uint8Array {
  return utf8(`AIOS-QUOTE-v1\n${nonce}\n${time}\n${keyId}\n${registers.join('\n')}\n`);
}

/** Signs the current register values with the nonce. EINVAL unless the nonce is 16..64 bytes. */
export function quote(nonce: Uint8Array, key: HybridKeyPair, registers: MeasurementRegisters, time: number): Quote {
  if (!(nonce instanceof Uint8Array) || nonce.length < 16 || nonce.length > 64) throw new AiosError('EINVAL', 'quote nonce must be 16..64 bytes');
  const values = registers.values();
  const n = toHex(nonce);
  const sig = hybridSign(key.secretKey, quoteMessage(n, values, time, key.keyId));
  return { v: 1, nonce: n, registers: values, time, keyId: key.keyId, signature: toBase64Url(sig), eventLog: [...registers.eventLog()] };
}

/**
 * Offline check: the quote is signed by publicKey (both halves), carries expectedNonce, and its
 * event log replays to exactly the quoted register values. Never throws on bad input.
 */
export function verifyQuote(q: Quote, publicKey: HybridPublicKey, expectedNonce: Uint8Array): QuoteVerification {
  try {
    if (q?.v !== 1 || !Array.isArray(q.registers) || typeof q.nonce !== 'string') return { ok: false, reason: 'malformed quote' };
    if (!q.registers.every((r) => typeof r === 'string' && /^[0-9a-f]{64}$/.test(r))) return { ok: false, reason: 'malformed register value' };
    if (!bytesEqual(fromHex(q.nonce), expectedNonce)) return { ok: false, reason: 'nonce mismatch (stale or replayed quote)' };
    if (q.keyId !== keyIdOf(publicKey)) return { ok: false, reason: 'quote is from another key' };
    if (typeof q.time !== 'number' || !Number.isFinite(q.time)) return { ok: false, reason: 'malformed time' };
    const sig = fromBase64Url(q.signature);
    if (!hybridVerify(publicKey, quoteMessage(q.nonce, q.registers, q.time, q.keyId), sig)) return { ok: false, reason: 'bad signature' };
    const replayed = replayEventLog(q.eventLog ?? [], q.registers.length);
    if (replayed.some((v, i) => v !== q.registers[i])) return { ok: false, reason: 'event log does not replay to the quoted values' };
    return { ok: true, registers: q.registers.slice() };
  } catch {
    return { ok: false, reason: 'malformed quote' };
  }
}
