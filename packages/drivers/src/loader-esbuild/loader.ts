// The image loader device: turns an agent image (module text or a file path) into one bundled
// script with esbuild. The bundle is an IIFE that defines `__aios_agent`, whose `entry` is the
// runtime's entry around the module's default export. What an image may import is decided by
// guard.ts (source images: the runtime only; path images: their folder tree and packages).
// Builds are bounded (queue.ts) and cached by content; errors never carry file contents.

import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { AiosError, limits, type AgentImage, type LoadRequest } from '@aios/abi';
import { importGuard, NS, within, type Denial, type GuardScope } from './guard.ts';
import { BuildQueue } from './queue.ts';

export interface LoadedImage {
  code: string;
  key: string;
  origin: string;
  root?: string;
  /** Folder of a path image's entry file (see @aios/abi LoadedImage.dir). */
  dir?: string;
}

export interface ImageLoader {
  load(image: AgentImage, from?: LoadRequest): Promise<LoadedImage>;
}

export interface LoaderOptions {
  /** Directory that relative image paths of the host resolve from. */
  cwd?: string;
  /**
   * Folders whose code files any sandboxed agent may load as `{ path }` images (default: [cwd]).
   * Beyond them a sandboxed agent may load only files inside its own image's folder tree.
   */
  imageRoots?: string[];
  /** JavaScript target of bundles (QuickJS supports ES2020+). */
  target?: string;
}

/** node_modules of the AIOS installation: agents can always import @aios/runtime, wherever their file lives. */
const ownNodeModules = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      if (statSync(join(dir, 'node_modules', '@aios')).isDirectory()) return join(dir, 'node_modules');
    } catch {
      /* keep climbing */
    }
    dir = dirname(dir);
  }
  return join(process.cwd(), 'node_modules');
})();

/** Real path of the installation's packages folder (the parent of @aios/runtime's real folder). */
const installRoot = (() => {
  try {
    return dirname(realpathSync(join(ownNodeModules, '@aios', 'runtime')));
  } catch {
    return dirname(ownNodeModules);
  }
})();

const CODE_EXT = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

/** Sources up to this length are remembered by text, so a pool of identical spawns skips hashing. */
const RECENT_SOURCE_MAX = 64 * 1024;

const ENTRY = (spec: string) =>
  `import * as m from ${JSON.stringify(spec)};\nimport { createEntry } from '@aios/runtime/entry';\nexport const entry = createEntry(m);\n`;

/** An esbuild message made safe to show: quoted text (which may come from a file) is elided. */
function scrub(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').slice(0, 200);
}

export function createImageLoader(opts: LoaderOptions = {}): ImageLoader {
  const cwd = opts.cwd ?? process.cwd();
  const imageRoots = (opts.imageRoots ?? [cwd]).map((r) => {
    try {
      return realpathSync(r);
    } catch {
      return resolve(r);
    }
  });
  /** Built images by cache key, least recently used first; bounded by IMAGE_CACHE_BYTES of code. */
  const cache = new Map<string, Promise<LoadedImage>>();
  const sizes = new Map<string, number>();
  let cached = 0;
  /** Recently loaded short sources, by text (cleared at 256 entries). */
  const bySource = new Map<string, { key: string; p: Promise<LoadedImage> }>();
  const queue = new BuildQueue(limits.IMAGE_BUILDS_CONCURRENT, limits.IMAGE_BUILDS_PER_AGENT, limits.IMAGE_BUILD_QUEUE_MAX);

  function remember(key: string, p: Promise<LoadedImage>): void {
    cache.set(key, p);
    p.then(
      (img) => {
        if (cache.get(key) !== p) return;
        sizes.set(key, img.code.length);
        cached += img.code.length;
        for (const [k] of cache) {
          if (cached <= limits.IMAGE_CACHE_BYTES) break;
          forget(k);
        }
      },
      () => {
        if (cache.get(key) === p) forget(key);
      },
    );
  }

  function forget(key: string): void {
    cache.delete(key);
    cached -= sizes.get(key) ?? 0;
    sizes.delete(key);
  }

  function cachedOrBuild(key: string, make: () => Promise<LoadedImage>): Promise<LoadedImage> {
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const p = make();
    remember(key, p);
    return p;
  }

  async function bundle(scope: GuardScope, source: string | null, origin: string): Promise<LoadedImage> {
    const denials: Denial[] = [];
    const stub: Plugin = {
      name: 'aios-image',
      setup(b) {
        b.onResolve({ filter: /^aios-image:entry$/ }, () => ({ path: 'entry', namespace: NS }));
        b.onLoad({ filter: /.*/, namespace: NS }, (args) =>
          args.path === 'entry'
            ? { contents: ENTRY(scope.entry ?? `${NS}:source`), loader: 'ts', resolveDir: scope.root ?? cwd }
            : { contents: source ?? '', loader: 'ts', resolveDir: cwd },
        );
      },
    };
    try {
      const out = await build({
        entryPoints: [`${NS}:entry`],
        bundle: true,
        format: 'iife',
        globalName: '__aios_agent',
        platform: 'neutral',
        mainFields: ['module', 'main'],
        conditions: ['aios-source'],
        nodePaths: [ownNodeModules],
        target: opts.target ?? 'es2020',
        write: false,
        logLevel: 'silent',
        plugins: [stub, importGuard(scope, denials)],
        legalComments: 'none',
        // Smaller scripts compile faster in the sandbox; identifiers keep their names for readable stacks.
        minifyWhitespace: true,
        minifySyntax: true,
      });
      const code = out.outputFiles[0]!.text;
      const img: LoadedImage = { code, key: createHash('sha256').update(code).digest('hex').slice(0, 32), origin };
      if (scope.root !== null) img.root = scope.root;
      if (scope.entry !== null) img.dir = dirname(scope.entry);
      return img;
    } catch (e) {
      if (denials.length > 0) {
        const d = denials[0]!;
        throw new AiosError('EACCES', `image ${origin} may not import ${JSON.stringify(d.spec.slice(0, 200))}: ${d.reason}`, {
          origin,
          denied: denials.slice(0, 5).map((x) => ({ import: x.spec.slice(0, 200), reason: x.reason })),
        });
      }
      const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors;
      const first = errors?.[0];
      const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
      throw new AiosError('EINVAL', `image ${origin} did not build: ${first ? scrub(first.text) : 'esbuild failed'}${where}`, {
        origin,
        errors: errors?.slice(0, 5).map((x) => scrub(x.text)),
      });
    }
  }

  function loadSource(image: { source: string; filename?: string }, agent: number | undefined): Promise<LoadedImage> {
    if (image.source.length > limits.IMAGE_MAX_BYTES) {
      return Promise.reject(new AiosError('EMSGSIZE', 'image source is too large', { arg: 'image.source', length: image.source.length, max: limits.IMAGE_MAX_BYTES }));
    }
    // The same short source spawned again (a pool of workers) skips even the hash.
    const recent = image.source.length <= RECENT_SOURCE_MAX ? bySource.get(image.source) : undefined;
    if (recent !== undefined && cache.get(recent.key) === recent.p) return recent.p;
    const key = `s:${createHash('sha256').update(image.source).digest('hex')}`;
    const origin = image.filename ?? '<source>';
    const p = cachedOrBuild(key, () => queue.run(agent, () => bundle({ entry: null, root: null, install: installRoot }, image.source, origin)));
    if (image.source.length <= RECENT_SOURCE_MAX) {
      if (bySource.size >= 256) bySource.clear();
      bySource.set(image.source, { key, p });
    }
    return p;
  }

  function loadPath(path: string, from: LoadRequest | undefined): Promise<LoadedImage> {
    const agent = from?.sandboxed ? from.agent : undefined;
    // A relative path is the requester's own: it resolves from its image file's folder (else the loader's cwd).
    const base = from?.dir ?? (from?.sandboxed && from.root !== null ? from.root : cwd);
    const file = isAbsolute(path) ? path : resolve(base, path);
    let entry: string;
    let mtime: number;
    try {
      entry = realpathSync(file);
      const st = statSync(entry);
      if (!st.isFile()) throw new Error('not a file');
      mtime = st.mtimeMs;
    } catch {
      return Promise.reject(new AiosError('ENOENT', `no image file ${file}`, { path: file }));
    }
    if (from?.sandboxed && !(from.root !== null && within(entry, from.root)) && !imageRoots.some((r) => within(entry, r))) {
      return Promise.reject(new AiosError('EACCES', `image ${file} lies outside the requesting agent's image folder and the node's image folders`, { path: file }));
    }
    if (!CODE_EXT.has(extname(entry))) {
      return Promise.reject(new AiosError('EINVAL', `image ${file} is not a JavaScript or TypeScript file`, { path: file }));
    }
    // The AIOS installation's own images (services) may use the whole installation; others their folder.
    const root = within(entry, installRoot) ? installRoot : dirname(entry);
    const key = `p:${entry}:${mtime}`;
    return cachedOrBuild(key, () => queue.run(agent, () => bundle({ entry, root, install: installRoot }, null, file)));
  }

  return {
    load(image: AgentImage, from?: LoadRequest): Promise<LoadedImage> {
      if ('source' in image) return loadSource(image, from?.sandboxed ? from.agent : undefined);
      return loadPath(image.path, from);
    },
  };
}
