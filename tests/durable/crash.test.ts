// Durable state: a node killed with SIGKILL in the middle of a burst of sends to a durable
// agent and of memory writes loses nothing it acknowledged. The guarantee, precisely:
// a message whose send returned success (HTTP 202 here) is delivered at least once to the
// durable receiver (this incarnation or the next), and never twice to the same incarnation;
// a memory item whose put returned its id is there after the restart.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { ROOT, ensureBuilt, tempDataDir } from '../e2e/cli-helpers.ts';
import { api, startNode } from './harness.ts';

const FIX = join(ROOT, 'tests/durable');

describe('durable - kill -9 in the middle of a burst', () => {
  it('durable - every acknowledged send is delivered after the restart, and every acknowledged memory write is there', async () => {
    ensureBuilt();
    const dataDir = tempDataDir();
    let node = await startNode(dataDir);
    const sp = await api(node, 'POST', '/v1/agents', { path: join(FIX, 'recorder.ts'), opts: { name: 'recorder', durable: true, devices: ['storage'] } });
    expect(sp.status).toBe(201);
    // Warm memoryd (its embedder loads on first use) so the burst measures the write path.
    expect((await api(node, 'POST', '/v1/mem/items', { text: 'warm up' })).status).toBe(201);

    const acked: string[] = [];
    const memAcked: string[] = [];
    let stop = false;
    const sends = (async () => {
      for (let i = 0; !stop && i < 5_000; i++) {
        try {
          const r = await api(node, 'POST', '/v1/agents/recorder/messages', { text: `m${i}` });
          if (r.status === 202) acked.push(`m${i}`);
        } catch {
          return;
        }
      }
    })();
    const puts = (async () => {
      for (let i = 0; !stop && i < 5_000; i++) {
        try {
          const r = await api(node, 'POST', '/v1/mem/items', { text: `note number ${i} about durable state` });
          if (r.status === 201) memAcked.push(((await r.json()) as { id: string }).id);
        } catch {
          return;
        }
      }
    })();
    while (acked.length < 150 || memAcked.length < 20) await new Promise((r) => setTimeout(r, 5));
    await node.kill('SIGKILL');
    stop = true;
    await Promise.all([sends, puts]);

    node = await startNode(dataDir);
    for (let i = 0; i < 600 && !/recovered durable agent/.test(node.out()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(node.out()).toMatch(/recovered durable agent recorder#\d+ with \d+ unread message/);
    // Let the recovered recorder drain what it had not handled, then list what it recorded.
    let keys: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      const sp2 = await api(node, 'POST', '/v1/agents', { path: join(FIX, 'checker.ts'), opts: { devices: ['storage'] } });
      const id = ((await sp2.json()) as { id: number }).id;
      let lines: string[] = [];
      for (let i = 0; i < 40 && !lines.some((l) => l.startsWith('KEYS ')); i++) {
        await new Promise((r) => setTimeout(r, 50));
        lines = ((await (await api(node, 'GET', `/v1/agents/${id}/logs`)).json()) as { lines: string[] }).lines;
      }
      keys = JSON.parse(lines.find((l) => l.startsWith('KEYS '))!.slice(5)) as string[];
      if (acked.every((m) => keys.includes(m))) break;
    }
    const lost = acked.filter((m) => !keys.includes(m));
    expect(lost).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(150);
    const recLogs = ((await (await api(node, 'GET', '/v1/agents/recorder/logs')).json()) as { lines: string[] }).lines;
    expect(recLogs.filter((l) => l.startsWith('DUP '))).toEqual([]);
    for (const id of memAcked) {
      const r = await api(node, 'GET', `/v1/mem/items/${encodeURIComponent(id)}`);
      expect(r.status, `memory item ${id}`).toBe(200);
    }
    await node.kill('SIGINT');
  }, 120_000);
});
