// Signed agent images: the signature covers the entry and its local imports; the trust store decides
// whose signatures count; forged, tampered, unsigned, untrusted and revoked images are refused; the
// Cedar context carries image.signed so a policy can require it.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { appendFileSync, copyFileSync, statSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAiosError } from '@aios/abi';
import { signImage, verifyImage } from '../../apps/node/src/security/image-signing.ts';
import { TrustStore, developerKey, newKeyFile, publicKeyArg } from '../../apps/node/src/security/trust-store.ts';
import { validatePolicyText, NODE_POLICIES } from '../../apps/node/src/security/policy.ts';
import { boot } from '../../apps/node/src/node/boot.ts';
import { securityOf } from '../../apps/node/src/security/index.ts';

const AGENT = `import { defineAgent } from '@aios/runtime';\nimport { greet } from './lib.ts';\nexport default defineAgent({ name: 'signed', async main(ctx) { ctx.log(greet()); } });\n`;

let dir: string;
let data: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aios-sign-'));
  data = join(dir, 'data');
  writeFileSync(join(dir, 'agent.ts'), AGENT);
  writeFileSync(join(dir, 'lib.ts'), `export const greet = () => 'hi';\n`);
  writeFileSync(join(dir, 'other.ts'), AGENT.replace("'signed'", "'other'"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const reason = (f: string) => {
  const v = verifyImage(f, TrustStore.open(data));
  return v.ok ? 'ok' : v.reason;
};

describe('signing - sign and verify', () => {
  it('signing - a signed image verifies under the developer key, which is created 0600 and trusted on first use', () => {
    const { key, created } = developerKey(data, 1);
    expect(created).toBe(true);
    expect(statSync(join(data, 'identity', 'developer.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'trust.json')).mode & 0o777).toBe(0o600);
    const r = signImage(join(dir, 'agent.ts'), key);
    expect(r.sig).toBe(join(dir, 'agent.ts.sig'));
    expect(r.algorithm).toBe('hybrid-ed25519-mldsa65');
    const v = verifyImage(join(dir, 'agent.ts'), TrustStore.open(data));
    expect(v).toMatchObject({ ok: true, keyId: key.keyId, signer: 'developer' });
    const sig = JSON.parse(readFileSync(r.sig, 'utf8')) as { statement: { files: Array<[string, string]> } };
    expect(sig.statement.files.map((f) => f[0])).toEqual(['lib.ts']);
    expect((TrustStore.open(data).list()[0]!)).toMatchObject({ name: 'developer', use: 'images' });
  });

  it('signing - an image changed after signing is refused, in the entry or in a local import', () => {
    signImage(join(dir, 'agent.ts'), developerKey(data, 1).key);
    appendFileSync(join(dir, 'lib.ts'), '// changed\n');
    expect(reason(join(dir, 'agent.ts'))).toBe('changed');
    writeFileSync(join(dir, 'lib.ts'), `export const greet = () => 'hi';\n`);
    expect(reason(join(dir, 'agent.ts'))).toBe('ok');
    appendFileSync(join(dir, 'agent.ts'), '// changed\n');
    expect(reason(join(dir, 'agent.ts'))).toBe('changed');
  });

  it('signing - unsigned and forged signatures are refused (random bytes, truncated, another file\'s, a flipped signature)', () => {
    const f = join(dir, 'agent.ts');
    expect(reason(f)).toBe('unsigned');
    const { key } = developerKey(data, 1);
    writeFileSync(f + '.sig', randomBytes(7000));
    expect(reason(f)).toBe('bad-signature');
    signImage(f, key);
    const good = readFileSync(f + '.sig', 'utf8');
    writeFileSync(f + '.sig', good.slice(0, good.length / 2));
    expect(reason(f)).toBe('bad-signature');
    const j = JSON.parse(good) as { sig: string; statement: { sha256: string } };
    writeFileSync(f + '.sig', JSON.stringify({ ...j, sig: Buffer.from(randomBytes(3374)).toString('base64url') }));
    expect(reason(f)).toBe('bad-signature');
    // A statement edited to match a tampered file: the signature no longer covers it.
    writeFileSync(f + '.sig', JSON.stringify({ ...j, statement: { ...j.statement, sha256: '0'.repeat(64) } }));
    expect(reason(f)).toBe('bad-signature');
    signImage(join(dir, 'other.ts'), key);
    copyFileSync(join(dir, 'other.ts.sig'), f + '.sig');
    expect(reason(f)).toBe('changed');
  });

  it('signing - a key outside the trust store is refused; trusted it verifies; revoked it is refused for good', () => {
    const k = newKeyFile(join(dir, 'k.key'));
    const f = join(dir, 'agent.ts');
    signImage(f, k);
    expect(reason(f)).toBe('untrusted-key');
    const store = TrustStore.open(data);
    expect(store.trust(publicKeyArg(join(dir, 'k.key.pub')), { name: 'ci', now: 2 }).added).toBe(true);
    expect(reason(f)).toBe('ok');
    TrustStore.open(data).revoke(k.keyId.slice(0, 12), 3);
    expect(reason(f)).toBe('revoked-key');
    let code = '';
    try {
      TrustStore.open(data).trust(publicKeyArg(join(dir, 'k.key.pub')), { now: 4 });
    } catch (e) {
      code = isAiosError(e) ? e.code : 'other';
    }
    expect(code).toBe('EACCES');
  });

  it('signing - malformed key arguments are EINVAL and key files are never overwritten', () => {
    expect(() => TrustStore.open(data).trust('not-a-key', { now: 1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    newKeyFile(join(dir, 'k.key'));
    expect(() => newKeyFile(join(dir, 'k.key'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });
});

const PARENT = `import { defineAgent, spawn } from '@aios/runtime';
export default defineAgent({ name: 'parent', async main(ctx) {
  try { await spawn({ path: (ctx.config as { path: string }).path }); ctx.log('spawned'); }
  catch (e) { const err = e as { code?: string; detail?: { policyIds?: string[] } }; ctx.log('refused ' + err.code + ' ' + JSON.stringify(err.detail?.policyIds)); }
} });
`;

describe('signing - policy attribute', () => {
  const REQUIRE = `${NODE_POLICIES}\n@id("require-signed")\nforbid(principal, action == Action::"AgentSpawn", resource) unless { context has image && context.image.signed };\n`;

  it('signing - a policy can require context.image.signed at spawn (schema-valid; unsigned refused, signed spawned)', async () => {
    expect(validatePolicyText(REQUIRE)).toMatchObject({ ok: true });
    writeFileSync(join(dir, 'parent.ts'), PARENT);
    const node = await boot({ dataDir: data, config: { secureBootDist: null, services: false } });
    try {
      await securityOf(node.host)!.applyPolicy(REQUIRE);
      const tryChild = async () => {
        const id = await node.spawn({ path: join(dir, 'parent.ts') }, { domain: 'native', capabilities: ['spawn'], config: { path: join(dir, 'agent.ts') } });
        await node.wait(id);
        return node.logs(id).join('\n');
      };
      expect(await tryChild()).toContain('refused EACCES ["require-signed"]');
      signImage(join(dir, 'agent.ts'), developerKey(data, 1).key);
      expect(await tryChild()).toContain('spawned');
    } finally {
      await node.shutdown();
    }
  }, 60_000);
});
