// The node's key history (<dataDir>/identity/keys.json, public): every node key in order, each new
// one endorsed (hybrid-signed) by its predecessor, with the audit tree size at which it took over.
// A verifier trusts the first key (or a key id it pins) and follows the endorsements from there.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import {
  decodePublicKey, encodePublicKey, fromBase64Url, hybridKeygen, hybridSign, hybridVerify, keyId, toBase64Url, utf8,
  type HybridKeyPair, type HybridPublicKey,
} from '@aios/trust';
import { ENCRYPTED_KEY_FILE, NEXT_SUFFIX, identityDir, keyFilePath, readSeedFile, seedFileText, writeFileAtomic } from './keystore.ts';
import { NODE_KEY_FILE } from '@aios/drivers/audit-file';

export const KEY_HISTORY_FILE = 'keys.json';

export interface KeyRecord {
  keyId: string;
  /** base64url of the encoded hybrid public key. */
  publicKey: string;
  /** Wall-clock ms when the key became current. */
  since: number;
  /** Audit tree size when the key took over: its checkpoints cover at least this many records. */
  atSeq: number;
  prev: string | null;
  /** base64url hybrid signature of the previous key over endorsementMessage(); null for the first key. */
  endorsement: string | null;
}

export interface KeyHistory {
  v: 1;
  keys: KeyRecord[];
}

export interface VerifiedKey {
  keyId: string;
  publicKey: HybridPublicKey;
  /** Checkpoints by this key must have treeSize in [fromSize, untilSize] (untilSize Infinity for the current key). */
  fromSize: number;
  untilSize: number;
}

export type KeyChainResult = { ok: true; keys: VerifiedKey[] } | { ok: false; reason: string };

export function endorsementMessage(prevKeyId: string, newKeyId: string, atSeq: number, since: number): Uint8Array {
  return utf8(`AIOS-KEY-ROTATION-v1\n${prevKeyId}\n${newKeyId}\n${atSeq}\n${since}\n`);
}

export function keyRecord(key: HybridKeyPair, since: number, atSeq: number, prev: HybridKeyPair | null): KeyRecord {
  const endorsement = prev ? toBase64Url(hybridSign(prev.secretKey, endorsementMessage(prev.keyId, key.keyId, atSeq, since))) : null;
  return { keyId: key.keyId, publicKey: toBase64Url(encodePublicKey(key.publicKey)), since, atSeq, prev: prev?.keyId ?? null, endorsement };
}

/**
 * Checks the chain of keys: each public key hashes to its id, each key after the first is endorsed by
 * its predecessor, atSeq never goes back. pinnedRoot (a key id), when given, must be the first key.
 */
export function verifyKeyHistory(h: KeyHistory, pinnedRoot?: string): KeyChainResult {
  if (h?.v !== 1 || !Array.isArray(h.keys) || h.keys.length === 0) return { ok: false, reason: 'key history is empty or malformed' };
  if (pinnedRoot !== undefined && h.keys[0]!.keyId !== pinnedRoot) return { ok: false, reason: `first key ${h.keys[0]!.keyId} is not the pinned key ${pinnedRoot}` };
  const out: VerifiedKey[] = [];
  let prev: VerifiedKey | null = null;
  for (const [i, r] of h.keys.entries()) {
    let pub: HybridPublicKey;
    try {
      pub = decodePublicKey(fromBase64Url(r.publicKey));
    } catch {
      return { ok: false, reason: `key ${i}: malformed public key` };
    }
    if (keyId(pub) !== r.keyId) return { ok: false, reason: `key ${i}: key id does not match its public key` };
    if (!Number.isSafeInteger(r.atSeq) || r.atSeq < 0 || typeof r.since !== 'number') return { ok: false, reason: `key ${i}: malformed atSeq or since` };
    if (prev) {
      if (r.prev !== prev.keyId || typeof r.endorsement !== 'string') return { ok: false, reason: `key ${i}: not linked to key ${i - 1}` };
      if (r.atSeq < prev.fromSize) return { ok: false, reason: `key ${i}: takes over before its predecessor` };
      let sig: Uint8Array;
      try {
        sig = fromBase64Url(r.endorsement);
      } catch {
        return { ok: false, reason: `key ${i}: malformed endorsement` };
      }
      if (!hybridVerify(prev.publicKey, endorsementMessage(prev.keyId, r.keyId, r.atSeq, r.since), sig)) {
        return { ok: false, reason: `key ${i}: endorsement by ${prev.keyId} does not verify` };
      }
      prev.untilSize = r.atSeq;
    } else if (r.prev !== null || r.endorsement !== null) {
      return { ok: false, reason: 'key 0: the first key has no predecessor' };
    }
    const v: VerifiedKey = { keyId: r.keyId, publicKey: pub, fromSize: r.atSeq, untilSize: Infinity };
    out.push(v);
    prev = v;
  }
  return { ok: true, keys: out };
}

export async function readKeyHistory(dataDir: string): Promise<KeyHistory | null> {
  try {
    return JSON.parse(await fs.readFile(join(identityDir(dataDir), KEY_HISTORY_FILE), 'utf8')) as KeyHistory;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AiosError('EIO', `cannot read ${KEY_HISTORY_FILE}`, undefined, { cause: e });
  }
}

export async function writeKeyHistory(dataDir: string, h: KeyHistory): Promise<void> {
  await writeFileAtomic(join(identityDir(dataDir), KEY_HISTORY_FILE), JSON.stringify(h, null, 2) + '\n');
}

/** Trusted keys of a data folder (EIO when the history is missing or broken). */
export async function trustedKeys(dataDir: string, pinnedRoot?: string): Promise<VerifiedKey[]> {
  const h = await readKeyHistory(dataDir);
  if (!h) throw new AiosError('ENOENT', `no key history in ${identityDir(dataDir)} (has a node ever booted here?)`);
  const r = verifyKeyHistory(h, pinnedRoot);
  if (!r.ok) throw new AiosError('EIO', `key history fails verification: ${r.reason}`, { reason: r.reason });
  return r.keys;
}

/**
 * Finishes or undoes a rotation a crash interrupted: the new seed (file + '.next') is committed when
 * keys.json already names it, else dropped. Commit order of a rotation: write .next, write keys.json, rename.
 */
export async function recoverRotation(dataDir: string, passphrase: string | undefined): Promise<void> {
  const dir = identityDir(dataDir);
  for (const name of [NODE_KEY_FILE, ENCRYPTED_KEY_FILE]) {
    const next = join(dir, name + NEXT_SUFFIX);
    const there = await fs.access(next).then(() => true, () => false);
    if (!there) continue;
    const h = await readKeyHistory(dataDir);
    let seedKeyId: string | null = null;
    try {
      seedKeyId = hybridKeygen(await readSeedFile(next, passphrase)).keyId;
    } catch {
      seedKeyId = null;
    }
    if (h && seedKeyId !== null && h.keys[h.keys.length - 1]?.keyId === seedKeyId) await fs.rename(next, join(dir, name));
    else await fs.rm(next, { force: true });
  }
}

/**
 * Rotates the node key on disk: a new seed from random, endorsed by the old key, taking over at audit
 * tree size atSeq. Returns the new key pair. The caller cuts a last checkpoint with the old key first.
 */
export async function rotateKeyOnDisk(
  dataDir: string, old: HybridKeyPair, atSeq: number, now: number, passphrase: string | undefined, random: (n: number) => Uint8Array,
): Promise<HybridKeyPair> {
  const found = await keyFilePath(dataDir);
  if (!found) throw new AiosError('ENOENT', 'no node key to rotate');
  if (found.encrypted && !passphrase) throw new AiosError('EACCES', 'the node key is encrypted: set AIOS_PASSPHRASE');
  const h = (await readKeyHistory(dataDir)) ?? { v: 1 as const, keys: [] };
  if (h.keys[h.keys.length - 1]?.keyId !== old.keyId) throw new AiosError('ECONFLICT', 'the key history does not end with the current node key');
  const seed = random(32);
  const next = hybridKeygen(seed);
  const nextFile = found.path + NEXT_SUFFIX;
  await writeFileAtomic(nextFile, seedFileText(seed, found.encrypted ? passphrase : undefined, random));
  h.keys.push(keyRecord(next, now, atSeq, old));
  await writeKeyHistory(dataDir, h);
  await fs.rename(nextFile, found.path);
  return next;
}
