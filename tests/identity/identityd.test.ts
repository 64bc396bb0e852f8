// identityd on a real node: started first by initd, issues each agent a node-signed identity, signs and
// verifies for agents (through @aios/runtime/security), attests an agent's image, keeps identities across a
// node restart (sealed in the storage device), and revokes them on exit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, type AiosNode } from 'aios';
import { decodePublicKey, fromBase64Url, fromHex, hybridVerify, verifyQuote, type Quote } from '@aios/trust';
import type { IdentityInfo } from '@aios/abi';
import { registerServices } from '../../apps/node/src/node/service-registry.ts';
import { agentCertMessage, agentQuoteNonce } from '../../apps/node/src/security/identity-device.ts';

const SOURCE = (name: string, body: string) => `import { defineAgent } from '@aios/runtime';
import * as sec from '@aios/runtime/security';
import { receive } from '@aios/runtime/ipc';
export default defineAgent({ name: ${JSON.stringify(name)}, async main(ctx) {
const out = (v) => { const s = JSON.stringify(v); for (let i = 0; i < s.length; i += 4000) ctx.log('OUT:' + s.slice(i, i + 4000)); ctx.log('END'); };
const hold = () => receive(60000).catch(() => undefined);
${body}
await hold();
} });
`;

let node: AiosNode | null = null;
afterEach(async () => {
  await node?.shutdown();
  node = null;
});

async function start(dataDir: string): Promise<AiosNode> {
  const n = await boot({ dataDir, config: { services: true } });
  await registerServices(n.host, n.initd!);
  return n;
}

/** Runs an agent to its end and returns the JSON it logged last (prefix OUT:). */
async function run(n: AiosNode, name: string, body: string): Promise<Record<string, unknown>> {
  const id = await n.spawn({ source: SOURCE(name, body) }, { name });
  // Logs are read while the agent lives (an exited agent keeps only the tail of its log).
  let logs: string[] = [];
  for (let i = 0; i < 600 && !logs.some((l) => l.endsWith('END')); i++) {
    if (!n.host.kernel.agents.get(id)?.alive) break;
    await new Promise((r) => setTimeout(r, 50));
    logs = n.logs(id);
  }
  n.send(id, 'done');
  const st = await n.wait(id);
  const parts = logs.filter((l) => l.includes('OUT:')).map((l) => l.slice(l.indexOf('OUT:') + 4));
  if (!logs.some((l) => l.endsWith('END'))) throw new Error(`agent ${name} exited ${st.code} (${st.reason}) without output: ${logs.join(' | ')}`);
  return JSON.parse(parts.join('')) as Record<string, unknown>;
}

const CERT_OK = (info: IdentityInfo, nodeKey: ReturnType<typeof decodePublicKey>): boolean => {
  const { signature, ...body } = info.certificate;
  return hybridVerify(nodeKey, agentCertMessage(body), fromBase64Url(signature));
};

describe('identityd', () => {
  it('identityd - starts first and is active; an agent gets a node-signed identity, signs, verifies and attests', async () => {
    node = await start(mkdtempSync(join(tmpdir(), 'aios-id-')));
    const units = await node.host.request<Array<{ name: string; state: string; agent: number | null }>>(node.initd!, { op: 'ls' });
    expect(units.find((u) => u.name === 'identityd')?.state).toBe('active');
    const out = await run(node, 'alice', `
      const me = await sec.whoami();
      const msg = new TextEncoder().encode('pay 10 to bob');
      const sig = await sec.sign(msg);
      const good = await sec.verify(sig, msg, me);
      const bad = await sec.verify(sig, new TextEncoder().encode('pay 99 to eve'), me.id);
      const nonce = new Uint8Array(32).fill(7);
      const att = await sec.attest(nonce);
      out(({ me, good, bad, att }));
    `);
    const me = out.me as IdentityInfo;
    expect(me.id).toMatch(/^[0-9a-f]{64}$/);
    expect(me.name).toBe('alice');
    expect(out.good).toBe(true);
    expect(out.bad).toBe(false);
    const nodePub = decodePublicKey(fromBase64Url((node.host as unknown as { kernel: { config: { tokens: { key: { publicKey: unknown } } } } }) ? (out.att as { nodePublicKey: string }).nodePublicKey : ''));
    expect(CERT_OK(me, nodePub)).toBe(true);
    // A certificate edited after signing no longer verifies.
    expect(CERT_OK({ ...me, certificate: { ...me.certificate, name: 'mallory' } }, nodePub)).toBe(false);
    const att = out.att as { identity: string; measurement: string; nonce: string; quote: Quote };
    expect(att.identity).toBe(me.id);
    expect(att.measurement).toMatch(/^[0-9a-f]{64}$/);
    expect(me.certificate.measurement).toBe(att.measurement);
    expect(verifyQuote(att.quote, nodePub, agentQuoteNonce(att.nonce, att.identity, att.measurement)).ok).toBe(true);
    // The quote does not vouch for another measurement.
    expect(verifyQuote(att.quote, nodePub, agentQuoteNonce(att.nonce, att.identity, '0'.repeat(64))).ok).toBe(false);
    expect(att.nonce).toBe('07'.repeat(32));
    void fromHex;
  }, 120_000);

  it('identityd - an identity survives a node restart (sealed in storage) and is revoked after exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aios-id-'));
    node = await start(dir);
    const a = await run(node, 'keeper', `out((await sec.whoami()));`);
    const sig = await run(node, 'keeper', `
      const me = await sec.whoami();
      out(({ id: me.id, serial: me.certificate.serial, sig: await sec.sign(new Uint8Array([1, 2, 3])) }));
    `);
    // The second run (same name, same parent, after the first exited) holds the same identity, re-certified.
    expect(sig.id).toBe((a as unknown as IdentityInfo).id);
    expect(sig.serial as number).toBeGreaterThan((a as unknown as IdentityInfo).certificate.serial);
    await node.shutdown();
    node = await start(dir);
    const b = await run(node, 'keeper', `out((await sec.whoami()));`);
    expect((b as unknown as IdentityInfo).id).toBe(sig.id);
    // Another agent checks the old signature; the keeper has exited, so its identity is revoked but verifiable.
    const v = await run(node, 'checker', `
      const ok = await sec.verify(${JSON.stringify(sig.sig)}, new Uint8Array([1, 2, 3]), ${JSON.stringify(sig.id)});
      const other = await sec.verify(${JSON.stringify(sig.sig)}, new Uint8Array([1, 2, 4]), ${JSON.stringify(sig.id)});
      const me = await sec.whoami();
      out(({ ok, other, mine: me.id }));
    `);
    expect(v.ok).toBe(true);
    expect(v.other).toBe(false);
    expect(v.mine).not.toBe(sig.id);
  }, 120_000);
});
