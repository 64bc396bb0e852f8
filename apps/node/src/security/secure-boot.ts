// Secure boot: before any agent runs, the node measures the files it runs from (its bundle and the
// sources of its service images) and checks them against the build's signed manifest, whose key must
// be a trusted build key of the data folder's trust store (trusted on first use: the first boot of a
// data folder trusts the key that signed the manifest it finds). A mismatch refuses the boot (EACCES)
// unless the operator allows unverified code; both outcomes are audited and measured (register 0).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AiosError } from '@aios/abi';
import { type KernelHost } from '@aios/kernel';
import { measure, sha256, toHex } from '@aios/trust';
import { MANIFEST_FILE, installRootOf, manifestSignatureOk, measureFiles, type BuildManifest } from './build-manifest.ts';
import { TrustStore } from './trust-store.ts';
import { REG } from './attest.ts';
import type { NodeSecurity } from './index.ts';

export type SecureBootReason = 'no-manifest' | 'bad-signature' | 'untrusted-key' | 'revoked-key' | 'files-differ' | 'no-install-root';

export type SecureBootReport =
  | { ok: true; distDir: string; keyId: string; files: number; tofu: boolean; manifestSha256: string }
  | { ok: false; distDir: string; reason: SecureBootReason; message: string; keyId?: string; changed?: string[]; missing?: string[]; extra?: string[] };

/** The folder of the running bundle (…/dist), or null when the node runs from TypeScript sources. */
export function runningDist(): string | null {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.js') && basename(dirname(here)) === 'dist' ? dirname(here) : null;
}

/** Checks <distDir>/manifest.json; trusts its key on first use (recorded in the trust store as use 'build'). */
export function checkBuild(distDir: string, dataDir: string, now: number): SecureBootReport {
  const no = (reason: SecureBootReason, message: string, extra: Record<string, unknown> = {}): SecureBootReport => ({ ok: false, distDir, reason, message, ...extra });
  const root = installRootOf(distDir);
  if (root === null) return no('no-install-root', `no installation (packages/services/src) above ${distDir}`);
  const file = join(distDir, MANIFEST_FILE);
  if (!existsSync(file)) return no('no-manifest', `${file} is missing (run npm run build)`);
  let text: string;
  let m: BuildManifest;
  try {
    text = readFileSync(file, 'utf8');
    m = JSON.parse(text) as BuildManifest;
  } catch {
    return no('bad-signature', `${file} is not a build manifest`);
  }
  if (m?.v !== 1 || m.type !== 'aios-build-manifest' || typeof m.files !== 'object' || m.files === null || !manifestSignatureOk(m)) {
    return no('bad-signature', `the signature of ${file} does not verify`);
  }
  const store = TrustStore.open(dataDir);
  const builds = store.list().filter((k) => k.use === 'build');
  const mine = builds.find((k) => k.keyId === m.keyId);
  let tofu = false;
  if (mine?.revoked) return no('revoked-key', `the build key ${m.keyId.slice(0, 16)} was revoked`, { keyId: m.keyId });
  if (!mine) {
    if (builds.some((k) => !k.revoked)) return no('untrusted-key', `the manifest is signed by build key ${m.keyId.slice(0, 16)}, not the build key this node trusts`, { keyId: m.keyId });
    store.trust(m.publicKey, { name: 'build', use: 'build', now });
    tofu = true;
  }
  const found = measureFiles(distDir, root);
  const changed = Object.keys(m.files).filter((p) => p in found && found[p] !== m.files[p]);
  const missing = Object.keys(m.files).filter((p) => !(p in found));
  const extra = Object.keys(found).filter((p) => !(p in m.files));
  if (changed.length + missing.length + extra.length > 0) {
    const cut = (l: string[]) => l.slice(0, 20);
    return no('files-differ', `the node's files differ from the signed build manifest (${changed.length} changed, ${missing.length} missing, ${extra.length} not listed): ${[...changed, ...missing, ...extra].slice(0, 3).join(', ')}`,
      { keyId: m.keyId, changed: cut(changed), missing: cut(missing), extra: cut(extra) });
  }
  return { ok: true, distDir, keyId: m.keyId, files: Object.keys(found).length, tofu, manifestSha256: toHex(sha256(readFileSync(file))) };
}

/**
 * Runs secure boot on an attached node: audits the outcome (SecureBoot ok | unverified | EACCES) and
 * extends register 0. Throws EACCES on a mismatch unless allowUnverified. distDir null (a node from
 * sources) skips the check.
 */
export function secureBoot(host: KernelHost, security: NodeSecurity, opts: { distDir: string | null; allowUnverified?: boolean; now: number }): SecureBootReport | null {
  if (opts.distDir === null) return null;
  const r = checkBuild(opts.distDir, security.dataDir, opts.now);
  const k = host.kernel;
  const { ok: _ok, ...detail } = r;
  if (r.ok) {
    k.audit.append(opts.now, k.root.id, 'SecureBoot', 'manifest', 'ok', detail);
    security.registers.extend(REG.kernel, measure(r.manifestSha256), `build manifest verified (key ${r.keyId.slice(0, 16)}${r.tofu ? ', trusted on first use' : ''})`);
    return r;
  }
  if (opts.allowUnverified) {
    k.audit.append(opts.now, k.root.id, 'SecureBoot', 'manifest', 'unverified', { ...detail, allowedBy: '--allow-unverified' });
    security.registers.extend(REG.kernel, measure(`unverified:${r.reason}`), `build manifest NOT verified (${r.reason}); booted with --allow-unverified`);
    return r;
  }
  k.audit.append(opts.now, k.root.id, 'SecureBoot', 'manifest', 'EACCES', detail);
  throw new AiosError('EACCES', `secure boot refused: ${r.message} (boot with --allow-unverified to run it anyway)`, detail);
}
