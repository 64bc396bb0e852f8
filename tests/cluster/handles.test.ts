// Three kernels in one process joined over the real NATS server: a handle sent to an agent on another node
// travels as a hybrid-signed capability token, works there, and dies when the original is revoked; attacks
// on the tokens (forged, escalated, expired, revoked, replayed on a third node, oversized, malformed) are
// refused and audited; agentSpawn(image, { node }) spawns through the link.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { KernelHost } from '@aios/kernel';
import { mintToken } from '@aios/kernel';
import { Rights } from '@aios/abi';
import { hybridKeygen, toBase64Url, fromBase64Url } from '@aios/trust';
import { createTestHost } from '@aios/testkit';
import { ClusterNode } from '../../apps/node/src/node/cluster.ts';
import { NATS_URL as URL, until } from './helpers.ts';

let nodes: ClusterNode[] = [];
let hosts: KernelHost[] = [];

async function trio(): Promise<ClusterNode[]> {
  const prefix = `h${randomBytes(4).toString('hex')}`;
  hosts = ['a', 'b', 'c'].map((n) => createTestHost({ config: { tokens: { key: hybridKeygen(randomBytes(32)), nodeAudience: `node:${n}` } } }));
  nodes = await Promise.all(['a', 'b', 'c'].map((n, i) => ClusterNode.join(hosts[i]!, { url: URL, node: n, cookie: 'test-cookie-h', prefix, heartbeatMs: 200, suspectMs: 1_000, downMs: 2_000 })));
  return nodes;
}


afterEach(async () => {
  const [first, ...rest] = nodes;
  await Promise.all(rest.map((n) => n.close().catch(() => undefined)));
  await first?.close({ destroy: true });
  for (const h of hosts) h.shutdown();
  nodes = [];
  hosts = [];
});

const SINK = `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'sink', async onMessage(m, ctx) { ctx.log(m.text() + ' h' + m.handles.length); } });`;

const audits = (h: KernelHost, action: string) => h.kernel.audit.records((r) => r.syscall === action);

describe('cluster - handles across nodes', () => {
  it('cluster - a sent handle works on the other node with narrowed rights; revoking the original ends it (EPERM)', async () => {
    const [a] = await trio();
    const holder = `
      import { defineAgent } from '@aios/runtime';
      import { agentOpen, capList, ipcSend, ipcWait, sleep } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'holder', async main(ctx) {
        const m = await ipcWait();
        const h = m.handles[0];
        const c = capList().find((e) => e.handle === h);
        ctx.log('got ' + m.handles.length + ' ' + c.rightNames.join('|') + ' ' + c.object.startsWith('agent:'));
        ipcSend(h, new TextEncoder().encode('one'));
        ipcSend(agentOpen('giver@a'), new TextEncoder().encode('ack'));
        for (let i = 0; i < 3000; i++) {
          await sleep(20);
          try { ipcSend(h, new TextEncoder().encode('ping')); }
          catch (e) { if (e.code === 'EAGAIN') continue; ctx.log('stop ' + e.code); return; }
        }
        ctx.log('never revoked');
      } });`;
    const giver = `
      import { defineAgent } from '@aios/runtime';
      import { agentOpen, agentSpawn, asyncWait, capDerive, capRevoke, ipcSend, ipcWait, sleep, Rights } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'giver', async main(ctx) {
        const child = await asyncWait(agentSpawn({ source: ${JSON.stringify(SINK)} }, { name: 'tsink', domain: 'native' }));
        const h2 = capDerive(child, Rights.SEND | Rights.TRANSFER | Rights.KILL);
        try { ipcSend(agentOpen('holder@b'), new TextEncoder().encode('x'), { handles: [h2], handleRights: [Rights.SEND | Rights.TRANSFER | Rights.KILL | Rights.ADMIN] }); } catch (e) { ctx.log('widen ' + e.code); }
        try { ipcSend(agentOpen('holder@b'), new TextEncoder().encode('x'), { handles: [h2, h2, h2, h2, h2] }); } catch (e) { ctx.log('many ' + e.code); }
        ipcSend(agentOpen('holder@b'), new TextEncoder().encode('take'), { handles: [h2], handleRights: [Rights.SEND | Rights.TRANSFER] });
        ctx.log('sent');
        const m = await ipcWait(60000);
        ctx.log('from holder ' + new TextDecoder().decode(m.data));
        const r = await ipcWait(60000);
        if (new TextDecoder().decode(r.data) === 'revoke') { capRevoke(h2); ctx.log('revoked'); }
        await sleep(600000);
      } });`;
    const hid = await hosts[1]!.spawn({ source: holder }, { name: 'holder', domain: 'native' });
    await nodes[1]!.publishAgents();
    await until(() => a!.cluster.directory.agent('holder@b') !== null);
    const gid = await hosts[0]!.spawn({ source: giver }, { name: 'giver', domain: 'native', capabilities: ['spawn'] });
    await nodes[0]!.publishAgents();
    await until(() => hosts[0]!.logs(gid).includes('from holder ack'), 30_000);
    expect(hosts[0]!.logs(gid).slice(0, 3)).toEqual(['widen EPERM', 'many EMSGSIZE', 'sent']);
    expect(hosts[1]!.logs(hid)[0]).toBe('got 1 SEND|TRANSFER true');
    const sink = hosts[0]!.kernel.agents.get(hosts[0]!.ps().find((p) => p.name === 'tsink')!.id)!;
    await until(() => hosts[0]!.logs(sink.id).includes('one h0') && hosts[0]!.logs(sink.id).includes('ping h0'));
    expect(audits(hosts[0]!, 'ClusterCapIssue')).toHaveLength(1);
    expect(audits(hosts[1]!, 'ClusterCapInstall')).toHaveLength(1);
    expect(nodes[0]!.caps.stats().issued).toBe(1);

    hosts[0]!.send(gid, 'revoke');
    const st = await hosts[1]!.waitExit(hid);
    expect(st.code).toBe(0);
    expect(hosts[1]!.logs(hid).at(-1)).toBe('stop EPERM');
    expect(hosts[0]!.logs(gid)).toContain('revoked');
    expect(audits(hosts[0]!, 'ClusterCapRevoke')).toHaveLength(1);
    expect(audits(hosts[1]!, 'ClusterCapRevoked')).toHaveLength(1);
    expect(nodes[0]!.caps.stats().issued).toBe(0);
  }, 60_000);

  it('cluster - attack: forged, escalated, expired, revoked, replayed, oversized and malformed tokens are refused', async () => {
    const [a, b, c] = await trio();
    const victim = await hosts[1]!.spawn({ source: SINK }, { name: 'victim', domain: 'native' });
    const keyA = hosts[0]!.kernel.tokens!.issuer.key;
    const now = Date.now();
    const mint = (o: Partial<{ rights: number; expires: number; audience: string }> = {}, key = keyA) =>
      mintToken({ object: 'agent:7', rights: o.rights ?? Rights.SEND, expires: o.expires ?? now + 60_000, audience: o.audience ?? 'victim@b', maxUses: 1, nonce: randomBytes(16) }, key).token;
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code: string }) => e.code);

    // A genuine token verifies once; presented again it is a replay.
    const good = mint();
    expect(await code(b!.caps.accept('a', 'victim@b', [good]))).toBe('ok');
    expect(await code(b!.caps.accept('a', 'victim@b', [good]))).toBe('EPERM');
    // Forged: signed by a key that is not a's; a's claims with another signature.
    expect(await code(b!.caps.accept('a', 'victim@b', [mint({}, hybridKeygen(randomBytes(32)))]))).toBe('EPERM');
    const [pre, body, sig] = mint().split('.');
    const other = mint().split('.')[2]!;
    expect(await code(b!.caps.accept('a', 'victim@b', [`${pre}.${body}.${other}`]))).toBe('EPERM');
    // Escalated: the claims' rights raised after signing.
    const claims = JSON.parse(Buffer.from(fromBase64Url(body!)).toString('utf8')) as Record<string, unknown>;
    const raised = toBase64Url(Buffer.from(JSON.stringify({ ...claims, rights: Rights.SEND | Rights.KILL | Rights.ADMIN }, Object.keys(claims).sort())));
    expect(await code(b!.caps.accept('a', 'victim@b', [`${pre}.${raised}.${sig}`]))).toBe('EPERM');
    // Expired.
    expect(await code(b!.caps.accept('a', 'victim@b', [mint({ expires: now - 1 })]))).toBe('EPERM');
    // Revoked: a pushes the revocation before the token is presented.
    const revoked = mint();
    const rid = (await import('@aios/kernel')).decodeToken(revoked).id;
    await a!.cluster.post('b', 'caprevoke', { id: rid, code: 'EPERM', reason: 'revoked' });
    await until(() => b!.caps.stats().revoked >= 1);
    expect(await code(b!.caps.accept('a', 'victim@b', [revoked]))).toBe('EPERM');
    // Replayed on a third node: c is not the audience; b relaying a's token is not its issuer.
    expect(await code(c!.caps.accept('a', 'victim@c', [mint()]))).toBe('EACCES');
    expect(await code(c!.caps.accept('b', 'victim@c', [mint({ audience: 'victim@c' })]))).toBe('EPERM');
    // Oversized and malformed.
    expect(await code(b!.caps.accept('a', 'victim@b', ['x'.repeat(9000)]))).toBe('EMSGSIZE');
    expect(await code(b!.caps.accept('a', 'victim@b', Array.from({ length: 65 }, () => good)))).toBe('EMSGSIZE');
    expect(await code(b!.caps.accept('a', 'victim@b', ['aioscap1.garbage.garbage']))).toBe('EINVAL');
    expect(await code(b!.caps.accept('a', 'victim@b', 'not-a-list'))).toBe('EINVAL');
    expect(await code(b!.caps.accept('a', 'victim@b', [mint({ audience: 'victim@b' }).replace('aioscap1', 'aioscap2')]))).toBe('EINVAL');

    // Through the link: a forged token in a frame drops that message only; the next one (same order) arrives.
    await a!.cluster.post('b', 'msg', { to: 'victim', from: 'x@a', tag: 'data', caps: [mint({}, hybridKeygen(randomBytes(32)))] }, new TextEncoder().encode('forged'));
    await a!.cluster.post('b', 'msg', { to: 'victim', from: 'x@a', tag: 'data', caps: [mint()] }, new TextEncoder().encode('genuine'));
    await a!.cluster.post('b', 'msg', { to: 'victim', from: 'x@a', tag: 'data' }, new TextEncoder().encode('plain'));
    await until(() => hosts[1]!.logs(victim).includes('plain h0'));
    expect(hosts[1]!.logs(victim)).toEqual(['genuine h1', 'plain h0']);
    const refused = audits(hosts[1]!, 'ClusterCapRefused').map((r) => r.result);
    expect(refused).toEqual(expect.arrayContaining(['EPERM', 'EMSGSIZE', 'EINVAL']));
    expect(audits(hosts[2]!, 'ClusterCapRefused').map((r) => r.result)).toEqual(['EACCES', 'EPERM']);
  }, 60_000);

  it('cluster - attack: a capability id used from another node than its holder is refused by the issuer', async () => {
    const [a, b] = await trio();
    await hosts[1]!.spawn({ source: SINK }, { name: 'victim', domain: 'native' });
    await nodes[1]!.publishAgents();
    await until(() => a!.cluster.directory.agent('victim@b') !== null);
    const giver = `
      import { defineAgent } from '@aios/runtime';
      import { agentOpen, agentSpawn, asyncWait, ipcSend, sleep } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'giver2', async main(ctx) {
        const child = await asyncWait(agentSpawn({ source: ${JSON.stringify(SINK)} }, { name: 'tsink2', domain: 'native' }));
        ipcSend(agentOpen('victim@b'), new TextEncoder().encode('take'), { handles: [child] });
        await sleep(600000);
      } });`;
    await hosts[0]!.spawn({ source: giver }, { name: 'giver2', domain: 'native', capabilities: ['spawn'] });
    await until(() => a!.caps.issuedTo('b').length === 1 && b!.caps.stats().held === 1);
    const id = a!.caps.issuedTo('b')[0]!;
    expect(() => a!.caps.checkUse('c', id)).toThrow(expect.objectContaining({ code: 'EACCES' }));
    expect(() => a!.caps.checkUse('b', 'f'.repeat(64))).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(a!.caps.checkUse('b', id).name).toBe('tsink2');
    expect(audits(hosts[0]!, 'ClusterCapRefused').map((r) => r.result)).toEqual(['EACCES', 'EPERM']);
  }, 60_000);

  it('cluster - agentSpawn(image, { node }) spawns through the link and returns a working handle; bad nodes are clear errors', async () => {
    const [a] = await trio();
    const spawner = `
      import { defineAgent } from '@aios/runtime';
      import { agentInfo, agentSpawn, asyncWait, ipcSend } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'rs', async main(ctx) {
        const h = await asyncWait(agentSpawn({ source: ${JSON.stringify(SINK)} }, { node: 'b', name: 'rsink' }));
        ipcSend(h, new TextEncoder().encode('hi'));
        ctx.log('sent');
        for (const [img, opts] of [[{ source: 'x' }, { node: 'zz' }], [{ source: 'x' }, { node: 'b', quotas: { memBytes: 1 } }], [{ path: '/etc/passwd' }, { node: 'b' }], [{ source: 'x' }, { node: 'bad name' }]]) {
          try { await asyncWait(agentSpawn(img, opts)); ctx.log('spawned?'); } catch (e) { ctx.log(e.code); }
        }
      } });`;
    const id = await hosts[0]!.spawn({ source: spawner }, { name: 'rs', domain: 'native', capabilities: ['spawn'] });
    expect((await hosts[0]!.waitExit(id)).code).toBe(0);
    expect(hosts[0]!.logs(id)).toEqual(['sent', 'ENOENT', 'EINVAL', 'EINVAL', 'EINVAL']);
    const remote = hosts[1]!.ps().find((p) => p.name === 'rsink');
    expect(remote).toBeDefined();
    await until(() => hosts[1]!.logs(remote!.id).includes('hi h0'));
    expect(audits(hosts[0]!, 'AgentSpawnRemote').map((r) => r.result)).toContain('ok');

    // Without the SPAWN right: EPERM, nothing leaves.
    const weakSrc = `
      import { defineAgent } from '@aios/runtime';
      import { agentSpawn } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'weak', async main(ctx) {
        try { agentSpawn({ source: 'x' }, { node: 'b' }); ctx.log('spawned?'); } catch (e) { ctx.log(e.code); }
      } });`;
    const weak = await hosts[0]!.spawn({ source: weakSrc }, { name: 'weak', domain: 'native' });
    await hosts[0]!.waitExit(weak);
    expect(hosts[0]!.logs(weak)).toEqual(['EPERM']);

    // A node that went down (its connection dropped, no clean leave): EIO, at once.
    await nodes[2]!.cluster.connection.close();
    await until(() => a!.cluster.directory.state('c') === 'down', 20_000).catch((e) => { console.log(JSON.stringify(a!.nodes())); throw e; });
    const late = `
      import { defineAgent } from '@aios/runtime';
      import { agentSpawn, asyncWait } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'late', async main(ctx) {
        try { await asyncWait(agentSpawn({ source: 'x' }, { node: 'c' })); } catch (e) { ctx.log(e.code); }
      } });`;
    const lid = await hosts[0]!.spawn({ source: late }, { name: 'late', domain: 'native', capabilities: ['spawn'] });
    await hosts[0]!.waitExit(lid);
    expect(hosts[0]!.logs(lid)).toEqual(['EIO']);
  }, 60_000);
});
