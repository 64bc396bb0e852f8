// The node's image gate: (1) fills the policy hook's AgentSpawn requests with the image's signature
// status (resource attrs.image -> Cedar context.image = { signed, signer, path }), so a policy can
// require signed images; (2) with --require-signed, wraps the loader port so that an image without a
// valid signature from a trusted, unrevoked key never loads: EACCES, one audit record (ImageVerify)
// naming the path, the digest and the reason. Service images of the installation are covered by the
// build manifest (secure-boot.ts) instead. Trusts the trust store in the data folder, re-read per check.
import { existsSync, realpathSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { AiosError, type ImageLoaderPort, type LoadRequest } from '@aios/abi';
import { type KernelHost, type PolicyRequest } from '@aios/kernel';
import { sha256, toHex } from '@aios/trust';
import type { CodeProvenance } from '@aios/abi';
import { SIG_SUFFIX, verifyImage, type ImageVerdict } from './image-signing.ts';
import { TRUST_FILE, TrustStore } from './trust-store.ts';

export interface ImageGateOptions {
  /** Refuse images without a valid signature from a trusted key (`aios boot --require-signed`). */
  requireSigned: boolean;
  /** Folders whose images the build manifest covers (the services' sources); their status comes from `build`. */
  exemptRoots: string[];
  now(): number;
}

export class ImageGate {
  private host: KernelHost | null = null;
  private trustSeen: string | null = null;
  /** Secure boot's outcome, for the policy attributes of exempt (installation) images. */
  build: { verified: boolean; keyId?: string } = { verified: false };

  constructor(readonly dataDir: string, private readonly opts: ImageGateOptions) {}

  /** Binds the host whose audit log receives the gate's records. */
  bind(host: KernelHost): void {
    this.host = host;
    this.trustSeen = this.trustDigest();
  }

  private trustDigest(): string | null {
    const f = `${this.dataDir}/${TRUST_FILE}`;
    return existsSync(f) ? toHex(sha256(readFileSync(f))) : null;
  }

  private record(syscall: string, object: string, result: string, detail: Record<string, unknown>): void {
    const k = this.host?.kernel;
    if (k) k.audit.append(this.opts.now(), k.root.id, syscall, object, result, detail);
  }

  private exempt(file: string): boolean {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      return false;
    }
    return this.opts.exemptRoots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep));
  }

  private readonly provenance = new WeakMap<object, CodeProvenance>();

  /**
   * Where an agent's code comes from, for its trust score: 'system' for native agents, 'signed' when its image
   * file carries a valid signature of a trusted key (checked once per loaded image), else 'unsigned'.
   */
  provenanceOf(agent: number): CodeProvenance {
    const a = this.host?.kernel.agents.get(agent);
    if (!a) return 'unsigned';
    if (a.domain === 'native') return 'system';
    const img = a.image;
    if (!img) return 'unsigned';
    let p = this.provenance.get(img);
    if (p === undefined) {
      let ok = false;
      try {
        ok = isAbsolute(img.origin) && statSync(img.origin).isFile() && (this.exempt(img.origin) ? this.build.verified : this.verify(img.origin).ok);
      } catch {
        ok = false;
      }
      p = ok ? 'signed' : 'unsigned';
      this.provenance.set(img, p);
    }
    return p;
  }

  /** Verifies an image file now; a trust store changed since the last check (by `aios keys`) is audited first. */
  verify(file: string): ImageVerdict {
    const d = this.trustDigest();
    if (this.host && d !== this.trustSeen) {
      const keys = TrustStore.open(this.dataDir).list();
      this.record('TrustStoreChanged', `file:${TRUST_FILE}`, 'ok', { sha256: d, keys: keys.length, revoked: keys.filter((k) => k.revoked).length });
      this.trustSeen = d;
    }
    if (!existsSync(file + SIG_SUFFIX)) {
      let digest = '';
      try {
        digest = toHex(sha256(readFileSync(file)));
      } catch {
        /* the loader reports the missing file */
      }
      return { ok: false, file, digest, reason: 'unsigned', message: `image ${file} has no signature (${file}${SIG_SUFFIX})` };
    }
    return verifyImage(file, TrustStore.open(this.dataDir));
  }

  /** Where the loader will find a path image (the same rule as loader-esbuild). */
  private resolvePath(path: string, sandboxed: boolean, root: string | null, dir: string | null): string {
    return isAbsolute(path) ? path : resolve(dir ?? (sandboxed && root !== null ? root : process.cwd()), path);
  }

  /** The policy hook's request with resource attrs.image filled in (AgentSpawn of a path image only). */
  enrich(req: PolicyRequest): PolicyRequest {
    const path = req.resource.attrs?.image;
    if (req.action !== 'AgentSpawn' || typeof path !== 'string') return req;
    const spawner = this.host?.kernel.agents.get(req.principal.id);
    const file = this.resolvePath(path, req.principal.domain === 'wasm', spawner?.image?.root ?? null, spawner?.image?.dir ?? null);
    let image: { signed: boolean; signer: string; path: string };
    if (this.exempt(file)) image = { signed: this.build.verified, signer: this.build.verified ? `build:${this.build.keyId}` : '', path: file };
    else {
      let v: ImageVerdict | null = null;
      try {
        if (statSync(file).isFile()) v = this.verify(file);
      } catch {
        v = null; // no such file: the loader reports it
      }
      image = { signed: v?.ok === true, signer: v?.ok ? v.keyId : '', path: file };
    }
    return { ...req, resource: { ...req.resource, attrs: { ...req.resource.attrs, image } } };
  }

  /** The loader port behind the gate: with requireSigned, refuses what does not verify (EACCES, audited). */
  wrap(inner: ImageLoaderPort): ImageLoaderPort {
    if (!this.opts.requireSigned) return inner;
    return {
      load: (image, from?: LoadRequest) => {
        if ('source' in image) {
          const digest = toHex(sha256(new TextEncoder().encode(image.source)));
          this.record('ImageVerify', `source:${image.filename ?? '<source>'}`, 'EACCES', { path: null, digest, reason: 'unsigned', requireSigned: true });
          return Promise.reject(new AiosError('EACCES', 'this node requires signed images (--require-signed): a source image cannot be signed; spawn a signed file', { reason: 'unsigned', digest }));
        }
        const file = this.resolvePath(image.path, from?.sandboxed ?? false, from?.root ?? null, from?.dir ?? null);
        if (this.exempt(file) || !existsSync(file)) return inner.load(image, from);
        let v: ImageVerdict;
        try {
          v = this.verify(file);
        } catch (e) {
          return Promise.reject(e);
        }
        if (!v.ok) {
          this.record('ImageVerify', `image:${file}`, 'EACCES', { path: file, digest: v.digest, reason: v.reason, ...(v.keyId ? { keyId: v.keyId } : {}), requireSigned: true });
          return Promise.reject(new AiosError('EACCES', `${v.message}; this node requires signed images (--require-signed)`, { path: file, digest: v.digest, reason: v.reason, ...(v.keyId ? { keyId: v.keyId } : {}) }));
        }
        this.record('ImageVerify', `image:${file}`, 'ok', { path: file, digest: v.digest, keyId: v.keyId, signer: v.signer, requireSigned: true });
        return inner.load(image, from);
      },
    };
  }
}

/** The node's gate: exempt roots are the real folders of the installation's service images. */
export function createImageGate(dataDir: string, requireSigned: boolean, serviceImageFile: () => string): ImageGate {
  let roots: string[] = [];
  try {
    roots = [realpathSync(resolve(serviceImageFile(), '..', '..'))];
  } catch {
    roots = [];
  }
  return new ImageGate(dataDir, { requireSigned, exemptRoots: roots, now: () => Date.now() });
}
