// The layering rule, written down once (VS Code style). Dependencies point one way:
//   abi <- trust <- kernel;  abi <- runtime <- services;  abi <- drivers;
//   everything below <- apps/node ('aios') <- apps/cli ('@aios/cli', the `aios` command).
// checkLayering() returns one message per violating import, naming the rule.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface Rule {
  /** Package folder the rule applies to (relative to the repo root). */
  from: string;
  /** Import specifiers (prefixes) that package must not use. */
  forbidden: RegExp;
  why: string;
}

/** A dependency the scanner cannot see (it is built at run time), declared here and in the package's package.json. */
export interface DeclaredException {
  from: string;
  /** The file that names the specifier (inside a string the scanner does not read as an import). */
  file: string;
  spec: string;
  why: string;
}

/** Any @aios package or the node (`aios`, `aios/...`) except the ones named: `others('abi')`. */
const AIOS = (...allowed: string[]) => new RegExp(`^(@aios/(?!(${allowed.join('|')})(/|$))|aios(/|$))`);

export const RULES: Rule[] = [
  { from: 'packages/abi', forbidden: /^(@aios\/|aios(\/|$))/, why: 'abi imports nothing (it is the contract)' },
  {
    from: 'packages/trust', forbidden: /^(?!\.|node:|@aios\/abi$|@noble\/|vitest$|fast-check$)/,
    why: 'trust imports only abi and the @noble libraries (a verifier must not need the kernel)',
  },
  { from: 'packages/kernel', forbidden: AIOS('abi', 'trust'), why: 'kernel imports only abi and trust (mechanism never depends on policy, drivers or apps)' },
  { from: 'packages/runtime', forbidden: AIOS('abi'), why: 'runtime imports only abi (agents reach the kernel through syscalls, never its internals)' },
  { from: 'packages/services', forbidden: AIOS('abi', 'runtime'), why: 'services import runtime and abi only (drivers are injected through abi interfaces)' },
  // drivers' one upward dependency, @aios/runtime/entry, is generated code: see EXCEPTIONS.
  { from: 'packages/drivers', forbidden: AIOS('abi', 'drivers'), why: 'drivers import only abi' },
  { from: 'packages/testkit', forbidden: AIOS('abi', 'trust', 'kernel', 'drivers'), why: 'the test kit boots kernels for tests: abi, trust, kernel and drivers, never services or apps' },
  { from: 'apps/node', forbidden: /^(@aios\/(cli|testkit)(\/|$))/, why: 'the node imports any package below it, never the command or the test kit' },
  {
    from: 'apps/cli', forbidden: /^(@aios\/(kernel|runtime|services|drivers|testkit)(\/|$)|aios\/(?!offline$))/,
    why: "the command is a client: abi, trust, and the node only through its public entries ('aios', loaded to boot; 'aios/offline')",
  },
];

export const EXCEPTIONS: DeclaredException[] = [
  {
    // The image loader bundles every agent image with a generated ENTRY module that imports the runtime's
    // entry shim; esbuild resolves it from the node_modules the loader finds at run time.
    from: 'packages/drivers', file: 'src/loader-esbuild/loader.ts', spec: '@aios/runtime/entry',
    why: "the esbuild image loader's generated ENTRY imports the runtime's agent entry (declared in drivers' package.json)",
  },
];

/** The specifier a relative path into another workspace folder stands for (apps/node's files are its internals). */
function specOfPath(target: string): string | null {
  const m = /^(packages|apps)\/([^/]+)\/(.*)$/.exec(target);
  if (!m) return null;
  if (m[1] === 'packages') return `@aios/${m[2]}`;
  if (m[2] === 'node') return `aios/${m[3]}`;
  return `@aios/${m[2]}`;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

export function checkLayering(root: string): string[] {
  const problems: string[] = [];
  for (const rule of RULES) {
    const base = join(root, rule.from, 'src');
    let exists = false;
    try {
      exists = statSync(base).isDirectory();
    } catch {
      /* package without sources */
    }
    if (!exists) continue;
    for (const file of tsFiles(base)) {
      // The rule covers everything under a package's src, tests and fixtures included: tests that
      // need the layers above (whole systems, agent images) live in the repository's tests/ folder.
      const text = readFileSync(file, 'utf8');
      for (const spec of importsOf(text)) {
        if (rule.forbidden.test(spec)) problems.push(`${relative(root, file).split(sep).join('/')}: imports '${spec}': layering rule: ${rule.why}`);
        // A relative path into another package is that package, whatever the specifier says.
        if (spec.startsWith('.')) {
          const target = relative(root, join(file, '..', spec)).split(sep).join('/');
          const pkg = /^(packages|apps)\/([^/]+)\//.exec(target);
          const own = relative(root, file).split(sep).slice(0, 2).join('/');
          const as = specOfPath(target);
          if (pkg && as && `${pkg[1]}/${pkg[2]}` !== own && rule.forbidden.test(as)) {
            problems.push(`${relative(root, file).split(sep).join('/')}: reaches into ${pkg[1]}/${pkg[2]} by path: layering rule: ${rule.why}`);
          }
        }
      }
    }
  }
  return problems;
}

/** Each declared exception is real (its file names the specifier) and declared in its package.json dependencies. */
export function checkExceptions(root: string): string[] {
  const problems: string[] = [];
  for (const x of EXCEPTIONS) {
    const file = join(root, x.from, x.file);
    if (!existsSync(file) || !readFileSync(file, 'utf8').includes(`'${x.spec}'`)) problems.push(`${x.from}/${x.file}: no longer names '${x.spec}': drop the exception`);
    const pkgName = x.spec.split('/').slice(0, x.spec.startsWith('@') ? 2 : 1).join('/');
    const deps = (JSON.parse(readFileSync(join(root, x.from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    if (!(pkgName in deps)) problems.push(`${x.from}/package.json: does not declare '${pkgName}' (needed for '${x.spec}': ${x.why})`);
  }
  return problems;
}

const STATIC_RE = /(?:^|\n)\s*(import|export)(\s+type)?\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/**
 * The bare specifiers a program loads at start: every static, non-type import reachable from `entry`
 * through relative imports and through the bare specifiers `resolve` maps to a file (workspace entries).
 * Dynamic imports (`await import('aios')`) are not followed: they load only when that code path runs.
 */
export function staticClosure(entry: string, resolve: (spec: string) => string | null): Set<string> {
  const seen = new Set<string>();
  const specs = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_RE)) {
      if (m[2]) continue; // import type / export type: erased
      const spec = (m[3] ?? m[4])!;
      if (spec.startsWith('.')) todo.push(join(dirname(file), spec));
      else {
        specs.add(spec);
        const to = resolve(spec);
        if (to) todo.push(to);
      }
    }
  }
  return specs;
}
