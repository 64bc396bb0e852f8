// The Cedar policy hook on a real node: the default set allows what the demo does, a deny is EACCES
// with the deciding policy ids inside the agent (and audited), `policy apply` refuses a bad set whole
// and swaps a good one atomically (file and engine), through the CLI offline and the API route online.
import { describe, it, expect } from 'vitest';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootSecure, tempDir, agentSource, runSec } from './helpers.ts';
import { NODE_POLICIES, POLICY_FILE } from '../../apps/node/src/security/index.ts';
import { handleSecurityRoute } from '../../apps/node/src/api/security-routes.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = agentSource(`ctx.log('child ran');`, 'child');
const PARENT = agentSource(
  `try { await spawn({ source: ${JSON.stringify(CHILD)} }, { name: 'child' }); ctx.log('spawned'); }
   catch (e) { ctx.log(JSON.stringify({ code: e.code, policyIds: e.detail && e.detail.policyIds })); }`,
  'parent',
);

const FORBID_SANDBOXED = `${NODE_POLICIES}
@id("no-spawn-sandboxed")
forbid(principal, action == Action::"AgentSpawn", resource) when { principal.labels.contains("sandboxed") };
`;

async function runParent(s: Awaited<ReturnType<typeof bootSecure>>, labels: string[]): Promise<string[]> {
  const id = await s.node.spawn(PARENT, { name: 'parent', capabilities: ['spawn'], labels });
  await s.node.wait(id);
  return s.node.logs(id);
}

describe('security policy - the hook on a node', () => {
  it('security policy - the default set allows a spawner granted "spawn" (as the demo coordinator is)', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    try {
      expect(await fs.readFile(join(dir, POLICY_FILE), 'utf8')).toBe(NODE_POLICIES);
      expect(await runParent(s, [])).toEqual(['spawned']);
      // a forged "priv:" label grants nothing: the labels come from the rights the kernel holds
      const r = s.sec.policy.toCedar({ principal: { id: 1234, name: 'x', labels: ['priv:spawn', 'a'], domain: 'wasm' }, action: 'AgentSpawn', resource: { type: 'agent', id: 'c' } });
      expect(r.principal.labels).toEqual(['a']);
      expect(s.sec.policy.authorize({ principal: { id: 1234, name: 'x', labels: ['priv:spawn'], domain: 'wasm' }, action: 'AgentSpawn', resource: { type: 'agent', id: 'c' } }))
        .toEqual({ allow: false, policyIds: ['default-deny'] });
    } finally {
      await s.stop();
    }
  });

  it('security policy - the demo coordinator (spawn, supervise, handle transfer, shared memory, revocation) runs to exit 0', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    try {
      const demo = join(ROOT, 'apps/cli/demo');
      const id = await s.node.spawn({ path: join(demo, 'coordinator.ts') }, { name: 'coordinator', config: { dir: demo }, capabilities: ['spawn', 'supervise'] });
      expect(await s.node.wait(id)).toMatchObject({ code: 0 });
      expect(s.node.audit().filter((a) => a.result === 'EACCES')).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('security policy - a hook action outside the schema is denied, HandleTransfer is decided as IPCSend', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    try {
      const principal = { id: 4242, name: 'x', labels: [], domain: 'wasm' };
      expect(s.sec.policy.authorize({ principal, action: 'NoSuchHookAction', resource: { type: 'agent', id: '1' } })).toEqual({ allow: false, policyIds: ['unknown-action'] });
      expect(s.sec.policy.toCedar({ principal, action: 'HandleTransfer', resource: { type: 'agent', id: '1' } }).action).toBe('IPCSend');
      expect(s.sec.policy.authorize({ principal, action: 'HandleTransfer', resource: { type: 'agent', id: '1' } })).toEqual({ allow: true, policyIds: ['default-unprivileged'] });
    } finally {
      await s.stop();
    }
  });

  it('security policy - a forbid is EACCES with its policy id in the agent, audited; apply again restores (cache cleared)', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    try {
      expect(await runParent(s, ['sandboxed'])).toEqual(['spawned']); // decision now cached as allow
      const v0 = s.sec.policy.version;
      const r = await s.sec.applyPolicy(FORBID_SANDBOXED);
      expect(r).toMatchObject({ version: v0 + 1, policies: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await fs.readFile(join(dir, POLICY_FILE), 'utf8')).toBe(FORBID_SANDBOXED);
      expect(await runParent(s, ['sandboxed'])).toEqual([JSON.stringify({ code: 'EACCES', policyIds: ['no-spawn-sandboxed'] })]);
      expect(await runParent(s, ['trusted'])).toEqual(['spawned']);
      const denied = s.node.audit().filter((a) => a.syscall === 'AgentSpawn' && a.result === 'EACCES');
      expect(denied).toHaveLength(1);
      expect(denied[0]!.detail).toMatchObject({ policyIds: ['no-spawn-sandboxed'] });
      expect(s.node.audit().some((a) => a.syscall === 'PolicyApply' && a.result === 'ok')).toBe(true);
      await s.sec.applyPolicy(NODE_POLICIES);
      expect(await runParent(s, ['sandboxed'])).toEqual(['spawned']);
    } finally {
      await s.stop();
    }
  });

  it('security policy - a bad set is refused whole with EINVAL and the Cedar errors; nothing changes', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    try {
      const bad = `${FORBID_SANDBOXED}\npermit(principal, action == Action::"NoSuchAction", resource);\n`;
      const v0 = s.sec.policy.version;
      await expect(s.sec.applyPolicy(bad)).rejects.toMatchObject({ code: 'EINVAL', detail: { errors: [expect.stringContaining('NoSuchAction')] } });
      await expect(s.sec.applyPolicy('permit(principal, action, resource')).rejects.toMatchObject({ code: 'EINVAL' });
      expect(s.sec.policy.version).toBe(v0);
      expect(await fs.readFile(join(dir, POLICY_FILE), 'utf8')).toBe(NODE_POLICIES);
      expect(await runParent(s, ['sandboxed'])).toEqual(['spawned']);
      expect(s.node.audit().filter((a) => a.syscall === 'PolicyApply').map((a) => a.result)).toEqual(['EINVAL', 'EINVAL']);
    } finally {
      await s.stop();
    }
  });

  it('security policy - PUT /v1/policy swaps the running engine; GET shows it; a bad body is EINVAL', async () => {
    const dir = tempDir();
    const s = await bootSecure(dir);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      handleSecurityRoute(s.node.host, req, res, url).then(
        (handled) => { if (!handled) { res.writeHead(404); res.end('{}'); } },
        (e) => { res.writeHead(400, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: { code: e.code, message: e.message, detail: e.detail } })); },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const put = await fetch(`${base}/v1/policy`, { method: 'PUT', body: JSON.stringify({ text: FORBID_SANDBOXED }) });
      expect(put.status).toBe(200);
      expect(await runParent(s, ['sandboxed'])).toEqual([JSON.stringify({ code: 'EACCES', policyIds: ['no-spawn-sandboxed'] })]);
      const show = await (await fetch(`${base}/v1/policy`)).json() as { text: string; policies: Array<{ id: string }> };
      expect(show.text).toBe(FORBID_SANDBOXED);
      expect(show.policies.map((p) => p.id)).toContain('no-spawn-sandboxed');
      const bad = await fetch(`${base}/v1/policy`, { method: 'PUT', body: JSON.stringify({ text: 'forbid(' }) });
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('EINVAL');
      expect((await fetch(`${base}/v1/other`)).status).toBe(404);
      const idn = await (await fetch(`${base}/v1/identity`)).json() as { keyId: string };
      expect(idn.keyId).toBe(s.sec.identity.key.keyId);
    } finally {
      server.close();
      await s.stop();
    }
  });

  it('security policy - `aios policy apply` offline validates first and replaces the file; show prints it', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.cedar');
    await fs.writeFile(bad, 'permit(principal, action == Action::"Nope", resource);');
    const r = await runSec(['policy', 'apply', bad, '--data-dir', dir]);
    expect(r.code).toBe(4);
    expect(r.err[0]).toContain('EINVAL: policy set refused');
    await expect(fs.access(join(dir, POLICY_FILE))).rejects.toThrow();
    const good = join(dir, 'good.cedar');
    await fs.writeFile(good, FORBID_SANDBOXED);
    expect((await runSec(['policy', 'apply', good, '--data-dir', dir])).code).toBe(0);
    expect(await fs.readFile(join(dir, POLICY_FILE), 'utf8')).toBe(FORBID_SANDBOXED);
    const show = await runSec(['policy', 'show', '--data-dir', dir]);
    expect(show.out.join('\n')).toBe(FORBID_SANDBOXED);
    // the next boot runs on it
    const s = await bootSecure(dir);
    try {
      expect(await runParent(s, ['sandboxed'])).toEqual([JSON.stringify({ code: 'EACCES', policyIds: ['no-spawn-sandboxed'] })]);
    } finally {
      await s.stop();
    }
  });
});
