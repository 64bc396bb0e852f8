// An idle node is quiet: once booted (services up), it writes no audit records and no agent is activated or
// charged CPU time while nothing asks anything of it. Counts, not timing: the machine may be slow, but an idle
// node must do nothing at all, however long the window is.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootNode, ensureBuilt, stopNode, type BootedNode } from './cli-helpers.ts';

interface AgentRow { id: number; name: string; state: string; cpuMs: number; activations: number }
interface AuditRow { seq: number; agent: number; syscall: string }

let node: BootedNode;
let token: string;

const api = async <T>(path: string): Promise<T> => {
  const r = await fetch(`http://127.0.0.1:${node.port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};
const lastSeq = async (): Promise<number> => (await api<AuditRow[]>('/v1/audit?tail=1')).at(-1)?.seq ?? 0;
const agents = async (): Promise<AgentRow[]> => (await api<AgentRow[]>('/v1/agents')).filter((a) => a.state !== 'zombie' && a.state !== 'dead');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ensureBuilt();
  node = await bootNode();
  token = readFileSync(join(node.dataDir, 'token'), 'utf8').trim();
  // Booted: initd has started every unit.
  for (let i = 0; i < 600 && !/initd#\d+\] ready/.test(node.output()); i++) await sleep(100);
  expect(node.output()).toMatch(/initd#\d+\] ready/);
}, 90_000);

afterAll(async () => {
  if (node) await stopNode(node);
});

describe('e2e - an idle node', () => {
  it('e2e - idle node writes no audit records and charges no agent CPU time', async () => {
    // Let boot's own work end (the last service replies, the first checkpoint): wait until one quiet second.
    let seq = await lastSeq();
    for (let i = 0; i < 60; i++) {
      await sleep(1000);
      const now = await lastSeq();
      if (now === seq) break;
      seq = now;
    }
    const before = await agents();
    expect(before.map((a) => a.name)).toEqual(expect.arrayContaining(['initd', 'memoryd', 'identityd', 'semantic-ipcd']));
    await sleep(5000);
    const after = await agents();
    const newRecords = (await api<AuditRow[]>('/v1/audit?tail=1000')).filter((r) => r.seq > seq);
    expect(newRecords).toEqual([]);
    for (const a of before) {
      const b = after.find((x) => x.id === a.id);
      expect(b, `${a.name} still runs`).toBeDefined();
      expect({ name: a.name, activations: b!.activations, cpuMs: b!.cpuMs }).toEqual({ name: a.name, activations: a.activations, cpuMs: a.cpuMs });
    }
  }, 120_000);
});
