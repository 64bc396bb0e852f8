// Two nodes in one process on one Postgres schema (boot({ config: { storage } })): what memoryd on one
// node remembers, memoryd on the other recalls (text and vector search): one memory fabric.
import { describe, it, expect, afterAll } from 'vitest';
import { bootMemNode, type MemNode } from './helpers.ts';
import { TEST_PG_URL, throwawaySchemas } from '../../packages/drivers/src/storage-postgres/testing.ts';

const schemas = throwawaySchemas();
const nodes: MemNode[] = [];
afterAll(async () => {
  for (const m of nodes) {
    m.registry.close();
    await m.node.shutdown();
  }
  await schemas.cleanup();
});

describe('memory - shared fabric in Postgres', () => {
  it('memory - a note put through memoryd on node A is found by memoryd on node B', async () => {
    const storage = `${TEST_PG_URL}?schema=${schemas.next()}`;
    const a = await bootMemNode({ storage });
    nodes.push(a);
    const b = await bootMemNode({ storage });
    nodes.push(b);
    expect(a.node.host.kernel.devices.get('storage')!.object.driver.info.name).toBe('storage-postgres');
    // The vector backend the driver chose is on record (this server has no pgvector: in-process, with why).
    const chosen = a.node.audit().filter((r) => r.syscall === 'StorageVectorBackend');
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.detail).toMatchObject({ mode: expect.stringMatching(/^(pgvector|in-process)$/), reason: expect.any(String) });
    const ask = <T = any>(m: MemNode, body: Record<string, unknown>) => m.node.host.request<T>(m.memoryd, body, 30_000);
    await ask(a, { op: 'put', ns: 'shared', text: 'the memory fabric spans every node of the cluster' });
    const hits = await ask<Array<{ text?: string; id: string }>>(b, { op: 'search', ns: 'shared', query: 'fabric spans nodes' });
    expect(JSON.stringify(hits)).toContain('memory fabric spans');
  });
});
