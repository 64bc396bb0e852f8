// Three kernels in one process joined over the real NATS server: the directory, cross-node send by
// agentOpen('NAME@NODE') with per-sender order and credit backpressure, remote spawn, a node's drop.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { KernelHost } from '@aios/kernel';
import { createTestHost } from '@aios/testkit';
import { ClusterNode } from '../../apps/node/src/node/cluster.ts';
import { NATS_URL as URL, until } from './helpers.ts';

let nodes: ClusterNode[] = [];
let hosts: KernelHost[] = [];

async function trio(window = 8): Promise<ClusterNode[]> {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  hosts = ['a', 'b', 'c'].map(() => createTestHost());
  nodes = await Promise.all(['a', 'b', 'c'].map((n, i) => ClusterNode.join(hosts[i]!, { url: URL, node: n, cookie: 'test-cookie-1', prefix, heartbeatMs: 200, suspectMs: 1_500, downMs: 3_000, window })));
  return nodes;
}


afterEach(async () => {
  const [first, ...rest] = nodes;
  await Promise.all(rest.map((n) => n.close()));
  await first?.close({ destroy: true });
  for (const h of hosts) h.shutdown();
  nodes = [];
  hosts = [];
});

// Collects what it receives; `rest` stops taking messages (its mailbox then fills).
const SINK = `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'sink', async onMessage(m, ctx) { ctx.log(m.text()); } });`;

const HOLD = `
  import { defineAgent } from '@aios/runtime';
  import { sleep } from '@aios/runtime/kernel';
  export default defineAgent({ name: 'hold', async main() { await sleep(600000); } });`;

describe('cluster - cross-node IPC', () => {
  it('cluster - directory lists the three nodes and their named agents', async () => {
    const [a] = await trio();
    await hosts[2]!.spawn({ source: SINK }, { name: 'sink', domain: 'native' });
    await nodes[2]!.publishAgents();
    await until(() => a!.nodes().length === 3 && a!.cluster.directory.agent('sink@c') !== null && (a!.nodes().find((n) => n.name === 'c')?.agents ?? 0) >= 1);
    expect(a!.nodes().map((n) => ({ name: n.name, state: n.state }))).toEqual([{ name: 'a', state: 'up' }, { name: 'b', state: 'up' }, { name: 'c', state: 'up' }]);
    expect(a!.nodes().find((n) => n.name === 'c')!.agents).toBeGreaterThanOrEqual(1);
  });

  it('cluster - a node whose entries another node purged (it was slow, not dead) publishes its agents again', async () => {
    const [a] = await trio();
    await hosts[2]!.spawn({ source: SINK }, { name: 'sink', domain: 'native' });
    await nodes[2]!.publishAgents();
    await until(() => a!.cluster.directory.agent('sink@c') !== null);
    // What a's sweep does to a node it took for down: its node entry and agent entries leave the buckets.
    await (a!.cluster.directory as unknown as { purge(node: string): Promise<void> }).purge('c');
    await until(() => a!.cluster.directory.agent('sink@c') === null);
    // c is alive: its next heartbeat and publish put it back.
    await until(() => a!.cluster.directory.agent('sink@c') !== null && a!.nodes().find((n) => n.name === 'c')?.state === 'up');
  });

  it('cluster - agentOpen(NAME@NODE) sends across nodes in per-sender order; unknown names are ESRCH', async () => {
    const [a] = await trio();
    const sink = await hosts[2]!.spawn({ source: SINK }, { name: 'sink', domain: 'native' });
    await nodes[2]!.publishAgents();
    await until(() => a!.cluster.directory.agent('sink@c') !== null);
    const sender = `
      import { defineAgent } from '@aios/runtime';
      import { agentOpen, ipcSend, sleep } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'sender', async main(ctx) {
        try { agentOpen('nobody@c'); } catch (e) { ctx.log('open:' + e.code); }
        const h = agentOpen('sink@c');
        let sent = 0;
        while (sent < 40) {
          try { ipcSend(h, new TextEncoder().encode('m' + sent)); sent++; }
          catch (e) { if (e.code !== 'EAGAIN') throw e; await sleep(5); }
        }
        ctx.log('sent', sent);
      } });`;
    const id = await hosts[0]!.spawn({ source: sender }, { name: 'sender', domain: 'native' });
    const st = await hosts[0]!.waitExit(id);
    expect(st.code).toBe(0);
    expect(hosts[0]!.logs(id)).toEqual(['open:ESRCH', 'sent 40']);
    await until(() => hosts[2]!.logs(sink).length === 40);
    expect(hosts[2]!.logs(sink)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
  });

  it('cluster - a full remote mailbox holds credit back: the sender sees EAGAIN', async () => {
    const [a] = await trio(4);
    const hold = await hosts[1]!.spawn({ source: HOLD }, { name: 'hold', domain: 'native', quotas: { mailboxDepth: 2 } } as never);
    await nodes[1]!.publishAgents();
    await until(() => a!.cluster.directory.agent('hold@b') !== null);
    const flood = `
      import { defineAgent } from '@aios/runtime';
      import { agentOpen, ipcSend, sleep } from '@aios/runtime/kernel';
      export default defineAgent({ name: 'flood', async main(ctx) {
        const h = agentOpen('hold@b');
        let ok = 0;
        // EAGAIN may only mean the credit has not come back yet (a loaded machine): the sender stops when it lasts 2 s.
        for (let i = 0; i < 100; i++) {
          let refused = null;
          for (let tries = 0; tries < 100; tries++) {
            try { ipcSend(h, new TextEncoder().encode('x')); ok++; refused = null; break; } catch (e) { refused = e; await sleep(20); }
          }
          if (refused !== null) { ctx.log('stop', refused.code, ok); return; }
        }
        ctx.log('never full');
      } });`;
    const id = await hosts[0]!.spawn({ source: flood }, { name: 'flood', domain: 'native' });
    await hosts[0]!.waitExit(id);
    // mailbox 2 on b + credit window 4 in flight/held: the 7th send is refused.
    expect(hosts[0]!.logs(id)).toEqual(['stop EAGAIN 6']);
    expect(hosts[1]!.kernel.agents.get(hold)!.mailbox.full).toBe(true);
  });

  it('cluster - remote spawn starts an agent on another node and lists it there', async () => {
    const [a] = await trio();
    const r = await a!.spawnOn('b', { source: SINK }, 'remote-sink');
    expect(r).toMatchObject({ node: 'b', address: 'remote-sink@b' });
    expect(hosts[1]!.kernel.agents.get(r.id)?.name).toBe('remote-sink');
    await until(() => a!.cluster.directory.agent('remote-sink@b') !== null);
  });
});
