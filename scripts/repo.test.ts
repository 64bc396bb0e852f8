// Repository contracts: the layering rule holds (packages and apps), and generated files are fresh.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXCEPTIONS, RULES, checkExceptions, checkLayering, importsOf, staticClosure } from './layering.ts';
import { renderAll } from './gen-lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const json = (rel: string) => JSON.parse(readFileSync(join(root, rel), 'utf8'));
const rule = (from: string) => RULES.find((r) => r.from === from)!;

/** Workspace folder by package name, and a bare specifier to the source file its `aios-source` export names. */
const folders = new Map<string, string>((json('package.json').workspaces as string[]).map((w) => [json(`${w}/package.json`).name as string, w]));
function resolveWorkspace(spec: string): string | null {
  const name = [...folders.keys()].find((n) => spec === n || spec.startsWith(`${n}/`));
  if (name === undefined) return null;
  const dir = folders.get(name)!;
  const exp = json(`${dir}/package.json`).exports?.[spec === name ? '.' : `.${spec.slice(name.length)}`];
  return exp ? join(root, dir, exp['aios-source']) : null;
}

describe('repo - layering', () => {
  it('repo - no package or app imports against the direction of the layers', () => {
    expect(checkLayering(root)).toEqual([]);
  });
  it('repo - the import scanner sees static, re-export, side-effect and dynamic imports', () => {
    const text = "import a from '@aios/kernel';\nexport { b } from \"@aios/services\";\nimport '@aios/drivers/x';\nconst c = await import('aios');";
    expect(importsOf(text)).toEqual(['@aios/kernel', '@aios/services', '@aios/drivers/x', 'aios']);
  });
  it('repo - every workspace package has a layering rule', () => {
    for (const dir of folders.values()) expect(RULES.map((r) => r.from), dir).toContain(dir);
  });
  it('repo - the command may not import the kernel, nor the node except through its public entries', () => {
    const cli = rule('apps/cli').forbidden;
    for (const bad of ['@aios/kernel', '@aios/kernel/internal', '@aios/runtime', '@aios/services', '@aios/drivers/host-ports', 'aios/src/node/boot.ts']) expect(cli.test(bad), bad).toBe(true);
    for (const ok of ['aios', 'aios/offline', '@aios/abi', '@aios/trust', 'node:fs']) expect(cli.test(ok), ok).toBe(false);
    const node = rule('apps/node').forbidden;
    for (const ok of ['@aios/kernel', '@aios/trust', '@aios/services/memoryd', '@aios/drivers/host-ports']) expect(node.test(ok), ok).toBe(false);
    expect(node.test('@aios/cli')).toBe(true);
  });
  it('repo - trust imports only abi and @noble; the kernel may import trust; runtime and services may not', () => {
    const trust = rule('packages/trust').forbidden;
    for (const bad of ['@aios/kernel', '@aios/drivers/audit-file', 'aios', 'better-sqlite3']) expect(trust.test(bad), bad).toBe(true);
    for (const ok of ['@aios/abi', '@noble/hashes/sha2.js', './hash.ts']) expect(trust.test(ok), ok).toBe(false);
    expect(rule('packages/kernel').forbidden.test('@aios/trust')).toBe(false);
    expect(rule('packages/runtime').forbidden.test('@aios/trust')).toBe(true);
    expect(rule('packages/services').forbidden.test('@aios/trust')).toBe(true);
  });
  it("repo - drivers' dependency on @aios/runtime/entry is a declared exception, not an allowed import", () => {
    expect(EXCEPTIONS.map((x) => `${x.from}:${x.spec}`)).toContain('packages/drivers:@aios/runtime/entry');
    expect(rule('packages/drivers').forbidden.test('@aios/runtime/entry')).toBe(true);
    expect(checkExceptions(root)).toEqual([]);
  });
  it('repo - the command loads no kernel at start: only a dynamic import reaches the node', () => {
    const cli = staticClosure(join(root, 'apps/cli/src/cli.ts'), resolveWorkspace);
    expect(cli.has('aios/offline')).toBe(true);
    // (the offline verifiers read the audit-file driver's file names; no kernel, runtime or services)
    expect([...cli].filter((s) => /^(@aios\/(kernel|runtime|services)|aios$)/.test(s))).toEqual([]);
    const offline = staticClosure(join(root, 'apps/node/src/offline.ts'), resolveWorkspace);
    expect(offline.has('@aios/trust')).toBe(true);
    expect([...offline].filter((s) => s.startsWith('@aios/kernel'))).toEqual([]);
    // The closure does follow workspace entries: from the node's main entry, the kernel is reached.
    expect(staticClosure(join(root, 'apps/node/src/index.ts'), resolveWorkspace).has('@aios/kernel')).toBe(true);
  });
});

describe('repo - the aios bin', () => {
  it('repo - the bin target is committed, executable, and starts with a node shebang (npm links it at install, before a build)', () => {
    const pkg = json('apps/cli/package.json');
    const target = join('apps/cli', pkg.bin.aios as string).split('\\').join('/');
    const staged = execFileSync('git', ['ls-files', '-s', '--', target], { cwd: root, encoding: 'utf8' });
    expect(staged, `${target} is not in git`).toMatch(/^100755 /);
    expect(readFileSync(join(root, target), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('repo - generated files', () => {
  it('repo - stubs and docs match the abi table (run `npm run gen` when this fails)', () => {
    for (const [rel, text] of Object.entries(renderAll())) {
      expect(readFileSync(join(root, rel), 'utf8'), `${rel} is stale: run npm run gen`).toBe(text);
    }
  });
});
