// Durable agents and the one inbox: a durable agent whose onMessage awaits remember() sets the messages that
// arrive meanwhile aside and handles them before its activation ends; the journal acknowledges them only then.
// Killed with SIGKILL mid-burst and rebooted, the node delivers every acknowledged send (HTTP 202).
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { ROOT, ensureBuilt, tempDataDir } from '../e2e/cli-helpers.ts';
import { api, recordedKeys, startNode } from './harness.ts';

describe('durable - onMessage awaiting memory calls', () => {
  it('durable - 100 sends to a durable agent awaiting remember(): none lost across a kill -9 and reboot', async () => {
    ensureBuilt();
    const dataDir = tempDataDir();
    let node = await startNode(dataDir);
    // Warm memoryd (its embedder loads on first use).
    let warm = 0;
    for (let i = 0; i < 100 && warm !== 201; i++) {
      warm = (await api(node, 'POST', '/v1/mem/items', { text: 'warm up' })).status;
      if (warm !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(warm).toBe(201);
    const sp = await api(node, 'POST', '/v1/agents', { path: join(ROOT, 'tests/durable/noter.ts'), opts: { name: 'noter', durable: true, devices: ['storage'] } });
    expect(sp.status).toBe(201);
    const acked: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await api(node, 'POST', '/v1/agents/noter/messages', { text: `m${i}` });
      if (r.status === 202) acked.push(`m${i}`);
    }
    expect(acked.length).toBe(100);
    // Let it handle part of the burst (messages are set aside while remember() waits), then crash.
    await new Promise((r) => setTimeout(r, 300));
    await node.kill('SIGKILL');

    node = await startNode(dataDir);
    for (let i = 0; i < 1200 && !/recovered durable agent noter/.test(node.out()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(node.out()).toMatch(/recovered durable agent noter#\d+ with \d+ unread message/);
    let keys: string[] = [];
    for (let attempt = 0; attempt < 240; attempt++) { // up to 60 s: a loaded CI machine handles 100 remember() calls slowly
      await new Promise((r) => setTimeout(r, 250));
      keys = await recordedKeys(node).catch(() => keys); // a busy node may reset a connection: ask again
      if (acked.every((m) => keys.includes(m))) break;
    }
    expect(acked.filter((m) => !keys.includes(m))).toEqual([]);
    const logs = ((await (await api(node, 'GET', '/v1/agents/noter/logs')).json()) as { lines: string[] }).lines;
    expect(logs.filter((l) => l.startsWith('DUP '))).toEqual([]);
    await node.kill('SIGINT');
  }, 180_000);
});
