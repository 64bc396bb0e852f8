// The link's frame layout and record layer without a server: frames round-trip in order, a malformed record
// delivers nothing, and a sealed record opens once, only under the right key, receiver and header.
import { describe, expect, it } from 'vitest';
import { F_POST, F_REQ, FLAG_BYTES, FrameBatch, readFrames, type Frame } from './frame.ts';
import { LinkSession } from './session.ts';

const collect = (b: Buffer): Frame[] => {
  const out: Frame[] = [];
  readFrames(b, (f) => out.push(f));
  return out;
};

describe('transport-nats frames', () => {
  it('frame - a batch of frames round-trips in order with names, headers and byte bodies', () => {
    const batch = new FrameBatch(16); // tiny on purpose: pushes grow it
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    batch.push(F_POST, FLAG_BYTES, 0, 'msg', '{"to":"x"}', bytes);
    batch.push(F_REQ, 0, 7, 'add', '', '{"x":1}');
    batch.push(F_POST, FLAG_BYTES, 0, 'é', '', new Uint8Array(0));
    const { bytes: pt, frames } = batch.take();
    expect(frames).toBe(3);
    const got = collect(Buffer.from(pt));
    expect(got.map((f) => [f.type, f.flags, f.stream, f.name, f.meta])).toEqual([[F_POST, FLAG_BYTES, 0, 'msg', '{"to":"x"}'], [F_REQ, 0, 7, 'add', ''], [F_POST, FLAG_BYTES, 0, 'é', '']]);
    expect(Buffer.compare(got[0]!.body, bytes)).toBe(0);
    expect(got[1]!.body.toString()).toBe('{"x":1}');
    expect(got[2]!.body.length).toBe(0);
    expect(batch.take().frames).toBe(0);
  });

  it('frame - a truncated or overlong record is refused whole (EINVAL) and delivers nothing', () => {
    const batch = new FrameBatch();
    batch.push(F_POST, FLAG_BYTES, 0, 'msg', '', Uint8Array.of(1, 2, 3));
    batch.push(F_POST, FLAG_BYTES, 0, 'msg', '', Uint8Array.of(4, 5, 6));
    const pt = Buffer.from(batch.take().bytes);
    let delivered = 0;
    expect(() => readFrames(pt.subarray(0, pt.length - 1), () => delivered++)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => readFrames(Buffer.concat([pt, Buffer.from([1, 2])]), () => delivered++)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(delivered).toBe(0);
  });

  it('frame - names over 255 bytes and headers over 65,535 bytes are EMSGSIZE', () => {
    const batch = new FrameBatch();
    expect(() => batch.push(F_POST, 0, 0, 'n'.repeat(256), '', '')).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    expect(() => batch.push(F_POST, 0, 0, 'm', 'h'.repeat(65_536), '')).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    expect(batch.take().frames).toBe(0);
  });

  it('session - a record opens once under the peer key; replay, tamper, wrong receiver are EACCES', () => {
    const k1 = new Uint8Array(32).fill(1);
    const k2 = new Uint8Array(32).fill(2);
    const a = new LinkSession(k1, k2, 1_000, 60_000);
    const b = new LinkSession(k2, k1, 1_000, 60_000);
    const prefix = Uint8Array.of(0x44, 1, 1, 0x61);
    const to = Buffer.from('>b');
    const rec = a.seal(prefix, to, Buffer.from('hello'), 1);
    expect(rec.includes(Buffer.from('hello'))).toBe(false);
    expect(b.open(rec, prefix.length, to).toString()).toBe('hello');
    expect(() => b.open(rec, prefix.length, to)).toThrow(expect.objectContaining({ code: 'EACCES', detail: expect.objectContaining({ reason: 'replay' }) }));
    const rec2 = a.seal(prefix, to, Buffer.from('again'), 1);
    expect(() => b.open(rec2, prefix.length, Buffer.from('>c'))).toThrow(expect.objectContaining({ detail: { reason: 'auth' } }));
    const bad = Buffer.from(rec2);
    bad[3] ^= 1; // the sender's name in the header
    expect(() => b.open(bad, prefix.length, to)).toThrow(expect.objectContaining({ detail: { reason: 'auth' } }));
    expect(b.open(rec2, prefix.length, to).toString()).toBe('again');
    expect(b.rejected).toBe(3);
  });

  it('session - the key rotates after rekeyMessages frames, counted across batched records', () => {
    const k1 = new Uint8Array(32).fill(3);
    const k2 = new Uint8Array(32).fill(4);
    const a = new LinkSession(k1, k2, 10, 60_000);
    const b = new LinkSession(k2, k1, 10, 60_000);
    const p = Uint8Array.of(0x44, 1, 0);
    for (let i = 0; i < 5; i++) expect(b.open(a.seal(p, Buffer.alloc(0), Buffer.from([i]), 4), p.length, Buffer.alloc(0))[0]).toBe(i);
    // Records 1-3 carry 12 frames, past the budget of 10: records 4 and 5 go under the next key.
    expect(a.sendEpoch).toBe(1);
    expect(b.recvEpoch).toBe(1);
  });
});
