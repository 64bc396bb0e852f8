// Signed images and secure boot through the real CLI: `aios sign`, `aios keys`, a node booted with
// --require-signed refusing (exit 3, audited) tampered, unsigned, untrusted and revoked images; and
// secure boot refusing a modified bundle unless AIOS_ALLOW_UNVERIFIED / --allow-unverified.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, aios, ensureBuilt, stopNode } from '../e2e/cli-helpers.ts';

const AGENT = (name: string) => `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: '${name}', async main(ctx) { ctx.log('${name} ran'); } });\n`;

function run(cli: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT, env: { ...process.env, AIOS_DATA_DIR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('signing - CLI against a node booted with --require-signed', () => {
  let dir: string;
  let data: string;
  let proc: ChildProcess;
  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'aios-signcli-'));
    data = join(dir, 'data');
    for (const n of ['good', 'tampered', 'unsigned', 'byci']) writeFileSync(join(dir, `${n}.ts`), AGENT(n));
    proc = spawn(process.execPath, [CLI, 'boot', '--port', '0', '--data-dir', data, '--require-signed'], { cwd: ROOT, env: { ...process.env, AIOS_API_IMAGE_ROOTS: dir } });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    for (let i = 0; i < 1800 && !existsSync(join(data, 'node.json')); i++) {
      if (proc.exitCode !== null) throw new Error(`node did not boot:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 120_000);
  afterAll(async () => {
    if (proc) await stopNode({ proc, dataDir: data, port: 0, output: () => '' });
    rmSync(dir, { recursive: true, force: true });
  });

  const spawnImage = (n: string) => aios(['spawn', join(dir, `${n}.ts`), '--json'], data);

  it('signing - a signed image spawns; tampered, unsigned and untrusted ones exit 3; trust then revoke', async () => {
    const signed = await aios(['sign', join(dir, 'good.ts'), '--json'], data);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ file: join(dir, 'good.ts'), sig: join(dir, 'good.ts.sig'), keyId: expect.stringMatching(/^[0-9a-f]{64}$/), algorithm: 'hybrid-ed25519-mldsa65' });
    expect((await spawnImage('good')).code).toBe(0);

    expect((await aios(['sign', join(dir, 'tampered.ts')], data)).code).toBe(0);
    appendFileSync(join(dir, 'tampered.ts'), '// added after signing\n');
    const t = await spawnImage('tampered');
    expect(t.code).toBe(3);
    expect(t.stderr).toContain('changed after it was signed');
    const u = await spawnImage('unsigned');
    expect(u.code).toBe(3);
    expect(u.stderr).toContain('EACCES');

    const made = await aios(['keys', 'new', join(dir, 'ci.key'), '--json'], data);
    const ci = JSON.parse(made.stdout) as { keyId: string; pub: string };
    expect((await aios(['sign', join(dir, 'byci.ts'), '--key', join(dir, 'ci.key')], data)).code).toBe(0);
    expect((await spawnImage('byci')).code).toBe(3);
    expect((await aios(['keys', 'trust', ci.pub, '--name', 'ci'], data)).code).toBe(0);
    expect((await spawnImage('byci')).code).toBe(0);
    const ls = JSON.parse((await aios(['keys', 'ls', '--json'], data)).stdout) as Array<{ keyId: string; name: string; status: string; use: string }>;
    expect(ls.map((k) => `${k.name}:${k.use}:${k.status}`).sort()).toEqual(['build:build:trusted', 'ci:images:trusted', 'developer:images:trusted']);
    expect((await aios(['keys', 'revoke', ci.keyId.slice(0, 16)], data)).code).toBe(0);
    const r = await spawnImage('byci');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('revoked');

    const audit = (await aios(['audit', 'grep', 'ImageVerify', '--json'], data)).stdout;
    for (const why of ['"changed"', '"unsigned"', '"untrusted-key"', '"revoked-key"']) expect(audit).toContain(why);
    expect(audit).toContain(join(dir, 'tampered.ts'));
    expect((await aios(['audit', 'grep', 'TrustStoreChanged'], data)).stdout).toContain('TrustStoreChanged');
  }, 120_000);
});

describe('signing - secure boot of the built bundle', () => {
  let tree: string;
  beforeAll(() => {
    ensureBuilt();
    // A copy of the installation: its own node and command bundles (copied), the real packages and
    // node_modules (linked), except `aios`, which must resolve to the copied node.
    tree = mkdtempSync(join(tmpdir(), 'aios-secboot-'));
    for (const app of ['cli', 'node']) {
      mkdirSync(join(tree, 'apps', app), { recursive: true });
      cpSync(join(ROOT, 'apps', app, 'dist'), join(tree, 'apps', app, 'dist'), { recursive: true });
      copyFileSync(join(ROOT, 'apps', app, 'package.json'), join(tree, 'apps', app, 'package.json'));
    }
    symlinkSync(join(ROOT, 'packages'), join(tree, 'packages'));
    mkdirSync(join(tree, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== 'aios') symlinkSync(join(ROOT, 'node_modules', name), join(tree, 'node_modules', name));
    }
    symlinkSync(join(tree, 'apps', 'node'), join(tree, 'node_modules', 'aios'));
    writeFileSync(join(tree, 'a.ts'), AGENT('a'));
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it('signing - the signed bundle boots; a modified dist file refuses boot (exit 3); AIOS_ALLOW_UNVERIFIED boots and audits', async () => {
    const cli = join(tree, 'apps', 'cli', 'dist', 'cli.js');
    const data = join(tree, 'data');
    const ok = await run(cli, ['run', join(tree, 'a.ts'), '--data-dir', data]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('a ran');
    appendFileSync(join(tree, 'apps', 'node', 'dist', 'pqc-worker.js'), '\n// modified after the build\n');
    const refused = await run(cli, ['run', join(tree, 'a.ts'), '--data-dir', data]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('secure boot refused');
    expect(refused.stderr).toContain('pqc-worker.js');
    const allowed = await run(cli, ['run', join(tree, 'a.ts'), '--data-dir', data], { AIOS_ALLOW_UNVERIFIED: '1' });
    expect(allowed.code, allowed.stderr).toBe(0);
    const audit = (await run(cli, ['audit', 'grep', 'SecureBoot', '--json', '--data-dir', data])).stdout;
    expect(audit).toContain('"tofu":true');
    expect(audit).toContain('EACCES');
    expect(audit).toContain('--allow-unverified');
    // A manifest whose signature does not verify is refused too.
    const m = JSON.parse(readFileSync(join(tree, 'apps', 'node', 'dist', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(tree, 'apps', 'node', 'dist', 'manifest.json'), JSON.stringify({ ...m, sig: 'AAAA' }));
    const forged = await run(cli, ['run', join(tree, 'a.ts'), '--data-dir', data]);
    expect(forged.code).toBe(3);
    copyFileSync(join(ROOT, 'apps', 'node', 'dist', 'manifest.json'), join(tree, 'apps', 'node', 'dist', 'manifest.json'));
  }, 120_000);
});
