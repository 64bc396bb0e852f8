// A failed spawn leaves no ghost: an image that does not build or load, a missing file, capabilities beyond the
// node's shell policy, and an agent's spawn refused by a Cedar policy leave no entry in `aios ps -a`, in
// GET /v1/agents, nor a name `aios logs` knows. Only the refusals themselves are on record (audit).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, aios, bootNode, ensureBuilt, stopNode, type BootedNode } from './cli-helpers.ts';

interface AgentRow { id: number; name: string; state: string; exitCode: number | null }

let node: BootedNode;
let token: string;

const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
  const r = await fetch(`http://127.0.0.1:${node.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, json: await r.json() };
};
const psAll = async (): Promise<AgentRow[]> => {
  const r = await aios(['ps', '-a', '--json'], node.dataDir);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as AgentRow[];
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ensureBuilt();
  node = await bootNode();
  token = readFileSync(join(node.dataDir, 'token'), 'utf8').trim();
}, 90_000);

afterAll(async () => {
  if (node) await stopNode(node);
});

describe('e2e - a failed spawn leaves no ghost entry', () => {
  it('e2e - failed spawns (load, build, missing file, capabilities, policy) leave nothing in ps -a or the API', async () => {
    const before = await psAll();
    const failures: Array<[string[], number, RegExp]> = [
      [['spawn', join(FIXTURES, 'no-agent.ts'), '--name', 'ghost-load'], 4, /EINVAL: .*did not load/],
      [['spawn', join(FIXTURES, 'missing.ts'), '--name', 'ghost-missing'], 6, /ENOENT/],
      [['spawn', join(FIXTURES, 'echo.ts'), '--name', 'ghost-cap', '--cap', 'admin'], 3, /EACCES/],
    ];
    for (const [args, code, message] of failures) {
      const r = await aios(args, node.dataDir);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(message);
    }
    // Through the API: a source that does not build, and a native agent (refused without --allow-native-api).
    const broken = await api('POST', '/v1/agents', { source: "import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'x', main( {", opts: { name: 'ghost-build' } });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('EINVAL');
    const native = await api('POST', '/v1/agents', { path: join(FIXTURES, 'echo.ts'), opts: { name: 'ghost-native', domain: 'native' } });
    expect(native.json.error.code).toBe('EACCES');

    // An agent whose own spawn is refused by a Cedar policy: the agent exists (and exits), its child never does.
    const shown = await aios(['policy', 'show'], node.dataDir);
    expect(shown.code, shown.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'aios-ghost-'));
    const file = join(dir, 'policies.cedar');
    writeFileSync(file, `${shown.stdout}\n@id("no-agent-spawns")\nforbid(principal, action == Action::"AgentSpawn", resource) unless { principal.labels.contains("system") };\n`);
    const applied = await aios(['policy', 'apply', file], node.dataDir);
    expect(applied.code, applied.stderr).toBe(0);
    const parent = await aios(['spawn', join(FIXTURES, 'spawn-parent.ts'), '--name', 'ghost-parent', '--cap', 'spawn', '--json'], node.dataDir);
    expect(parent.code, parent.stderr).toBe(0);
    let rows: AgentRow[] = [];
    for (let i = 0; i < 300; i++) {
      rows = await psAll();
      if (rows.find((a) => a.name === 'ghost-parent')?.state === 'zombie') break;
      await pause(100);
    }
    const p = rows.find((a) => a.name === 'ghost-parent');
    expect(p).toMatchObject({ state: 'zombie' });
    expect(p!.exitCode).not.toBe(7); // 7 only after a successful spawn (the fixture's contract)
    const logs = await aios(['logs', 'ghost-parent'], node.dataDir);
    expect(logs.stdout).toMatch(/EACCES: policy denies AgentSpawn/);

    // Nothing else appeared: ps -a and the API list the agents from before plus the parent, nothing more.
    const expected = [...before.map((a) => a.id), p!.id].sort((x, y) => x - y);
    expect((await psAll()).map((a) => a.id).sort((x, y) => x - y)).toEqual(expected);
    const viaApi = await api('GET', '/v1/agents');
    expect((viaApi.json as AgentRow[]).map((a) => a.id).sort((x, y) => x - y)).toEqual(expected);
    expect((viaApi.json as AgentRow[]).filter((a) => a.name.startsWith('ghost-')).map((a) => a.name)).toEqual(['ghost-parent']);
    for (const name of ['ghost-load', 'ghost-missing', 'ghost-cap', 'ghost-build', 'ghost-native', 'spawn-child']) {
      const l = await aios(['logs', name], node.dataDir);
      expect({ name, code: l.code }).toEqual({ name, code: 6 });
    }
    // The refusals are on record.
    const audit = (await api('GET', '/v1/audit?tail=2000')).json as Array<{ agent: number; syscall: string; result: string }>;
    expect(audit.some((r) => r.agent === p!.id && r.syscall === 'AgentSpawn' && r.result === 'EACCES')).toBe(true);
    expect(audit.some((r) => r.syscall === 'ApiSpawn' && r.result === 'EACCES')).toBe(true);
  }, 180_000);
});
