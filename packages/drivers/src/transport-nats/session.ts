// One direction-pair of link encryption: ChaCha20-Poly1305 with a 96-bit nonce epoch(4) || seq(8).
// Keys rotate by an HKDF ratchet every `rekeyMessages` frames or `rekeyMs`; the old key is dropped, so a
// later key leak does not open earlier traffic of the link. A frame that fails authentication, replays
// a sequence number, or comes from an epoch already left is rejected (EACCES) and never delivered.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AiosError } from '@aios/abi';

const ROTATE_INFO = new TextEncoder().encode('aios-link-rotate');
const TAG = 16;
/** Epochs a receiver will ratchet forward in one step (a sender cannot skip more). */
const MAX_EPOCH_SKIP = 4;

const next = (k: Uint8Array): Uint8Array => hkdf(sha256, k, undefined, ROTATE_INFO, 32);

function nonce(epoch: number, seq: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(epoch, 0);
  n.writeUInt32BE(Math.floor(seq / 2 ** 32), 4);
  n.writeUInt32BE(seq >>> 0, 8);
  return n;
}

export interface SealedHeader {
  epoch: number;
  seq: number;
}

export class LinkSession {
  private sendKey: Uint8Array;
  private recvKey: Uint8Array;
  sendEpoch = 0;
  private sendSeq = 0;
  private sendSince: number;
  recvEpoch = 0;
  private recvSeq = -1;
  /** Frames rejected (bad tag, replay, stale epoch). */
  rejected = 0;

  constructor(send: Uint8Array, recv: Uint8Array, private readonly rekeyMessages: number, private readonly rekeyMs: number, private readonly now: () => number = Date.now) {
    this.sendKey = send;
    this.recvKey = recv;
    this.sendSince = now();
  }

  /** Encrypts plaintext; aadOf receives the (epoch, seq) chosen and returns the AAD binding them. Returns ciphertext || tag. */
  sealWith(aadOf: (h: SealedHeader) => Uint8Array, plaintext: Uint8Array): Buffer {
    if (this.sendSeq >= this.rekeyMessages || this.now() - this.sendSince >= this.rekeyMs) {
      this.sendKey = next(this.sendKey);
      this.sendEpoch++;
      this.sendSeq = 0;
      this.sendSince = this.now();
    }
    const h = { epoch: this.sendEpoch, seq: this.sendSeq++ };
    const c = createCipheriv('chacha20-poly1305', this.sendKey, nonce(h.epoch, h.seq), { authTagLength: TAG });
    c.setAAD(aadOf(h), { plaintextLength: plaintext.length });
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  }

  /** Decrypts; EACCES for a forged, tampered, replayed or stale frame. */
  open(aad: Uint8Array, h: SealedHeader, ct: Uint8Array): Buffer {
    let key = this.recvKey;
    let epoch = this.recvEpoch;
    if (h.epoch < epoch || h.epoch > epoch + MAX_EPOCH_SKIP || (h.epoch === epoch && h.seq <= this.recvSeq)) {
      this.rejected++;
      throw new AiosError('EACCES', 'link frame replayed or from a retired key', { epoch: h.epoch, seq: h.seq, reason: 'replay' });
    }
    while (epoch < h.epoch) {
      key = next(key);
      epoch++;
    }
    if (ct.length < TAG) {
      this.rejected++;
      throw new AiosError('EACCES', 'link frame too short', { reason: 'auth' });
    }
    let pt: Buffer;
    try {
      const d = createDecipheriv('chacha20-poly1305', key, nonce(h.epoch, h.seq), { authTagLength: TAG });
      d.setAAD(aad, { plaintextLength: ct.length - TAG });
      d.setAuthTag(ct.subarray(ct.length - TAG));
      pt = Buffer.concat([d.update(ct.subarray(0, ct.length - TAG)), d.final()]);
    } catch {
      this.rejected++;
      throw new AiosError('EACCES', 'link frame failed authentication', { reason: 'auth' });
    }
    // Only an authentic frame moves the window: a forged one never retires a key.
    this.recvKey = key;
    this.recvEpoch = epoch;
    this.recvSeq = h.seq;
    return pt;
  }
}
