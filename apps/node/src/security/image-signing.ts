// Signed agent images: what a signature covers, the FILE.sig format, signing and verifying.
// An image's *statement* is the entry file's sha256 plus the sha256 of every local file the entry
// imports (its import closure inside the image's folder, found with esbuild; packages are not covered).
// A signature is hybrid (Ed25519 + ML-DSA-65) over the canonical JSON of that statement, so an image
// whose entry or any local import changed after signing no longer matches. Trusts the trust store.
import { readFileSync, realpathSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { AiosError } from '@aios/abi';
import { canonicalJson, decodePublicKey, encodePublicKey, fromBase64Url, hybridSign, hybridVerify, sha256, toBase64Url, toHex, utf8, type HybridKeyPair } from '@aios/trust';
import type { TrustStore } from './trust-store.ts';

export const SIG_SUFFIX = '.sig';
export const SIG_ALGORITHM = 'hybrid-ed25519-mldsa65';
/** Domain separation: an image signature is never a valid signature of anything else the node signs. */
const SIG_DOMAIN = utf8('AIOS-IMAGE-SIG-v1\0');
/** A .sig file larger than this is refused unread (a real one is about 7 KiB). */
const SIG_MAX_BYTES = 64 * 1024;

export interface ImageStatement {
  v: 1;
  type: 'aios-image';
  /** The entry file's name (not its folder: an image folder may move). */
  entry: string;
  sha256: string;
  /** [path relative to the entry's folder, sha256] of each local import, sorted; the entry excluded. */
  files: Array<[string, string]>;
}

export interface SignatureFile {
  v: 1;
  type: 'aios-image-signature';
  algorithm: typeof SIG_ALGORITHM;
  keyId: string;
  /** The signer's hybrid public key (base64url), so a verifier can name it; trust comes from the store. */
  publicKey: string;
  statement: ImageStatement;
  sig: string;
}

/** Why an image is refused: the audit record's `reason`. */
export type RefusalReason = 'unsigned' | 'bad-signature' | 'untrusted-key' | 'revoked-key' | 'changed';

export type ImageVerdict =
  | { ok: true; file: string; digest: string; keyId: string; signer: string }
  | { ok: false; file: string; digest: string; reason: RefusalReason; keyId?: string; message: string };

const hex = (b: Uint8Array) => toHex(sha256(b));

/** The image's statement as it is on disk now. ENOENT when the entry cannot be read. */
export function imageStatement(file: string): ImageStatement {
  let entry: string;
  let bytes: Uint8Array;
  try {
    entry = realpathSync(file);
    bytes = readFileSync(entry);
  } catch {
    throw new AiosError('ENOENT', `no image file ${file}`, { path: file });
  }
  const dir = dirname(entry);
  const files: Array<[string, string]> = [];
  try {
    const out = buildSync({
      entryPoints: [entry], absWorkingDir: dir, bundle: true, write: false, metafile: true, packages: 'external',
      platform: 'neutral', conditions: ['aios-source'], logLevel: 'silent', outfile: join(dir, '__aios_sign_out.js'),
    });
    for (const input of Object.keys(out.metafile!.inputs)) {
      const abs = join(dir, input);
      if (abs === entry || input.includes(':')) continue;
      files.push([relative(dir, abs), hex(readFileSync(abs))]);
    }
  } catch {
    // An image that does not build has no import closure; its statement is the entry alone (the loader refuses it anyway).
  }
  files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { v: 1, type: 'aios-image', entry: basename(entry), sha256: hex(bytes), files };
}

/** The image digest named in audit records: sha256 of the statement's canonical JSON. */
export function statementDigest(s: ImageStatement): string {
  return hex(utf8(canonicalJson(s)));
}

function signedBytes(s: ImageStatement): Uint8Array {
  const body = utf8(canonicalJson(s));
  const m = new Uint8Array(SIG_DOMAIN.length + body.length);
  m.set(SIG_DOMAIN);
  m.set(body, SIG_DOMAIN.length);
  return m;
}

/** Signs FILE with the key and writes FILE.sig (mode 0644: a signature is public). */
export function signImage(file: string, key: HybridKeyPair): { file: string; sig: string; keyId: string; algorithm: string; digest: string } {
  const statement = imageStatement(file);
  const sigFile: SignatureFile = {
    v: 1, type: 'aios-image-signature', algorithm: SIG_ALGORITHM, keyId: key.keyId,
    publicKey: toBase64Url(encodePublicKey(key.publicKey)), statement, sig: toBase64Url(hybridSign(key.secretKey, signedBytes(statement))),
  };
  const out = file + SIG_SUFFIX;
  writeFileSync(out, JSON.stringify(sigFile, null, 2) + '\n', { mode: 0o644 });
  chmodSync(out, 0o644);
  return { file, sig: out, keyId: key.keyId, algorithm: SIG_ALGORITHM, digest: statementDigest(statement) };
}

function readSigFile(path: string): SignatureFile | null | 'malformed' {
  let st;
  try {
    st = statSync(path);
  } catch {
    return null;
  }
  if (!st.isFile() || st.size > SIG_MAX_BYTES) return 'malformed';
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as SignatureFile;
    const okStatement = s?.statement?.v === 1 && s.statement.type === 'aios-image' && typeof s.statement.sha256 === 'string' && Array.isArray(s.statement.files);
    if (s?.v !== 1 || s.type !== 'aios-image-signature' || typeof s.keyId !== 'string' || typeof s.sig !== 'string' || !okStatement) return 'malformed';
    return s;
  } catch {
    return 'malformed';
  }
}

/**
 * Verifies FILE against FILE.sig and the trust store. Order: no .sig is `unsigned`; a malformed .sig
 * `bad-signature`; a revoked key `revoked-key`; a key not in the store `untrusted-key`; a signature
 * that does not verify under the STORED public key `bad-signature`; a valid signature over other
 * content (the image changed after signing, or another file's .sig) `changed`. Never throws for a
 * bad signature; ENOENT only when the image itself is missing.
 */
export function verifyImage(file: string, trust: TrustStore): ImageVerdict {
  const current = imageStatement(file);
  const digest = statementDigest(current);
  const no = (reason: RefusalReason, message: string, keyId?: string): ImageVerdict => ({ ok: false, file, digest, reason, message, ...(keyId ? { keyId } : {}) });
  const s = readSigFile(file + SIG_SUFFIX);
  if (s === null) return no('unsigned', `image ${file} has no signature (${basename(file)}${SIG_SUFFIX})`);
  if (s === 'malformed') return no('bad-signature', `the signature file of ${file} is malformed`);
  const entry = trust.find(s.keyId);
  if (entry?.revoked) return no('revoked-key', `image ${file} is signed by revoked key ${s.keyId.slice(0, 16)}`, s.keyId);
  if (!entry || entry.use !== 'images') return no('untrusted-key', `image ${file} is signed by key ${s.keyId.slice(0, 16)}, which the node does not trust`, s.keyId);
  let ok = false;
  try {
    ok = hybridVerify(decodePublicKey(fromBase64Url(entry.publicKey)), signedBytes(s.statement), fromBase64Url(s.sig));
  } catch {
    ok = false;
  }
  if (!ok) return no('bad-signature', `the signature of ${file} does not verify under key ${s.keyId.slice(0, 16)}`, s.keyId);
  if (statementDigest(s.statement) !== digest) return no('changed', `image ${file} changed after it was signed`, s.keyId);
  return { ok: true, file, digest, keyId: s.keyId, signer: entry.name };
}
