// The build manifest of secure boot: <dist>/manifest.json lists the sha256 of every file the node runs
// from its installation (the bundle's dist/*.js and the sources its service images are built from:
// packages/{abi,runtime,services}/src, tests excluded) and is signed (hybrid) by the build key:
// $AIOS_BUILD_KEY (a key file) or ~/.aios-build/build.key (created 0600 on first build). The build
// writes it (scripts/build.mjs runs writeBuildManifest); the node checks it at boot (secure-boot.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { canonicalJson, decodePublicKey, encodePublicKey, fromBase64Url, hybridSign, hybridVerify, keyId, sha256, toBase64Url, toHex, utf8, type HybridKeyPair } from '@aios/trust';
import { newKeyFile, readKeyFile } from './trust-store.ts';

export const MANIFEST_FILE = 'manifest.json';
/** Source trees of the service images (bundled by the image loader at spawn), relative to the repository root. */
export const SERVICE_SOURCE_TREES = ['packages/abi/src', 'packages/runtime/src', 'packages/services/src'];
const DOMAIN = utf8('AIOS-BUILD-MANIFEST-v1\0');

export interface BuildManifest {
  v: 1;
  type: 'aios-build-manifest';
  createdAt: number;
  /** Path relative to the repository root (POSIX separators) -> sha256 hex. */
  files: Record<string, string>;
  keyId: string;
  publicKey: string;
  sig: string;
}

/** The repository root above a dist folder: the first ancestor holding packages/services/src. */
export function installRootOf(distDir: string): string | null {
  let dir = distDir;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'packages', 'services', 'src'))) return dir;
    dir = dirname(dir);
  }
  return null;
}

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && /\.(ts|json)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
}

/** The files the manifest covers, as absolute paths, sorted. */
export function coveredFiles(distDir: string, root: string): string[] {
  const out = readdirSync(distDir).filter((f) => f.endsWith('.js')).map((f) => join(distDir, f));
  for (const t of SERVICE_SOURCE_TREES) walk(join(root, t), out);
  return out.sort();
}

const rel = (root: string, p: string) => relative(root, p).split(sep).join('/');

/** sha256 of every covered file, keyed by its path relative to the root. */
export function measureFiles(distDir: string, root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const p of coveredFiles(distDir, root)) files[rel(root, p)] = toHex(sha256(readFileSync(p)));
  return files;
}

function body(m: Pick<BuildManifest, 'v' | 'type' | 'createdAt' | 'files' | 'keyId'>): Uint8Array {
  const b = utf8(canonicalJson({ v: m.v, type: m.type, createdAt: m.createdAt, files: m.files, keyId: m.keyId }));
  const out = new Uint8Array(DOMAIN.length + b.length);
  out.set(DOMAIN);
  out.set(b, DOMAIN.length);
  return out;
}

/** The build key: $AIOS_BUILD_KEY, else ~/.aios-build/build.key (created on first use). */
export function buildKey(env: NodeJS.ProcessEnv = process.env): { key: HybridKeyPair; file: string } {
  const file = env.AIOS_BUILD_KEY || join(homedir(), '.aios-build', 'build.key');
  if (!existsSync(file) && !env.AIOS_BUILD_KEY) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    return { key: newKeyFile(file), file };
  }
  return { key: readKeyFile(file), file };
}

export function signManifest(files: Record<string, string>, key: HybridKeyPair, createdAt: number): BuildManifest {
  const m = { v: 1 as const, type: 'aios-build-manifest' as const, createdAt, files, keyId: key.keyId };
  return { ...m, publicKey: toBase64Url(encodePublicKey(key.publicKey)), sig: toBase64Url(hybridSign(key.secretKey, body(m))) };
}

/** True when the manifest's signature verifies under its own public key and its keyId names that key. */
export function manifestSignatureOk(m: BuildManifest): boolean {
  try {
    const pub = decodePublicKey(fromBase64Url(m.publicKey));
    return keyId(pub) === m.keyId && hybridVerify(pub, body(m), fromBase64Url(m.sig));
  } catch {
    return false;
  }
}

/** Called by the build after bundling: measures and signs, writes <distDir>/manifest.json. */
export function writeBuildManifest(distDir: string, now = Date.now()): { file: string; files: number; keyId: string } {
  const root = installRootOf(distDir);
  if (root === null) throw new Error(`no repository root above ${distDir}`);
  const { key } = buildKey();
  const m = signManifest(measureFiles(distDir, root), key, now);
  const file = join(distDir, MANIFEST_FILE);
  writeFileSync(file, JSON.stringify(m, null, 1) + '\n');
  return { file, files: Object.keys(m.files).length, keyId: key.keyId };
}
