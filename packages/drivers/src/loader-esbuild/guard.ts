// Import guard of the image loader: an esbuild plugin that decides, for every import made by an
// agent image's own code, whether it may be bundled. Trusts the AIOS installation's packages and
// node_modules packages (what they import is theirs to choose); trusts nothing written in the image.
//
// Rules (a refused import is recorded as a Denial and fails the build; the loader makes it EACCES):
//   - source images may import only `@aios/runtime`, `@aios/runtime/<name>` and `@aios/abi`;
//   - path images may also import code or JSON files inside their own folder tree (`root`, compared by
//     real path, so a symlink leading out is refused) and bare packages, which must resolve into a
//     node_modules folder or into the AIOS installation;
//   - never: import attributes (`with { type: 'text' }`, ...; only `{ type: 'json' }` on a .json file), URLs and schemes (`data:`, `file:`),
//     absolute paths, Node built-ins, `..` inside a package name, files other than code and JSON.

import { realpathSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { extname, isAbsolute, relative, sep } from 'node:path';
import type { Plugin } from 'esbuild';

/** Namespace of the loader's virtual modules: `entry` (the stub) and `source` (a source image). */
export const NS = 'aios-image';

export interface GuardScope {
  /** Real path of a path image's entry file; null for a source image. */
  entry: string | null;
  /** Real path of the folder tree a path image may import from; null for a source image. */
  root: string | null;
  /** Real path of the AIOS installation's packages folder (its packages are trusted). */
  install: string;
}

export interface Denial {
  /** The import as written. */
  spec: string;
  /** Why it was refused (never file contents). */
  reason: string;
}

const CODE_EXT = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
// The runtime and the abi it is written against (constants, types and AiosError: no host access).
const RUNTIME = /^@aios\/(runtime(\/[A-Za-z0-9_-]+)*|abi)$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const INNER = Symbol('aios-guard-inner');

/** True when `path` is `dir` or lies below it (both real paths). */
export function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

export function importGuard(scope: GuardScope, denials: Denial[]): Plugin {
  // Real paths of the image's own files: their imports are checked; files of packages are not.
  const own = new Set<string>(scope.entry === null ? [] : [scope.entry]);
  const deny = (spec: string, reason: string) => {
    denials.push({ spec, reason });
    return { errors: [{ text: `import ${JSON.stringify(spec)} refused: ${reason}` }] };
  };
  return {
    name: 'aios-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === INNER) return undefined;
        const spec = args.path;
        if (args.namespace === NS && args.importer === 'entry') {
          // The loader's own stub: the image module and the runtime's entry, nothing else.
          if (spec === `${NS}:source` && scope.entry === null) return { path: 'source', namespace: NS };
          if (spec === '@aios/runtime/entry') return undefined;
          if (scope.entry !== null && spec === scope.entry) return { path: scope.entry };
          return deny(spec, 'not part of the image');
        }
        const fromImage = args.namespace === NS ? args.importer === 'source' : own.has(args.importer);
        if (!fromImage) {
          if (args.namespace === NS || args.namespace === 'file') return undefined;
          return deny(spec, 'unknown importer');
        }
        // The one attribute allowed is `{ type: 'json' }` on a .json file the rules below admit anyway
        // (services ship data that way); `text`, `bytes` and anything else would read arbitrary files.
        const attrs = args.with ?? {};
        const attrKeys = Object.keys(attrs);
        const jsonAttr = attrKeys.length === 1 && attrs.type === 'json';
        if (attrKeys.length > 0 && !jsonAttr) return deny(spec, 'import attributes are not allowed');
        if (SCHEME.test(spec)) return deny(spec, 'URL and scheme imports are not allowed');
        if (isBuiltin(spec)) return deny(spec, 'Node built-in modules are not available to agents');
        if (isAbsolute(spec) || spec.startsWith('/') || spec.startsWith('\\')) return deny(spec, 'absolute imports are not allowed');
        if (RUNTIME.test(spec)) return undefined;
        if (scope.root === null) return deny(spec, 'an image built from source may import only @aios/runtime and @aios/abi');
        const relativeSpec = spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
        if (!relativeSpec && (spec.includes('\\') || spec.split('/').includes('..'))) return deny(spec, "'..' in a package name");
        const r = await b.resolve(spec, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: INNER });
        if (r.errors.length > 0 || r.external || r.namespace !== 'file') return deny(spec, 'cannot be resolved');
        const file = real(r.path);
        if (file === null) return deny(spec, 'cannot be resolved');
        const ext = extname(file);
        if (!CODE_EXT.has(ext) && ext !== '.json') return deny(spec, 'only code and JSON files may be imported');
        if (jsonAttr && ext !== '.json') return deny(spec, "'type: json' only on a .json file");
        if (relativeSpec) {
          if (!within(file, scope.root)) return deny(spec, 'outside the image folder');
          if (!file.split(sep).includes('node_modules')) own.add(file);
          return { path: file };
        }
        if (!file.split(sep).includes('node_modules') && !within(file, scope.install)) return deny(spec, 'a package must come from node_modules');
        return { path: file };
      });
    },
  };
}
