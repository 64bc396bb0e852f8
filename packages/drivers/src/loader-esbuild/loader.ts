// The image loader device: turns an agent image (module text or a file path)
// into one bundled script with esbuild. The bundle is an IIFE that defines
// `__aios_agent`, whose `entry` is the runtime's entry around the module's default
// export. Node built-ins are not bundled, so an image that imports them fails to load.

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { AiosError, type AgentImage } from '@aios/abi';

export interface LoadedImage {
  code: string;
  key: string;
  origin: string;
}

export interface ImageLoader {
  load(image: AgentImage): Promise<LoadedImage>;
}

export interface LoaderOptions {
  /** Directory that relative image paths and bare imports in source images resolve from. */
  cwd?: string;
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

const ENTRY = (spec: string) =>
  `import * as m from ${JSON.stringify(spec)};\nimport { createEntry } from '@aios/runtime/entry';\nexport const entry = createEntry(m);\n`;

export function createImageLoader(opts: LoaderOptions = {}): ImageLoader {
  const cwd = opts.cwd ?? process.cwd();
  const cache = new Map<string, Promise<LoadedImage>>();
  const bySource = new Map<string, Promise<LoadedImage>>();

  async function bundle(entrySpec: string, source: string | null, resolveDir: string, origin: string): Promise<LoadedImage> {
    const plugin: Plugin = {
      name: 'aios-image',
      setup(b) {
        b.onResolve({ filter: /^aios-image:source$/ }, () => ({ path: 'source', namespace: 'aios-image' }));
        b.onLoad({ filter: /.*/, namespace: 'aios-image' }, () => ({ contents: source ?? '', loader: 'ts', resolveDir }));
      },
    };
    try {
      const out = await build({
        stdin: { contents: ENTRY(entrySpec), resolveDir, loader: 'ts', sourcefile: 'aios-entry.ts' },
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
        plugins: [plugin],
        legalComments: 'none',
        // Smaller scripts compile faster in the sandbox; identifiers keep their names for readable stacks.
        minifyWhitespace: true,
        minifySyntax: true,
      });
      const code = out.outputFiles[0]!.text;
      return { code, key: createHash('sha256').update(code).digest('hex').slice(0, 32), origin };
    } catch (e) {
      const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors;
      const first = errors?.[0];
      const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
      throw new AiosError('EINVAL', `image ${origin} did not build: ${first?.text ?? (e as Error).message}${where}`, {
        origin,
        errors: errors?.slice(0, 5).map((x) => x.text),
      });
    }
  }

  return {
    load(image: AgentImage): Promise<LoadedImage> {
      if ('source' in image) {
        // The same source string spawned again (a pool of workers) skips even the hash.
        const recent = bySource.get(image.source);
        if (recent !== undefined) return recent;
        const key = `s:${createHash('sha256').update(image.source).digest('hex')}`;
        let p = cache.get(key);
        if (!p) {
          p = bundle('aios-image:source', image.source, cwd, image.filename ?? '<source>');
          cache.set(key, p);
          p.catch(() => cache.delete(key));
        }
        if (bySource.size >= 256) bySource.clear();
        bySource.set(image.source, p);
        p.catch(() => bySource.delete(image.source));
        return p;
      }
      const file = isAbsolute(image.path) ? image.path : resolve(cwd, image.path);
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        return Promise.reject(new AiosError('ENOENT', `no image file ${file}`, { path: file }));
      }
      const key = `p:${file}:${mtime}`;
      let p = cache.get(key);
      if (!p) {
        p = bundle(file, null, dirname(file), file);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
      }
      return p;
    },
  };
}
