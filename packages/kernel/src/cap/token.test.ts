import { describe, it, expect } from 'vitest';
import { Rights } from '@aios/abi';
import { mintToken, verifyToken, decodeToken, MemoryUseCounter, TokenVerifyCache } from './token.ts';
import type { TokenAuditEvent, VerifyTokenOptions } from './token.ts';
import { fromBase64Url, hybridKeygen, toBase64Url, utf8 } from '@aios/trust';

const issuer = hybridKeygen(new Uint8Array(32).fill(11));
const mallory = hybridKeygen(new Uint8Array(32).fill(12));
const NOW = 1_700_000_000_000;
let nonceCounter = 0;
const nonce = () => Uint8Array.from({ length: 16 }, (_, i) => (i + ++nonceCounter) & 255);

function mint(over: Partial<{ rights: number; expires: number; audience: string; maxUses: number }> = {}, key = issuer) {
  return mintToken({ object: 'agent:42', rights: Rights.SEND | Rights.INSPECT, expires: NOW + 60_000, audience: 'node-b/agent:7', maxUses: 3, nonce: nonce(), ...over }, key);
}

function ctx(over: Partial<VerifyTokenOptions> = {}) {
  const events: TokenAuditEvent[] = [];
  const revoked = new Set<string>();
  const opts: VerifyTokenOptions = {
    now: NOW, audience: 'node-b/agent:7', issuerPublicKey: issuer.publicKey, isRevoked: (id) => revoked.has(id),
    uses: new MemoryUseCounter(), cache: new TokenVerifyCache(), audit: (e) => void events.push(e), ...over,
  };
  return { opts, events, revoked };
}

function refusedWith(fn: () => unknown, code: string, events: TokenAuditEvent[]) {
  expect(fn).toThrow(expect.objectContaining({ code }));
  expect(events.at(-1)).toMatchObject({ event: 'token.verify', result: code });
}

describe('cap - capability tokens', () => {
  it('cap - a valid token grants its object and rights and is audited', () => {
    const t = mint();
    const { opts, events } = ctx();
    const g = verifyToken(t.token, opts);
    expect(g).toMatchObject({ id: t.id, object: 'agent:42', rights: Rights.SEND | Rights.INSPECT, usesLeft: 2 });
    expect(events).toEqual([expect.objectContaining({ result: 'ok', tokenId: t.id, object: 'agent:42' })]);
    // narrower rights are fine
    expect(verifyToken(t.token, { ...opts, rights: Rights.SEND }).rights).toBe(Rights.SEND);
  });

  it('cap - the hybrid signature is verified once per token, not per use', () => {
    const t = mint({ maxUses: 100 });
    const { opts } = ctx();
    for (let i = 0; i < 10; i++) verifyToken(t.token, opts);
    expect(opts.cache!.signatureChecks).toBe(1);
  });

  it('cap - forged: signed by another key but claiming the issuer is EPERM', () => {
    const real = mint();
    const forged = mint({}, mallory);
    // graft Mallory's signature onto claims naming the real issuer
    const [, body] = real.token.split('.');
    const [, , sig] = forged.token.split('.');
    const { opts, events } = ctx();
    refusedWith(() => verifyToken(`aioscap1.${body}.${sig}`, opts), 'EPERM', events);
    refusedWith(() => verifyToken(forged.token, opts), 'EPERM', events); // iss is Mallory's key id
  });

  it('cap - tampered claims are EPERM (bad signature), even after the untampered token was cached', () => {
    const t = mint();
    const { opts, events } = ctx();
    verifyToken(t.token, opts);
    const [, body, sig] = t.token.split('.');
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(body!)));
    claims.rights = 0x3fff; // widen the grant inside the claims
    const keys = Object.keys(claims).sort();
    const canon = '{' + keys.map((k) => JSON.stringify(k) + ':' + JSON.stringify(claims[k])).join(',') + '}';
    refusedWith(() => verifyToken(`aioscap1.${toBase64Url(utf8(canon))}.${sig}`, opts), 'EPERM', events);
    const sigBytes = fromBase64Url(sig!);
    sigBytes[2000] ^= 1; // one bit inside the ML-DSA half (the Ed25519 half still verifies)
    refusedWith(() => verifyToken(`aioscap1.${body}.${toBase64Url(sigBytes)}`, opts), 'EPERM', events);
  });

  it('cap - expired is EPERM', () => {
    const t = mint({ expires: NOW + 10 });
    const { opts, events } = ctx({ now: NOW + 10 });
    refusedWith(() => verifyToken(t.token, opts), 'EPERM', events);
    expect(events.at(-1)!.reason).toBe('expired');
  });

  it('cap - wrong audience is EACCES', () => {
    const t = mint();
    const { opts, events } = ctx({ audience: 'node-b/agent:8' });
    refusedWith(() => verifyToken(t.token, opts), 'EACCES', events);
  });

  it('cap - revoked is EPERM on the very next use, even when cached', () => {
    const t = mint({ maxUses: 10 });
    const { opts, events, revoked } = ctx();
    verifyToken(t.token, opts);
    revoked.add(t.id);
    refusedWith(() => verifyToken(t.token, opts), 'EPERM', events);
    expect(events.at(-1)!.reason).toBe('revoked');
  });

  it('cap - replay past maxUses is EPERM', () => {
    const t = mint({ maxUses: 2 });
    const { opts, events } = ctx();
    verifyToken(t.token, opts);
    expect(verifyToken(t.token, opts).usesLeft).toBe(0);
    refusedWith(() => verifyToken(t.token, opts), 'EPERM', events);
    expect(events.at(-1)!.reason).toBe('uses exhausted');
  });

  it('cap - widened rights (asking for more than the grant) are EPERM and do not consume a use', () => {
    const t = mint({ maxUses: 1 });
    const { opts, events } = ctx();
    refusedWith(() => verifyToken(t.token, { ...opts, rights: Rights.SEND | Rights.KILL }), 'EPERM', events);
    expect(events.at(-1)!.reason).toBe('rights beyond the grant');
    expect(verifyToken(t.token, opts).usesLeft).toBe(0);
  });

  it('cap - malformed tokens are EINVAL', () => {
    const { opts, events } = ctx();
    for (const bad of ['', 'nope', 'aioscap1.x', 'aioscap1.!!.??', 'aioscap2.e30.e30', `aioscap1.${toBase64Url(utf8('{"v":1}'))}.AAAA`, 'x'.repeat(9000)]) {
      refusedWith(() => verifyToken(bad, opts), 'EINVAL', events);
    }
    expect(events.every((e) => e.result === 'EINVAL')).toBe(true);
  });

  it('cap - minting refuses bad input with EINVAL', () => {
    expect(() => mint({ rights: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => mint({ maxUses: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => mint({ audience: '' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => mintToken({ object: 'a', rights: 1, expires: 1, audience: 'b', maxUses: 1, nonce: new Uint8Array(3) }, issuer)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(decodeToken(mint().token).claims.iss).toBe(issuer.keyId);
  });
});
