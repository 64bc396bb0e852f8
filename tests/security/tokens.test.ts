// Capability tokens through the syscalls: export with caveats, redeem, and the attacks
// (forged, tampered, expired, wrong audience, revoked, replayed past its uses, widened rights),
// each refused with the right code and audited.
import { describe, it, expect } from 'vitest';
import { Rights } from '@aios/abi';
import { mintToken, type KernelHost } from '@aios/kernel';
import { hybridKeygen } from '@aios/trust';
import { createTestHost } from '@aios/testkit';

const seed = new Uint8Array(32).fill(7);
const key = hybridKeygen(seed);

function host(): KernelHost {
  return createTestHost({ config: { tokens: { key, nodeAudience: 'node:test' }, behavior: false } });
}

async function exportToken(h: KernelHost, handle: number, opts: Record<string, unknown>): Promise<string> {
  const ticket = h.call('CapExport', handle, opts) as number;
  return new Promise((resolve, reject) => h.kernel.tickets.onSettle(h.kernel.root.id, ticket, () => {
    try { resolve(h.kernel.tickets.take(h.kernel.root.id, ticket) as string); } catch (e) { reject(e); }
  }));
}

const PRESENTER = `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'presenter', async main(ctx) {
  const cases = ctx.config;
  for (const c of cases) {
    if (c.waitMs) await k.sleep(c.waitMs);
    try { const h = k.capRedeem(c.token, c.rights); k.ipcSend(h, new Uint8Array(1)); ctx.log(c.name + ' ok'); }
    catch (e) { ctx.log(c.name + ' ' + e.code); }
  }
} });`;

describe('tokens - export and redeem', () => {
  it('tokens - a good token works once per use; every attack is refused with its code and audited', async () => {
    const h = host();
    const target = await h.spawn({ source: `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'target', onMessage() {} });` });
    const th = h.handleFor(target);
    const twice = await exportToken(h, th, { rights: Rights.SEND, maxUses: 2 });
    const short = await exportToken(h, th, { rights: Rights.SEND, expiresInMs: 5 });
    const other = await exportToken(h, th, { rights: Rights.SEND, audience: 99999 });
    const revocable = h.call('CapDerive', th, Rights.SEND | Rights.TRANSFER) as number;
    const revoked = await exportToken(h, revocable, { rights: Rights.SEND });
    h.call('CapRevoke', revocable);
    // Tampered: a valid body with more rights, under the original signature.
    const [head, body, sig] = twice.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, rights: Rights.SEND | Rights.KILL })).toString('base64url')}.${sig}`;
    // Forged: well formed, signed by a key that is not the node's.
    const forged = mintToken({ object: `agent:${target}`, rights: Rights.SEND, expires: Date.now() + 60_000, audience: 'node:test', maxUses: 5, nonce: new Uint8Array(16) }, hybridKeygen(new Uint8Array(32).fill(9))).token;
    const cases = [
      { name: 'good', token: twice },
      { name: 'second-use', token: twice },
      { name: 'replayed', token: twice },
      { name: 'forged', token: forged },
      { name: 'garbage', token: 'aioscap1.Zm9v.YmFy' },
      { name: 'tampered', token: tampered },
      { name: 'expired', token: short, waitMs: 20 },
      { name: 'audience', token: other },
      { name: 'revoked', token: revoked },
      { name: 'widened', token: await exportToken(h, th, { rights: Rights.SEND }), rights: Rights.SEND | Rights.KILL },
    ];
    const id = await h.spawn({ source: PRESENTER }, { config: cases, domain: 'native' });
    await h.waitExit(id);
    expect(h.logs(id)).toEqual([
      'good ok', 'second-use ok', 'replayed EPERM', 'forged EPERM', 'garbage EINVAL', 'tampered EPERM', 'expired EPERM',
      'audience EACCES', 'revoked EPERM', 'widened EPERM',
    ]);
    const refusals = h.kernel.audit.records((r) => r.syscall === 'TokenRedeem' && r.result !== 'ok');
    expect(refusals.length).toBeGreaterThanOrEqual(8);
    expect(h.kernel.audit.records((r) => r.syscall === 'TokenMint').length).toBe(5);
    h.shutdown();
  }, 30_000);

  it('tokens - without a node key export and redeem are ENOSYS', () => {
    const h = createTestHost();
    expect(() => h.call('CapRedeem', 'x')).toThrow(expect.objectContaining({ code: 'ENOSYS' }));
    h.shutdown();
  });
});
