// What an API client may spawn. The bearer token proves the caller may use the node, not that it may
// run code as the node's user: a native agent (trusted, unsandboxed) is EACCES unless the node was
// booted with allowNativeApi, and a path image must lie under one of the node's image roots (default:
// the node's working folder at boot), so the API cannot be used to read arbitrary host files.
// Both refusals are audited. The caller's own working folder is never trusted (the CLI resolves paths
// before sending them, and any client could claim any folder).
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AiosError, type AgentImage, type SpawnOptions } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import type { Privilege } from '@aios/abi';
import { checkCaps, shellCapsFromEnv } from '../node/cap-policy.ts';

export interface SpawnGuardOptions {
  allowNativeApi?: boolean;
  /** Folders path images may come from (resolved to real paths once). */
  imageRoots?: readonly string[];
  /** Privileges a client may grant with opts.capabilities (default: AIOS_SHELL_CAPS, else spawn and supervise). */
  shellCaps?: readonly Privilege[];
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Returns a checker for POST /v1/agents: throws EACCES (audited) for capabilities beyond the node's shell policy
 * (cap-policy.ts), a native spawn, or a path outside the roots; EINVAL for a capability that does not exist.
 */
export function spawnGuard(host: KernelHost, opts: SpawnGuardOptions): (image: AgentImage, spawnOpts: SpawnOptions) => void {
  const roots = (opts.imageRoots ?? [process.cwd()]).map(real);
  const shellCaps = opts.shellCaps ?? shellCapsFromEnv(process.env);
  const deny = (object: string, message: string, detail: Record<string, unknown>): never => {
    const k = host.kernel;
    k.audit.append(k.ports.clock.now(), k.root.id, 'ApiSpawn', object, 'EACCES', detail);
    throw new AiosError('EACCES', message, detail);
  };
  return (image, spawnOpts) => {
    try {
      checkCaps(spawnOpts.capabilities, shellCaps);
    } catch (e) {
      if ((e as AiosError).code === 'EACCES') deny('capabilities', (e as AiosError).message, (e as AiosError).detail as Record<string, unknown>);
      throw e;
    }
    const domain = spawnOpts.domain ?? host.kernel.defaultDomain;
    if (domain === 'native' && !opts.allowNativeApi) {
      deny('domain:native', 'spawning a native (trusted, unsandboxed) agent over the API needs a node booted with --allow-native-api (AIOS_ALLOW_NATIVE_API=1): it runs code as the node\'s user', { domain: 'native', setting: 'allowNativeApi' });
    }
    if ('path' in image) {
      // Relative paths resolve from the node's folder, as the image loader does; links are followed.
      const lexical = resolve(image.path);
      const ok = roots.some((r) => inside(r, lexical)) && roots.some((r) => inside(r, real(lexical)));
      if (!ok) deny(`image:${lexical}`, `image path ${lexical} is outside the node's image roots (${roots.join(', ')}); send the source instead, or boot the node with AIOS_API_IMAGE_ROOTS`, { path: lexical, roots });
    }
  };
}
