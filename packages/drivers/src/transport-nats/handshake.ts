// The link handshake between two nodes: X25519 + ML-KEM-768 key agreement, the cluster cookie mixed in
// as a pre-shared key (every handshake frame carries an HMAC under a key derived from it, and it salts the
// key derivation), transcript signed with both nodes' Ed25519 + ML-DSA-65 keys. Three frames:
//   hs1 A->B: A's ephemeral X25519 and ML-KEM public keys, A's identity keys
//   hs2 B->A: B's ephemeral X25519 key, the ML-KEM ciphertext, B's identity keys, B's signature of th2
//   hs3 A->B: A's signature of th3 = H(th2 || 'confirm')
// A frame whose cookie MAC fails is refused before anything in it is used. Trusts nothing from the broker.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AiosError } from '@aios/abi';
import { cat, hybridSign, hybridVerify, type NodeIdentity } from './identity.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const unb64 = (s: unknown): Uint8Array => {
  if (typeof s !== 'string') throw new AiosError('EINVAL', 'handshake field missing');
  return new Uint8Array(Buffer.from(s, 'base64'));
};

/** The key every handshake MAC and the link key derivation use: HKDF of the cookie. */
export function cookieKey(cookie: string): Uint8Array {
  return hkdf(sha256, utf8(cookie), utf8('aios-cluster-v1'), utf8('cookie'), 32);
}

/** A handshake frame as it travels: the body's exact JSON text, an optional signature, the cookie MAC. */
export interface HsFrame {
  body: string;
  sig?: string;
  mac: string;
}

export interface HsBody {
  t: 'hs1' | 'hs2' | 'hs3';
  from: string;
  to: string;
  [k: string]: unknown;
}

export interface LinkKeys {
  /** Key for frames this node sends. */
  send: Uint8Array;
  /** Key for frames this node receives. */
  recv: Uint8Array;
  /** Peer identity keys as presented (the caller pins them against the directory). */
  peerEd: Uint8Array;
  peerPq: Uint8Array;
}

function macOf(key: Uint8Array, body: string, sig: string | undefined): Uint8Array {
  return hmac(sha256, key, utf8(sig === undefined ? body : `${body}\n${sig}`));
}

export function sealHs(key: Uint8Array, body: HsBody, sig?: Uint8Array): HsFrame {
  const text = JSON.stringify(body);
  const s = sig === undefined ? undefined : b64(sig);
  return { body: text, ...(s !== undefined ? { sig: s } : {}), mac: b64(macOf(key, text, s)) };
}

/** Parses a frame and checks its cookie MAC; EACCES when the MAC fails (another cookie, or tampering). */
export function openHs(key: Uint8Array, f: HsFrame): HsBody {
  if (typeof f?.body !== 'string' || typeof f.mac !== 'string') throw new AiosError('EINVAL', 'malformed handshake frame');
  const want = macOf(key, f.body, f.sig);
  const got = unb64(f.mac);
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new AiosError('EACCES', 'cluster cookie mismatch', { reason: 'cookie' });
  const body = JSON.parse(f.body) as HsBody;
  if (body === null || typeof body !== 'object' || typeof body.from !== 'string' || typeof body.to !== 'string') throw new AiosError('EINVAL', 'malformed handshake body');
  return body;
}

function deriveKeys(ssX: Uint8Array, ssK: Uint8Array, ck: Uint8Array, th2: Uint8Array): { ab: Uint8Array; ba: Uint8Array } {
  const okm = hkdf(sha256, cat(ssX, ssK), ck, cat(utf8('aios-link-v1'), th2), 64);
  return { ab: okm.slice(0, 32), ba: okm.slice(32) };
}

const th2Of = (f1: HsFrame, f2: HsFrame): Uint8Array => sha256(utf8(`${f1.body}\n${f2.body}`));
const th3Of = (th2: Uint8Array): Uint8Array => sha256(cat(th2, utf8('confirm')));

/** The initiator's side. */
export class Initiator {
  private readonly xSecret = x25519.utils.randomSecretKey();
  private readonly kem = ml_kem768.keygen(randomBytes(64));
  readonly hs1: HsFrame;
  constructor(private readonly id: NodeIdentity, private readonly ck: Uint8Array, readonly from: string, readonly to: string) {
    this.hs1 = sealHs(ck, {
      t: 'hs1', from, to, n: b64(randomBytes(16)), x: b64(x25519.getPublicKey(this.xSecret)), kem: b64(this.kem.publicKey),
      ed: b64(id.edPublic), pq: b64(id.pqPublic),
    });
  }

  /** Takes hs2 (already MAC-checked into body), returns hs3 and the link keys; EACCES on a bad signature. */
  finish(f2: HsFrame, b2: HsBody): { hs3: HsFrame; keys: LinkKeys } {
    const peerEd = unb64(b2.ed);
    const peerPq = unb64(b2.pq);
    const th2 = th2Of(this.hs1, f2);
    if (!hybridVerify(peerEd, peerPq, th2, unb64(f2.sig))) throw new AiosError('EACCES', `handshake signature of ${this.to} does not verify`, { node: this.to, reason: 'signature' });
    const ssX = x25519.getSharedSecret(this.xSecret, unb64(b2.x));
    const ssK = ml_kem768.decapsulate(unb64(b2.ct), this.kem.secretKey);
    const { ab, ba } = deriveKeys(ssX, ssK, this.ck, th2);
    const hs3 = sealHs(this.ck, { t: 'hs3', from: this.from, to: this.to }, hybridSign(this.id, th3Of(th2)));
    return { hs3, keys: { send: ab, recv: ba, peerEd, peerPq } };
  }
}

/** The responder's side: built from a MAC-checked hs1; `hs2` is its answer; `confirm` checks hs3. */
export class Responder {
  readonly hs2: HsFrame;
  private readonly th2: Uint8Array;
  private readonly keys: { ab: Uint8Array; ba: Uint8Array };
  readonly peerEd: Uint8Array;
  readonly peerPq: Uint8Array;
  constructor(id: NodeIdentity, ck: Uint8Array, f1: HsFrame, b1: HsBody) {
    this.peerEd = unb64(b1.ed);
    this.peerPq = unb64(b1.pq);
    const xSecret = x25519.utils.randomSecretKey();
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(unb64(b1.kem));
    const ssX = x25519.getSharedSecret(xSecret, unb64(b1.x));
    const body: HsBody = { t: 'hs2', from: b1.to, to: b1.from, n: b64(randomBytes(16)), x: b64(x25519.getPublicKey(xSecret)), ct: b64(cipherText), ed: b64(id.edPublic), pq: b64(id.pqPublic) };
    const text = JSON.stringify(body);
    this.th2 = sha256(utf8(`${f1.body}\n${text}`));
    const sig = b64(hybridSign(id, this.th2));
    this.hs2 = { body: text, sig, mac: b64(macOf(ck, text, sig)) };
    this.keys = deriveKeys(ssX, sharedSecret, ck, this.th2);
  }

  /** Checks the initiator's signature in hs3; EACCES when it does not verify. */
  confirm(f3: HsFrame): LinkKeys {
    if (!hybridVerify(this.peerEd, this.peerPq, th3Of(this.th2), unb64(f3.sig))) throw new AiosError('EACCES', 'handshake confirmation does not verify', { reason: 'signature' });
    return { send: this.keys.ba, recv: this.keys.ab, peerEd: this.peerEd, peerPq: this.peerPq };
  }
}
