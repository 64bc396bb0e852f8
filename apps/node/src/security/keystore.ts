// The node's root key on disk: <dataDir>/identity/node.key (32-byte seed, hex, mode 0600), or, when a
// passphrase is given, node.key.enc (scrypt N=2^15 r=8 p=1 -> AES-256-GCM). Trusts the file system
// permissions of the data folder; the key history (keys.json, public) is checked by history.ts.
import { promises as fs } from 'node:fs';
import { createCipheriv, createDecipheriv, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import { loadOrCreateNodeKeySeed, NODE_KEY_FILE } from '@aios/drivers/audit-file';
import { fromBase64Url, toBase64Url } from '@aios/trust';

export const IDENTITY_DIR = 'identity';
export const ENCRYPTED_KEY_FILE = 'node.key.enc';
/** A rotation in progress writes the new seed here first (see history.ts for the commit order). */
export const NEXT_SUFFIX = '.next';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const AAD = Buffer.from('AIOS-NODE-KEY-v1');

export interface EncryptedKeyFile {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  ct: string;
}

export function identityDir(dataDir: string): string {
  return join(dataDir, IDENTITY_DIR);
}

/** Encrypts a 32-byte seed under a passphrase (scrypt + AES-256-GCM, fresh salt and iv from random). */
export function encryptSeed(seed: Uint8Array, passphrase: string, random: (n: number) => Uint8Array): EncryptedKeyFile {
  const salt = random(16);
  const iv = random(12);
  const key = scryptSync(passphrase, salt, 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(AAD);
  const ct = Buffer.concat([c.update(seed), c.final()]);
  return { v: 1, kdf: 'scrypt', ...SCRYPT, salt: toBase64Url(salt), iv: toBase64Url(iv), tag: toBase64Url(c.getAuthTag()), ct: toBase64Url(ct) };
}

/** EACCES on a wrong passphrase (or a tampered file); EIO on a malformed file. */
export function decryptSeed(file: EncryptedKeyFile, passphrase: string): Uint8Array {
  if (file?.v !== 1 || file.kdf !== 'scrypt') throw new AiosError('EIO', 'encrypted node key file is malformed');
  let key: Buffer;
  let iv: Uint8Array, tag: Uint8Array, ct: Uint8Array;
  try {
    key = scryptSync(passphrase, fromBase64Url(file.salt), 32, { N: file.N, r: file.r, p: file.p, maxmem: 256 * 1024 * 1024 });
    iv = fromBase64Url(file.iv);
    tag = fromBase64Url(file.tag);
    ct = fromBase64Url(file.ct);
  } catch (e) {
    throw new AiosError('EIO', 'encrypted node key file is malformed', undefined, { cause: e });
  }
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(AAD);
    d.setAuthTag(tag);
    const seed = new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
    if (seed.length !== 32) throw new Error('bad length');
    return seed;
  } catch {
    throw new AiosError('EACCES', 'wrong passphrase for the node key (AIOS_PASSPHRASE)');
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** Writes a file with mode 0600 through a temporary name and a rename (atomic on POSIX). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}

/** Which file holds the current seed. */
export async function keyFilePath(dataDir: string): Promise<{ path: string; encrypted: boolean } | null> {
  const dir = identityDir(dataDir);
  if (await exists(join(dir, ENCRYPTED_KEY_FILE))) return { path: join(dir, ENCRYPTED_KEY_FILE), encrypted: true };
  if (await exists(join(dir, NODE_KEY_FILE))) return { path: join(dir, NODE_KEY_FILE), encrypted: false };
  return null;
}

/** Reads one seed file (plain hex or encrypted JSON). */
export async function readSeedFile(path: string, passphrase: string | undefined): Promise<Uint8Array> {
  const text = (await fs.readFile(path, 'utf8')).trim();
  if (path.includes(ENCRYPTED_KEY_FILE)) {
    if (passphrase === undefined || passphrase === '') throw new AiosError('EACCES', 'the node key is encrypted: set AIOS_PASSPHRASE');
    let parsed: EncryptedKeyFile;
    try {
      parsed = JSON.parse(text) as EncryptedKeyFile;
    } catch {
      throw new AiosError('EIO', `${path} is not JSON`);
    }
    return decryptSeed(parsed, passphrase);
  }
  if (!/^[0-9a-f]{64}$/.test(text)) throw new AiosError('EIO', `${path} is not a 32-byte hex seed`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** Serialises a seed for its file: hex, or encrypted JSON when a passphrase is set. */
export function seedFileText(seed: Uint8Array, passphrase: string | undefined, random: (n: number) => Uint8Array): string {
  return passphrase ? JSON.stringify(encryptSeed(seed, passphrase, random)) + '\n' : Buffer.from(seed).toString('hex') + '\n';
}

/**
 * Loads the node seed, creating it on first boot (loadOrCreateNodeKeySeed, mode 0600). With a
 * passphrase, the seed is kept only encrypted: a plain node.key found is encrypted and removed.
 */
export async function loadOrCreateSeed(dataDir: string, passphrase: string | undefined, random: (n: number) => Uint8Array): Promise<{ seed: Uint8Array; encrypted: boolean; created: boolean }> {
  const dir = identityDir(dataDir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const found = await keyFilePath(dataDir);
  if (found?.encrypted) return { seed: await readSeedFile(found.path, passphrase), encrypted: true, created: false };
  const created = found === null;
  const seed = await loadOrCreateNodeKeySeed(dir, random);
  if (!passphrase) return { seed, encrypted: false, created };
  await writeFileAtomic(join(dir, ENCRYPTED_KEY_FILE), seedFileText(seed, passphrase, random));
  await fs.rm(join(dir, NODE_KEY_FILE), { force: true });
  return { seed, encrypted: true, created };
}
