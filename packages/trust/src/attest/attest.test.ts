import { describe, it, expect } from 'vitest';
import { MeasurementRegisters, measure, quote, verifyQuote, replayEventLog } from './index.ts';
import { hybridKeygen } from '../crypto/hybrid.ts';
import { sha256Concat } from '../crypto/hash.ts';
import { toHex } from '../crypto/encoding.ts';

const key = hybridKeygen(new Uint8Array(32).fill(21));
const other = hybridKeygen(new Uint8Array(32).fill(22));
const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);

function booted() {
  const r = new MeasurementRegisters();
  r.extend(0, measure('kernel image v0.1'), 'kernel');
  r.extend(1, measure('policy set v1'), 'policy');
  r.extend(0, measure('driver llm-offline@1'), 'driver');
  return r;
}

describe('attest - measurement registers and quotes', () => {
  it('attest - extend is new = sha256(old || measurement), order matters, registers start at zero', () => {
    const r = new MeasurementRegisters(4);
    expect(r.values()[2]).toBe('0'.repeat(64));
    const m1 = measure('a');
    const m2 = measure('b');
    r.extend(2, m1);
    r.extend(2, m2);
    expect(toHex(r.read(2))).toBe(toHex(sha256Concat(sha256Concat(new Uint8Array(32), m1), m2)));
    const s = new MeasurementRegisters(4);
    s.extend(2, m2);
    s.extend(2, m1);
    expect(s.values()[2]).not.toBe(r.values()[2]);
    expect(replayEventLog(r.eventLog(), 4)).toEqual(r.values());
  });

  it('attest - bad register index or measurement length is EINVAL', () => {
    const r = new MeasurementRegisters(4);
    expect(() => r.extend(4, measure('x'))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => r.extend(0, new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => quote(new Uint8Array(4), key, r, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('attest - a quote verifies offline with the public key and the expected nonce', () => {
    const q = quote(nonce, key, booted(), 1_700_000_000_000);
    const round = JSON.parse(JSON.stringify(q));
    expect(verifyQuote(round, key.publicKey, nonce)).toEqual({ ok: true, registers: booted().values() });
  });

  it('attest - wrong nonce, other key, edited registers or a doctored event log are refused', () => {
    const q = quote(nonce, key, booted(), 5);
    expect(verifyQuote(q, key.publicKey, new Uint8Array(32))).toMatchObject({ ok: false, reason: expect.stringContaining('nonce') });
    expect(verifyQuote(q, other.publicKey, nonce)).toMatchObject({ ok: false });
    const regs = q.registers.slice();
    regs[1] = 'ab'.repeat(32);
    expect(verifyQuote({ ...q, registers: regs }, key.publicKey, nonce)).toMatchObject({ ok: false, reason: 'bad signature' });
    const log = q.eventLog.slice(1);
    expect(verifyQuote({ ...q, eventLog: log }, key.publicKey, nonce)).toMatchObject({ ok: false, reason: expect.stringContaining('event log') });
    expect(verifyQuote({ ...q, signature: '!!' }, key.publicKey, nonce)).toMatchObject({ ok: false });
    expect(verifyQuote(null as never, key.publicKey, nonce)).toMatchObject({ ok: false });
  });
});
