// `aios sign` and `aios keys`: signed agent images and the node's trust store. Both work offline on
// the data folder (no running node needed); a running node re-reads the trust store at each check and
// audits a change it finds (TrustStoreChanged), so `aios keys revoke` takes effect at the next spawn.
import { resolve } from 'node:path';
import { AiosError } from '@aios/abi';
import type { Command } from './commands.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import { TrustStore, developerKey, newKeyFile, publicKeyArg, readKeyFile, resolveDataDir, signImage, type KeyUse } from 'aios/offline';

type Values = Record<string, string | boolean | undefined>;
const dirOf = (v: Values) => resolveDataDir(v['data-dir'] as string | undefined);

async function keysCommand(v: Values, [sub, arg]: string[], io: { out(l: string): void }): Promise<number> {
  const json = v.json === true;
  const dir = dirOf(v);
  if (sub === 'ls' || sub === undefined) {
    const keys = TrustStore.open(dir).list();
    if (json) io.out(JSON.stringify(keys.map(({ publicKey: _p, ...k }) => ({ ...k, status: k.revoked ? 'revoked' : 'trusted' }))));
    else if (keys.length === 0) io.out('no trusted keys (the developer key is trusted when `aios sign` first creates it)');
    else for (const k of keys) io.out(`${k.keyId.slice(0, 16)}  ${k.use.padEnd(6)}  ${(k.revoked ? 'revoked' : 'trusted').padEnd(7)}  ${k.name}`);
    return 0;
  }
  if (sub === 'trust') {
    if (arg === undefined) throw new AiosError('EINVAL', 'usage: aios keys trust FILE_OR_PUBKEY [--name N]', { arg: 'KEY' });
    const use: KeyUse = v.build === true ? 'build' : 'images';
    const r = TrustStore.open(dir).trust(publicKeyArg(arg), { ...(typeof v.name === 'string' ? { name: v.name } : {}), use, now: Date.now() });
    io.out(json ? JSON.stringify({ keyId: r.entry.keyId, name: r.entry.name, use, added: r.added }) : `${r.added ? 'trusted' : 'already trusted'}: ${r.entry.keyId.slice(0, 16)} (${r.entry.name}, ${use})`);
    return 0;
  }
  if (sub === 'revoke') {
    if (arg === undefined) throw new AiosError('EINVAL', 'usage: aios keys revoke KEYID', { arg: 'KEYID' });
    const hit = TrustStore.open(dir).revoke(arg, Date.now());
    io.out(json ? JSON.stringify({ keyId: hit[0]!.keyId, revoked: true, uses: hit.map((k) => k.use) }) : `revoked ${hit[0]!.keyId.slice(0, 16)} (${hit.map((k) => k.name).join(', ')}); images it signed are refused from now on`);
    return 0;
  }
  if (sub === 'new') {
    if (arg === undefined) throw new AiosError('EINVAL', 'usage: aios keys new FILE', { arg: 'FILE' });
    const key = newKeyFile(resolve(arg));
    io.out(json ? JSON.stringify({ file: resolve(arg), pub: `${resolve(arg)}.pub`, keyId: key.keyId }) : `wrote ${resolve(arg)} (secret, 0600) and ${resolve(arg)}.pub; key id ${key.keyId}`);
    return 0;
  }
  if (sub === 'developer') {
    const { key, created } = developerKey(dir, Date.now());
    io.out(json ? JSON.stringify({ keyId: key.keyId, created }) : `developer key ${key.keyId}${created ? ' (created)' : ''}`);
    return 0;
  }
  throw new AiosError('EINVAL', `unknown keys subcommand '${sub}' (ls, trust, revoke, new, developer)`, { arg: 'SUBCOMMAND' });
}

export const SIGN_COMMANDS: Record<string, Command> = {
  sign: {
    summary: "sign an agent image (hybrid Ed25519 + ML-DSA-65) with the node's developer key or --key; writes FILE.sig",
    usage: 'aios sign FILE [--key K] [--json]',
    options: { ...COMMON_OPTS, ...JSON_OPT, key: { type: 'string', help: 'a key file made by `aios keys new K` (default: the data folder\'s developer key, created and trusted on first use)' } },
    positionals: 1,
    notes: ['The signature covers the file\'s bytes and every local file it imports (their sha256), so changing any of them', 'after signing makes `aios boot --require-signed` refuse the image. Packages from node_modules are not covered.'],
    async run(v, [file], io) {
      const path = resolve(file!);
      const key = typeof v.key === 'string' ? readKeyFile(resolve(v.key)) : developerKey(dirOf(v), Date.now()).key;
      const r = signImage(path, key);
      io.out(v.json ? JSON.stringify({ file: r.file, sig: r.sig, keyId: r.keyId, algorithm: r.algorithm }) : `signed ${r.file} -> ${r.sig} (key ${r.keyId.slice(0, 16)}, ${r.algorithm})`);
      return 0;
    },
  },
  keys: {
    summary: 'the trust store of image signing keys: ls, trust FILE_OR_PUBKEY [--name N], revoke KEYID, new FILE (a signing key)',
    usage: 'aios keys ls | trust FILE_OR_PUBKEY [--name N] [--build] | revoke KEYID | new FILE | developer   [--json]',
    options: {
      ...COMMON_OPTS, ...JSON_OPT,
      name: { type: 'string', help: 'trust: a name for the key' },
      build: { type: 'boolean', help: 'trust: as a build key (signs the node\'s bundle manifest) instead of an image key' },
    },
    positionals: 0,
    run: keysCommand,
  },
};
