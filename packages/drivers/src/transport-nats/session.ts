// The record layer of one link: ChaCha20-Poly1305 with a 96-bit nonce epoch(4) || seq(8), one seal per record
// (a record carries a batch of frames, frame.ts).
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

/** Bytes of (epoch u32, seq u64) in a record header; the nonce is exactly these 12 bytes. */
export const SEQ_BYTES = 12;

export class LinkSession {
  private sendKey: Uint8Array;
  private recvKey: Uint8Array;
  sendEpoch = 0;
  private sendSeq = 0;
  /** Frames sealed under the current key (the rekey budget counts frames, not records). */
  private sendCount = 0;
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

  /**
   * Seals `plaintext` (carrying `frames` frames) into one buffer: prefix || epoch u32 || seq u64 || ciphertext || tag.
   * The AAD is everything before the ciphertext plus `aadSuffix` (the receiver's name), so the header cannot be
   * altered and a record cannot be reflected to another node. The key rotates once `rekeyMessages` frames or
   * `rekeyMs` have passed under it.
   */
  seal(prefix: Uint8Array, aadSuffix: Uint8Array, plaintext: Uint8Array, frames = 1): Buffer {
    if (this.sendCount >= this.rekeyMessages || this.now() - this.sendSince >= this.rekeyMs) {
      this.sendKey = next(this.sendKey);
      this.sendEpoch++;
      this.sendSeq = 0;
      this.sendCount = 0;
      this.sendSince = this.now();
    }
    const seq = this.sendSeq++;
    this.sendCount += frames;
    const hl = prefix.length + SEQ_BYTES;
    const out = Buffer.allocUnsafe(hl + plaintext.length + TAG);
    out.set(prefix, 0);
    out.writeUInt32BE(this.sendEpoch, prefix.length);
    out.writeUInt32BE(Math.floor(seq / 2 ** 32), prefix.length + 4);
    out.writeUInt32BE(seq >>> 0, prefix.length + 8);
    const c = createCipheriv('chacha20-poly1305', this.sendKey, out.subarray(prefix.length, hl), { authTagLength: TAG });
    c.setAAD(out.subarray(0, hl), { plaintextLength: plaintext.length });
    c.setAAD(aadSuffix, { plaintextLength: plaintext.length });
    const ct = c.update(plaintext);
    out.set(ct, hl);
    c.final();
    out.set(c.getAuthTag(), hl + ct.length);
    return out;
  }

  /** Opens a record sealed by the peer's seal() (header at `prefixLen`); EACCES for a forged, tampered, replayed or stale one. */
  open(record: Uint8Array, prefixLen: number, aadSuffix: Uint8Array): Buffer {
    const hl = prefixLen + SEQ_BYTES;
    if (record.length < hl + TAG) {
      this.rejected++;
      throw new AiosError('EACCES', 'link frame too short', { reason: 'auth' });
    }
    const r = Buffer.from(record.buffer, record.byteOffset, record.length);
    const epoch = r.readUInt32BE(prefixLen);
    const seq = r.readUInt32BE(prefixLen + 4) * 2 ** 32 + r.readUInt32BE(prefixLen + 8);
    let key = this.recvKey;
    let e = this.recvEpoch;
    if (epoch < e || epoch > e + MAX_EPOCH_SKIP || (epoch === e && seq <= this.recvSeq)) {
      this.rejected++;
      throw new AiosError('EACCES', 'link frame replayed or from a retired key', { epoch, seq, reason: 'replay' });
    }
    while (e < epoch) {
      key = next(key);
      e++;
    }
    const ctLen = r.length - hl - TAG;
    let pt: Buffer;
    try {
      const d = createDecipheriv('chacha20-poly1305', key, r.subarray(prefixLen, hl), { authTagLength: TAG });
      d.setAAD(r.subarray(0, hl), { plaintextLength: ctLen });
      d.setAAD(aadSuffix, { plaintextLength: ctLen });
      d.setAuthTag(r.subarray(r.length - TAG));
      pt = d.update(r.subarray(hl, hl + ctLen));
      d.final();
    } catch {
      this.rejected++;
      throw new AiosError('EACCES', 'link frame failed authentication', { reason: 'auth' });
    }
    // Only an authentic record moves the window: a forged one never retires a key.
    this.recvKey = key;
    this.recvEpoch = epoch;
    this.recvSeq = seq;
    return pt;
  }
}
