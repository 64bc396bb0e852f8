// The node's trust store: <dataDir>/trust.json (0600), the public keys allowed to sign agent images
// (use 'images') and the node's bundle manifest (use 'build'). Revocation is permanent: a revoked
// entry stays as a tombstone so the key can never be trusted again by accident. Also the node's
// developer key (<dataDir>/identity/developer.key, 0600), created on first use and trusted then.
// Trusts the file system permissions of the data folder.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { writeFileSync, chmodSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AiosError } from '@aios/abi';
import { decodePublicKey, encodePublicKey, fromBase64Url, hybridKeygen, keyId, sha256, toBase64Url, toHex, utf8, type HybridKeyPair } from '@aios/trust';

export const TRUST_FILE = 'trust.json';
export const DEVELOPER_KEY_FILE = join('identity', 'developer.key');

export type KeyUse = 'images' | 'build';

export interface TrustEntry {
  keyId: string;
  name: string;
  use: KeyUse;
  publicKey: string;
  addedAt: number;
  revoked?: { at: number };
}

interface TrustFile {
  v: 1;
  keys: TrustEntry[];
}

/** Writes a private file atomically (temp + rename), mode 0600. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export class TrustStore {
  private constructor(readonly file: string, private data: TrustFile) {}

  /** Reads <dataDir>/trust.json (an empty store when absent). EIO when it is not a trust store. */
  static open(dataDir: string): TrustStore {
    const file = join(dataDir, TRUST_FILE);
    if (!existsSync(file)) return new TrustStore(file, { v: 1, keys: [] });
    try {
      const d = JSON.parse(readFileSync(file, 'utf8')) as TrustFile;
      if (d?.v !== 1 || !Array.isArray(d.keys)) throw new Error('shape');
      return new TrustStore(file, d);
    } catch {
      throw new AiosError('EIO', `${file} is not a trust store`, { file });
    }
  }

  /** sha256 of the file's content as last read or written (the node audits a change it did not make). */
  get digest(): string {
    return toHex(sha256(utf8(JSON.stringify(this.data))));
  }

  list(): readonly TrustEntry[] {
    return this.data.keys;
  }

  /** The entry of a full key id, or of a unique prefix of at least 8 hex digits. */
  find(ref: string): TrustEntry | undefined {
    const exact = this.data.keys.find((k) => k.keyId === ref);
    if (exact || ref.length < 8) return exact;
    const m = this.data.keys.filter((k) => k.keyId.startsWith(ref.toLowerCase()));
    return m.length === 1 ? m[0] : undefined;
  }

  /**
   * Trusts a public key (base64url of the encoded hybrid key) for a use. Idempotent for a key already
   * trusted; EACCES for a revoked key (revocation is permanent); EINVAL for a malformed key.
   */
  trust(publicKey: string, opts: { name?: string; use?: KeyUse; now: number }): { entry: TrustEntry; added: boolean } {
    let pub;
    try {
      pub = decodePublicKey(fromBase64Url(publicKey.trim()));
    } catch {
      throw new AiosError('EINVAL', 'not a hybrid public key (base64url, as in KEY.pub or a .sig file)', { arg: 'KEY' });
    }
    const id = keyId(pub);
    const use = opts.use ?? 'images';
    const old = this.data.keys.find((k) => k.keyId === id && k.use === use);
    if (old?.revoked) throw new AiosError('EACCES', `key ${id.slice(0, 16)} was revoked; revocation is permanent`, { keyId: id });
    if (old) return { entry: old, added: false };
    const entry: TrustEntry = { keyId: id, name: opts.name ?? id.slice(0, 12), use, publicKey: toBase64Url(encodePublicKey(pub)), addedAt: opts.now };
    this.data.keys.push(entry);
    this.save();
    return { entry, added: true };
  }

  /** Revokes a key (full id or unique prefix), in every use. ENOENT when no entry matches. */
  revoke(ref: string, now: number): TrustEntry[] {
    const one = this.find(ref);
    if (!one) throw new AiosError('ENOENT', `no trusted key ${ref} (full key id, or a unique prefix of 8+ hex digits)`, { keyId: ref });
    const hit = this.data.keys.filter((k) => k.keyId === one.keyId);
    for (const k of hit) k.revoked ??= { at: now };
    this.save();
    return hit;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    writePrivate(this.file, JSON.stringify(this.data, null, 2) + '\n');
  }
}

/** Reads a key file made by `aios keys new` (or the developer key): a 32-byte seed in hex. EINVAL otherwise. */
export function readKeyFile(path: string): HybridKeyPair {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    throw new AiosError('ENOENT', `no key file ${path}`, { path });
  }
  if (!/^[0-9a-f]{64}$/.test(text)) throw new AiosError('EINVAL', `${path} is not a key file (a 32-byte seed in hex, as \`aios keys new\` writes)`, { path });
  return hybridKeygen(Uint8Array.from(Buffer.from(text, 'hex')));
}

/** Creates a key file (0600, refuses to overwrite: EEXIST) and KEY.pub next to it. */
export function newKeyFile(path: string): HybridKeyPair {
  if (existsSync(path)) throw new AiosError('EEXIST', `${path} exists; not overwriting a key`, { path });
  const seed = new Uint8Array(randomBytes(32));
  const key = hybridKeygen(seed);
  writeFileSync(path, Buffer.from(seed).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  writeFileSync(`${path}.pub`, toBase64Url(encodePublicKey(key.publicKey)) + '\n', { mode: 0o644 });
  return key;
}

/**
 * The node's developer key, created on first use (identity/developer.key, 0600) and trusted for
 * images then (unless it was revoked: a revoked developer key stays revoked).
 */
export function developerKey(dataDir: string, now: number): { key: HybridKeyPair; created: boolean } {
  mkdirSync(join(dataDir, 'identity'), { recursive: true, mode: 0o700 });
  const file = join(dataDir, DEVELOPER_KEY_FILE);
  let created = false;
  if (!existsSync(file)) {
    writePrivate(file, Buffer.from(randomBytes(32)).toString('hex') + '\n');
    created = true;
  }
  const key = readKeyFile(file);
  const store = TrustStore.open(dataDir);
  if (!store.find(key.keyId)) store.trust(toBase64Url(encodePublicKey(key.publicKey)), { name: 'developer', use: 'images', now });
  return { key, created };
}

/** A public key argument: base64url text, or a file holding it (KEY.pub), a JSON with `publicKey` (a .sig), or a key file. */
export function publicKeyArg(arg: string): string {
  const text = existsSync(arg) ? readFileSync(arg, 'utf8').trim() : arg.trim();
  if (existsSync(arg) && /^[0-9a-f]{64}$/.test(text)) return toBase64Url(encodePublicKey(readKeyFile(arg).publicKey));
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as { publicKey?: unknown };
      if (typeof j.publicKey === 'string') return j.publicKey;
    } catch {
      /* fall through */
    }
    throw new AiosError('EINVAL', `${arg} holds no publicKey`, { arg: 'KEY' });
  }
  return text;
}
