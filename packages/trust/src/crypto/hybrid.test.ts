import { describe, it, expect } from 'vitest';
import {
  hybridKeygen, hybridSign, hybridVerify, encodePublicKey, decodePublicKey, encodeSecretKey, decodeSecretKey, keyId,
  HYBRID_SIG_BYTES, HYBRID_PUBLIC_BYTES,
} from './hybrid.ts';
import { toBase64Url, fromBase64Url, canonicalJson, fromHex, toHex, utf8 } from './encoding.ts';

const seed = (n: number) => new Uint8Array(32).fill(n);
const A = hybridKeygen(seed(1));
const B = hybridKeygen(seed(2));
const msg = utf8('hello aios');

describe('crypto - hybrid signatures', () => {
  it('crypto - same seed gives the same keys and key id; different seeds differ', () => {
    const again = hybridKeygen(seed(1));
    expect(again.keyId).toBe(A.keyId);
    expect(A.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(B.keyId).not.toBe(A.keyId);
  });

  it('crypto - a signature verifies under its key only, and is deterministic', () => {
    const sig = hybridSign(A.secretKey, msg);
    expect(sig.length).toBe(HYBRID_SIG_BYTES);
    expect(hybridVerify(A.publicKey, msg, sig)).toBe(true);
    expect(hybridVerify(B.publicKey, msg, sig)).toBe(false);
    expect(hybridVerify(A.publicKey, utf8('hello aioS'), sig)).toBe(false);
    expect(toHex(hybridSign(A.secretKey, msg))).toBe(toHex(sig));
  });

  it('crypto - both halves must verify: swapping either half for another key fails', () => {
    const sa = hybridSign(A.secretKey, msg);
    const sb = hybridSign(B.secretKey, msg);
    const edFromB = sa.slice();
    edFromB.set(sb.subarray(1, 65), 1);
    const pqFromB = sa.slice();
    pqFromB.set(sb.subarray(65), 65);
    expect(hybridVerify(A.publicKey, msg, edFromB)).toBe(false);
    expect(hybridVerify(A.publicKey, msg, pqFromB)).toBe(false);
    // a public key mixing halves of two keys does not verify either signature
    const mixed = { ed25519: A.publicKey.ed25519, mldsa65: B.publicKey.mldsa65 };
    expect(hybridVerify(mixed, msg, sa)).toBe(false);
    expect(hybridVerify(mixed, msg, sb)).toBe(false);
  });

  it('crypto - malformed signatures and keys are false, never a throw', () => {
    const sig = hybridSign(A.secretKey, msg);
    expect(hybridVerify(A.publicKey, msg, sig.subarray(0, 100))).toBe(false);
    const badVersion = sig.slice();
    badVersion[0] = 9;
    expect(hybridVerify(A.publicKey, msg, badVersion)).toBe(false);
    expect(hybridVerify({ ed25519: new Uint8Array(3), mldsa65: new Uint8Array(3) }, msg, sig)).toBe(false);
  });

  it('crypto - keys round-trip through their compact encodings; bad encodings are EINVAL', () => {
    const pub = encodePublicKey(A.publicKey);
    expect(pub.length).toBe(HYBRID_PUBLIC_BYTES);
    expect(keyId(decodePublicKey(pub))).toBe(A.keyId);
    const sec = encodeSecretKey(A.secretKey);
    expect(sec.length).toBe(33);
    expect(decodeSecretKey(sec).keyId).toBe(A.keyId);
    expect(() => decodePublicKey(pub.subarray(1))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => decodeSecretKey(new Uint8Array(33))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => hybridKeygen(new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('crypto - encodings', () => {
  it('crypto - base64url and hex round-trip every length; malformed input is EINVAL', () => {
    for (let n = 0; n < 20; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
      expect(fromHex(toHex(b))).toEqual(b);
    }
    expect(() => fromBase64Url('ab=c')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => fromBase64Url('abcde')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => fromHex('abc')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => fromHex('zz')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('crypto - canonical JSON ignores key order and refuses non-JSON values', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(() => canonicalJson({ a: NaN })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => canonicalJson({ a: 1n })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
