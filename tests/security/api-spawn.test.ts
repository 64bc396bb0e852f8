// What POST /v1/agents may run, over real HTTP: a native (trusted, unsandboxed) agent only on a node
// booted with allowNativeApi (or AIOS_ALLOW_NATIVE_API=1), and path images only from the node's image
// roots (default: its working folder), so the token cannot be used to run host code or read host files.
import { describe, it, expect, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { boot, type AiosNode } from 'aios';
import { agentSource, tempDir } from './helpers.ts';

const FIXTURE = join(process.cwd(), 'tests/e2e/fixtures/echo.ts');
let node: AiosNode | null = null;
afterEach(async () => {
  await node?.shutdown();
  node = null;
});

async function post(n: AiosNode, body: unknown): Promise<{ status: number; json: { error?: { code: string; message: string; detail?: Record<string, unknown> }; id?: number; domain?: string } }> {
  const r = await fetch(`http://127.0.0.1:${n.api!.port}/v1/agents`, {
    method: 'POST', headers: { authorization: `Bearer ${n.api!.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as never };
}

describe('security api spawn - native agents need an explicit node setting', () => {
  it('security api spawn - domain native over the API is EACCES by default, and the refusal is audited', async () => {
    node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, services: false } });
    const r = await post(node, { source: agentSource(`ctx.log('host code');`), opts: { domain: 'native' } });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ code: 'EACCES', detail: { domain: 'native', setting: 'allowNativeApi' } });
    expect(node.ps().some((a) => a.domain === 'native' && a.name === 'agent')).toBe(false);
    expect(node.audit().find((a) => a.syscall === 'ApiSpawn')).toMatchObject({ object: 'domain:native', result: 'EACCES' });
    // The sandboxed default still works with the same token.
    expect((await post(node, { source: agentSource(`ctx.log('ok');`) })).json).toMatchObject({ domain: 'wasm' });
  });

  it('security api spawn - allowNativeApi: true lets the API spawn native agents', async () => {
    node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, allowNativeApi: true, services: false } });
    const r = await post(node, { source: agentSource(`ctx.log('native');`), opts: { domain: 'native' } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ domain: 'native' });
  });

  it('security api spawn - AIOS_ALLOW_NATIVE_API=1 is the same setting', async () => {
    process.env.AIOS_ALLOW_NATIVE_API = '1';
    try {
      node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, services: false } });
    } finally {
      delete process.env.AIOS_ALLOW_NATIVE_API;
    }
    expect((await post(node, { source: agentSource(''), opts: { domain: 'native' } })).status).toBe(201);
  });
});

describe('security api spawn - capabilities are capped by the node policy', () => {
  it('security api spawn - spawn,supervise are granted; admin is EACCES (audited) unless AIOS_SHELL_CAPS allows it; unknown names are EINVAL', async () => {
    node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, services: false } });
    const ok = await post(node, { source: agentSource(''), opts: { capabilities: ['spawn', 'supervise'] } });
    expect(ok.status).toBe(201);
    const before = node.ps().length;
    const admin = await post(node, { source: agentSource(''), opts: { capabilities: ['spawn', 'admin'] } });
    expect(admin.status).toBe(403);
    expect(admin.json.error).toMatchObject({ code: 'EACCES', detail: { beyond: ['admin'], allowed: ['spawn', 'supervise'], setting: 'AIOS_SHELL_CAPS' } });
    expect(node.audit().find((a) => a.syscall === 'ApiSpawn' && a.object === 'capabilities')).toMatchObject({ result: 'EACCES' });
    expect(node.ps().length).toBe(before); // no ghost entry
    const bad = await post(node, { source: agentSource(''), opts: { capabilities: ['spwan'] } });
    expect(bad.json.error).toMatchObject({ code: 'EINVAL', detail: { value: 'spwan' } });
    await node.shutdown();
    process.env.AIOS_SHELL_CAPS = 'spawn,admin';
    try {
      node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, services: false } });
    } finally {
      delete process.env.AIOS_SHELL_CAPS;
    }
    expect((await post(node, { source: agentSource(''), opts: { capabilities: ['admin'] } })).status).toBe(201);
  });
});

describe('security api spawn - path images come only from the image roots', () => {
  it('security api spawn - a path outside the node folder is EACCES before the file is touched; one inside spawns', async () => {
    node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, services: false } });
    const out = await post(node, { path: '/etc/passwd' });
    expect(out.status).toBe(403);
    expect(out.json.error).toMatchObject({ code: 'EACCES', detail: { path: '/etc/passwd' } });
    const rel = await post(node, { path: '../../../../../../etc/hostname' });
    expect(rel.json.error?.code).toBe('EACCES');
    const ok = await post(node, { path: FIXTURE, opts: { name: 'echo' } });
    expect(ok.status).toBe(201);
    expect(node.audit().filter((a) => a.syscall === 'ApiSpawn' && a.result === 'EACCES')).toHaveLength(2);
  });

  it('security api spawn - a link inside a root that points outside it is EACCES', async () => {
    const root = tempDir();
    const outside = tempDir();
    await fs.writeFile(join(outside, 'secret.ts'), `export const secret = 'do not read';\n`);
    await fs.symlink(join(outside, 'secret.ts'), join(root, 'agent.ts'));
    await fs.copyFile(FIXTURE, join(root, 'echo.ts'));
    node = await boot({ dataDir: tempDir(), config: { api: true, port: 0, apiImageRoots: [root], services: false } });
    expect((await post(node, { path: join(root, 'agent.ts') })).json.error?.code).toBe('EACCES');
    expect((await post(node, { path: FIXTURE })).json.error?.code).toBe('EACCES'); // the default root is replaced
    const ok = await post(node, { path: join(root, 'echo.ts') });
    expect(ok.status).toBe(201);
  });
});
