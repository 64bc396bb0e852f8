// Byte encodings shared by the security code: hex, base64url, UTF-8 and a canonical JSON.
// Pure functions; trusts nothing (decoders throw AiosError EINVAL on malformed input).
import { AiosError } from '@aios/abi';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const utf8Enc = new TextEncoder();
const utf8Dec = new TextDecoder('utf-8', { fatal: true });

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** Lower- or upper-case hex of even length; anything else is EINVAL. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new AiosError('EINVAL', 'malformed hex string', { length: typeof hex === 'string' ? hex.length : -1 });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
  }
  return s;
}

/** Strict base64url decoder: no padding, no foreign characters, canonical trailing bits; else EINVAL. */
export function fromBase64Url(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 === 1) throw new AiosError('EINVAL', 'malformed base64url');
  const len = s.length;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  const val = (i: number): number => {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new AiosError('EINVAL', 'malformed base64url', { at: i });
    return v;
  };
  let o = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const n = (val(i) << 18) | (val(i + 1) << 12) | (val(i + 2) << 6) | val(i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest === 2) {
    const n = (val(i) << 18) | (val(i + 1) << 12);
    if (n & 0xffff) throw new AiosError('EINVAL', 'malformed base64url: non-canonical trailing bits');
    out[o++] = n >> 16;
  } else if (rest === 3) {
    const n = (val(i) << 18) | (val(i + 1) << 12) | (val(i + 2) << 6);
    if (n & 0xff) throw new AiosError('EINVAL', 'malformed base64url: non-canonical trailing bits');
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
  }
  return out;
}

export function utf8(s: string): Uint8Array {
  return utf8Enc.encode(s);
}

/** Strict UTF-8 decoding (EINVAL on invalid sequences). */
export function fromUtf8(b: Uint8Array): string {
  try {
    return utf8Dec.decode(b);
  } catch {
    throw new AiosError('EINVAL', 'invalid UTF-8');
  }
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, arrays in order.
 * Same value in, same string out, whatever the key insertion order. Non-finite numbers,
 * undefined inside arrays, functions, bigints and symbols are EINVAL (they have no JSON form).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new AiosError('EINVAL', 'non-finite number in canonical JSON');
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v)).join(',') + ']';
      if (ArrayBuffer.isView(value)) throw new AiosError('EINVAL', 'binary value in canonical JSON: encode it first');
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      // Fast path: most objects are small and already in order; sort only when needed.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new AiosError('EINVAL', `value of type ${typeof value} has no canonical JSON form`);
  }
}

/** Constant-shape equality of two byte strings (length leak only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
