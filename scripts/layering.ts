// The layering rule, written down once (VS Code style). Dependencies point one way:
//   abi <- kernel;  abi <- runtime <- services <- apps;  abi <- drivers.
// checkLayering() returns one message per violating import, naming the rule.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface Rule {
  /** Package folder the rule applies to (relative to the repo root). */
  from: string;
  /** Import specifiers (prefixes) that package must not use. */
  forbidden: RegExp;
  why: string;
}

export const RULES: Rule[] = [
  { from: 'packages/abi', forbidden: /^(@aios\/|aios$)/, why: 'abi imports nothing (it is the contract)' },
  { from: 'packages/kernel', forbidden: /^(@aios\/(runtime|services|drivers|testkit)|aios$)/, why: 'kernel imports only abi (mechanism never depends on policy, drivers or apps)' },
  { from: 'packages/runtime', forbidden: /^(@aios\/(kernel|services|drivers|testkit)|aios$)/, why: 'runtime imports only abi (agents reach the kernel through syscalls, never its internals)' },
  { from: 'packages/services', forbidden: /^(@aios\/(kernel|drivers|testkit)|aios$)/, why: 'services import runtime and abi only (drivers are injected through abi interfaces)' },
  { from: 'packages/drivers', forbidden: /^(@aios\/(kernel|runtime|services|testkit)|aios$)/, why: 'drivers import only abi' },
];

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
          if (pkg && `${pkg[1]}/${pkg[2]}` !== own) {
            const as = pkg[1] === 'apps' ? 'aios' : `@aios/${pkg[2]}`;
            if (rule.forbidden.test(as)) problems.push(`${relative(root, file).split(sep).join('/')}: reaches into ${pkg[1]}/${pkg[2]} by path: layering rule: ${rule.why}`);
          }
        }
      }
    }
  }
  return problems;
}
