// Attacks on the image loader: a sandboxed agent with the spawn right passes child images that try
// to bundle host files. Each is refused (EACCES forbidden import or path, EINVAL bad image), the
// error never carries the file's contents, and nothing of the secret reaches any agent's log.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestHost, until } from '@aios/testkit';
import { createImageLoader } from '@aios/drivers/loader-esbuild';
import type { KernelHost } from '@aios/kernel';

const SECRET = 'TOPSECRET-7f3a9c';

/** A parent that spawns a child from `child` source and logs the error code and message, or 'spawned'. */
function parent(child: string): string {
  return `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'parent', async main(ctx) {
  try {
    await k.asyncWait(k.agentSpawn({ source: ${JSON.stringify(child)} }, { name: 'child' }));
    ctx.log('spawned');
    // stay until the child has ended (its exit notice): on an executor it runs beside this agent, and a
    // parent's exit would end it first
    try { await k.ipcWait(20000); } catch {}
  }
  catch (e) { ctx.log('refused ' + e.code + ' ' + e.message); }
} });
`;
}

const child = (imports: string, use = 'String(t)') => `
${imports}
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'child', main(ctx) { ctx.log('leak ' + ${use}); } });
`;

describe('attacks - the image loader never bundles host files for an agent', () => {
  let host: KernelHost;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aios-loader-'));
    mkdirSync(join(dir, 'secret'));
    writeFileSync(join(dir, 'secret', 'token.txt'), SECRET);
    writeFileSync(join(dir, 'secret', 'token.json'), JSON.stringify({ token: SECRET }));
    writeFileSync(join(dir, 'secret', 'token.ts'), `export default ${JSON.stringify(SECRET)};`);
    writeFileSync(join(dir, 'secret', 'broken.ts'), `const x = ${SECRET} ${SECRET};`);
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'lib.ts'), 'export const two = 2;');
    writeFileSync(join(dir, 'app', 'conf.json'), JSON.stringify({ ok: true }));
    symlinkSync(join(dir, 'secret', 'token.ts'), join(dir, 'app', 'link.ts'));
    const agent = (imports: string, use: string) => `${imports}\nimport { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'app', main(ctx) { ctx.log('got ' + ${use}); } });\n`;
    writeFileSync(join(dir, 'app', 'good.ts'), agent("import { two } from './lib.ts'; import conf from './conf.json';", 'two + String(conf.ok)'));
    writeFileSync(join(dir, 'app', 'escape.ts'), agent("import t from '../secret/token.ts';", 't'));
    writeFileSync(join(dir, 'app', 'symlink.ts'), agent("import t from './link.ts';", 't'));
    writeFileSync(join(dir, 'app', 'text.ts'), agent("import t from '../secret/token.txt' with { type: 'text' };", 't'));
    writeFileSync(join(dir, 'app', 'abs.ts'), agent(`import t from ${JSON.stringify(join(dir, 'secret', 'token.ts'))};`, 't'));
    writeFileSync(join(dir, 'app', 'builtin.ts'), agent("import { readFileSync } from 'node:fs';", 'typeof readFileSync'));
    writeFileSync(join(dir, 'app', 'jsonattr.ts'), agent("import conf from './conf.json' with { type: 'json' };", 'String(conf.ok)'));
    writeFileSync(join(dir, 'app', 'jsonout.ts'), agent("import t from '../secret/token.json' with { type: 'json' };", 't.token'));
    writeFileSync(join(dir, 'app', 'jsonts.ts'), agent("import t from './lib.ts' with { type: 'json' };", 't'));
    writeFileSync(join(dir, 'app', 'spawner.ts'), `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'spawner', async main(ctx) {
  for (const p of ${JSON.stringify([join(dir, 'app', 'good.ts'), join(dir, 'secret', 'token.ts'), join(dir, 'app', 'link.ts'), '../secret/token.ts', 'good.ts'])}) {
    try { await k.asyncWait(k.agentSpawn({ path: p }, { name: 'c' })); ctx.log('spawned'); } catch (e) { ctx.log('refused ' + e.code); }
  }
} });
`);
    host = createTestHost();
  });
  afterAll(() => {
    host.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Spawns a sandboxed parent with the spawn right that spawns `childSource`; returns every log line of the node's agents. */
  async function viaParent(childSource: string): Promise<string[]> {
    const id = await host.spawn({ source: parent(childSource) }, { name: 'parent', domain: 'wasm', capabilities: ['spawn'] });
    await host.waitExit(id);
    await new Promise((r) => setTimeout(r, 50));
    return host.logs(id);
  }

  function noSecretAnywhere(): void {
    for (const a of host.ps()) for (const line of host.logs(a.id)) expect(line).not.toContain(SECRET);
  }

  const secretFile = (name: string) => join(dir, 'secret', name);

  it.each([
    ['absolute path', () => child(`import t from ${JSON.stringify(secretFile('token.ts'))};`)],
    ['text attribute', () => child(`import t from ${JSON.stringify(secretFile('token.txt'))} with { type: 'text' };`)],
    ['bytes attribute', () => child(`import t from ${JSON.stringify(secretFile('token.txt'))} with { type: 'bytes' };`, 't.length')],
    ['json import', () => child(`import t from ${JSON.stringify(secretFile('token.json'))};`, 't.token')],
    ['relative ../../ escape', () => child(`import t from '../../../../../../../../${secretFile('token.ts').slice(1)}';`)],
    ['plain relative import', () => child("import t from './secret/token.ts';")],
    ['require', () => child('', `require(${JSON.stringify(secretFile('token.ts'))}).default`)],
    ['dynamic import()', () => child('', `(import(${JSON.stringify(secretFile('token.ts'))}), 'x')`)],
    ['data: URL', () => child(`import t from 'data:text/javascript,export default 1';`)],
    ['file: URL', () => child(`import t from ${JSON.stringify('file://' + secretFile('token.ts'))};`)],
    ['node builtin', () => child("import * as t from 'node:fs';", 'typeof t.readFileSync')],
    ['bare builtin', () => child("import * as t from 'fs';", 'typeof t.readFileSync')],
    ['bare package from a source image', () => child("import * as t from 'esbuild';", 'typeof t.build')],
    ['runtime path traversal', () => child("import t from '@aios/runtime/../../abi/src/index.ts';", 'typeof t')],
  ])('attacks - a source child image cannot import host files (%s): EACCES, no contents', async (_name, make) => {
    const logs = await viaParent(make());
    expect(logs[0]).toMatch(/^refused EACCES /);
    expect(logs[0]).not.toContain(SECRET);
    noSecretAnywhere();
  });

  it('attacks - new URL(..., import.meta.url) and computed imports find nothing on the host', async () => {
    const logs = await viaParent(`
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'child', async main(ctx) {
  const out = [];
  try { out.push(String(new URL('./secret/token.txt', import.meta.url))); } catch (e) { out.push('url threw'); }
  const p = ${JSON.stringify(secretFile('token.ts'))};
  try { const m = await import(p); out.push('import ' + String(m.default)); } catch (e) { out.push('import threw'); }
  try { out.push('require ' + String(require(p))); } catch (e) { out.push('require threw'); }
  ctx.log(out.join(','));
} });`);
    expect(logs[0]).toBe('spawned');
    noSecretAnywhere();
    // the child runs on its own (on an executor it may finish after its parent): wait for its line
    const childLogs = await until(() => host.ps().filter((a) => a.name === 'child').flatMap((a) => host.logs(a.id)), (ls) => ls.some((l) => l.includes('threw')), 'the child logs its probes', { tries: 800 });
    expect(childLogs.some((l) => l.includes('import threw') && l.includes('require threw'))).toBe(true);
  });

  it('attacks - a path image may import its own folder and the runtime, but not out of it', async () => {
    const loader = createImageLoader();
    const good = await loader.load({ path: join(dir, 'app', 'good.ts') });
    expect(good.root).toBe(join(dir, 'app').replace(/\/$/, ''));
    // `with { type: 'json' }` on a .json file inside the tree is data the image may import anyway.
    await expect(loader.load({ path: join(dir, 'app', 'jsonattr.ts') })).resolves.toBeTruthy();
    for (const [file, code] of [['escape.ts', 'EACCES'], ['symlink.ts', 'EACCES'], ['text.ts', 'EACCES'], ['abs.ts', 'EACCES'], ['builtin.ts', 'EACCES'], ['jsonout.ts', 'EACCES'], ['jsonts.ts', 'EACCES']] as const) {
      const err = await loader.load({ path: join(dir, 'app', file) }).then(() => null, (e: { code: string; message: string }) => e);
      expect(err?.code, file).toBe(code);
      expect(err?.message).not.toContain(SECRET);
    }
  });

  it('attacks - build errors name the file and line but never echo its contents', async () => {
    const loader = createImageLoader();
    const err = await loader.load({ path: secretFile('broken.ts') }).then(() => null, (e: { code: string; message: string; detail: unknown }) => e);
    expect(err?.code).toBe('EINVAL');
    expect(err?.message).toContain('broken.ts');
    expect(err?.message).not.toContain(SECRET);
    expect(JSON.stringify(err?.detail)).not.toContain(SECRET);
    const notCode = await loader.load({ path: secretFile('token.txt') }).then(() => null, (e: { code: string }) => e);
    expect(notCode?.code).toBe('EINVAL');
  });

  it('attacks - a sandboxed agent spawns path images only inside its own image folder', async () => {
    const id = await host.spawn({ path: join(dir, 'app', 'spawner.ts') }, { name: 'spawner', domain: 'wasm', capabilities: ['spawn'] });
    await host.waitExit(id);
    expect(host.logs(id)).toEqual(['spawned', 'refused EACCES', 'refused EACCES', 'refused EACCES', 'spawned']);
    const logs = await viaParent('x');
    expect(logs[0]).toMatch(/^refused /);
    const fromSource = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
import * as k from '@aios/runtime/kernel';
export default defineAgent({ name: 'p', async main(ctx) {
  try { await k.asyncWait(k.agentSpawn({ path: ${JSON.stringify(join(dir, 'app', 'good.ts'))} })); ctx.log('spawned'); } catch (e) { ctx.log('refused ' + e.code); }
} });` }, { name: 'p', domain: 'wasm', capabilities: ['spawn'] });
    await host.waitExit(fromSource);
    expect(host.logs(fromSource)).toEqual(['refused EACCES']);
    noSecretAnywhere();
  });
});
