// MCP server end to end with the official SDK client: a real node (services on, an intent agent), its /mcp
// endpoint over Streamable HTTP with the bearer token, and `aios mcp` over stdio against the same node.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { boot, type AiosNode } from 'aios';
import { aios, CLI, ensureBuilt, FIXTURES, ROOT, tempDataDir } from '../e2e/cli-helpers.ts';
import { until } from '../semantic/helpers.ts';

const SEM = join(ROOT, 'tests/semantic/fixtures');
const TOOLS = ['list_agents', 'spawn_agent', 'send_message', 'kill_agent', 'ask', 'memory_put', 'memory_search', 'audit_verify'];

let node: AiosNode;
let client: Client;

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: { result?: unknown; error?: { code: string } } };
const call = async (name: string, args: Record<string, unknown> = {}, c = client): Promise<ToolResult> => (await c.callTool({ name, arguments: args })) as ToolResult;
const ok = (r: ToolResult): unknown => {
  expect(r.isError ?? false, r.content[0]?.text).toBe(false);
  return JSON.parse(r.content[0]!.text!);
};

beforeAll(async () => {
  ensureBuilt();
  node = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-mcp-')), config: { services: true, api: true, port: 0 } });
  await until(() => node.host.find('semantic-ipcd').id, (id) => id > 0, 'semantic-ipcd');
  await node.spawn(join(SEM, 'weather.ts'));
  const svc = node.host.find('semantic-ipcd').id;
  await until(() => node.host.request<unknown[]>(svc, { op: 'intents' }), (l) => l.length >= 1, 'the intent to register');
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${node.api!.port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${node.api!.token}` } } }));
}, 90_000);

afterAll(async () => {
  await client?.close();
  await node?.shutdown();
});

describe('mcp server - Streamable HTTP with the SDK client', () => {
  it('mcp server - lists exactly the eight tools with their argument schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    const spawn = tools.find((t) => t.name === 'spawn_agent')!;
    expect(Object.keys(spawn.inputSchema.properties ?? {}).sort()).toEqual(['cap', 'name', 'path']);
    expect(spawn.inputSchema.required).toEqual(['path']);
    expect(Object.keys(tools.find((t) => t.name === 'memory_search')!.inputSchema.properties ?? {}).sort()).toEqual(['k', 'ns', 'query']);
  });

  it('mcp server - spawn_agent, list_agents, send_message and kill_agent act on the node, and each call is audited', async () => {
    const spawned = ok(await call('spawn_agent', { path: join(FIXTURES, 'echo.ts'), name: 'mcp-echo' })) as { id: number; name: string };
    expect(spawned.name).toBe('mcp-echo');
    const list = ok(await call('list_agents')) as Array<{ id: number; name: string; state: string }>;
    expect(list.find((a) => a.id === spawned.id)?.name).toBe('mcp-echo');
    ok(await call('send_message', { agent: 'mcp-echo', text: 'hi from mcp' }));
    await until(() => node.logs(spawned.id), (l) => l.some((x) => x.includes('echo: hi from mcp')), 'the echo log');
    ok(await call('kill_agent', { agent: spawned.id }));
    await until(() => node.ps().find((a) => a.id === spawned.id)?.state, (s) => s === 'zombie' || s === 'dead' || s === undefined, 'the agent to die');
    const audited = node.audit().filter((r) => r.syscall.startsWith('mcp.')).map((r) => `${r.syscall}:${r.result}`);
    expect(audited).toEqual(expect.arrayContaining(['mcp.spawn_agent:ok', 'mcp.list_agents:ok', 'mcp.send_message:ok', 'mcp.kill_agent:ok']));
    expect(node.audit().some((r) => r.syscall === 'AgentSpawn')).toBe(true);
  });

  it('mcp server - ask routes by meaning through semantic IPC', async () => {
    const r = ok(await call('ask', { text: 'what is the weather in Rome', payload: { city: 'Rome' } })) as { city: string; forecast: string };
    expect(r).toMatchObject({ city: 'Rome', forecast: 'sunny' });
  });

  it('mcp server - memory_put then memory_search finds the text', async () => {
    ok(await call('memory_put', { text: 'the launch code word is heliotrope', ns: 'mcp' }));
    const hits = ok(await call('memory_search', { query: 'heliotrope launch code', ns: 'mcp', k: 3 })) as Array<{ text?: string; item?: { text: string } }>;
    expect(JSON.stringify(hits)).toContain('heliotrope');
  });

  it('mcp server - audit_verify verifies the persistent audit log', async () => {
    const r = ok(await call('audit_verify')) as { ok: boolean; records: number };
    expect(r.ok).toBe(true);
    expect(r.records).toBeGreaterThan(0);
  });

  it('mcp server - errors are tool errors carrying the taxonomy code', async () => {
    const gone = await call('kill_agent', { agent: 'no-such-agent' });
    expect(gone.isError).toBe(true);
    expect(gone.content[0]!.text).toMatch(/^ESRCH: /);
    expect(gone.structuredContent?.error?.code).toBe('ESRCH');
    const bad = await call('spawn_agent', { name: 'x' });
    expect(bad.isError).toBe(true);
    expect(bad.structuredContent?.error?.code).toBe('EINVAL');
    const extra = await call('list_agents', { surprise: 1 });
    expect(extra.structuredContent?.error?.code).toBe('EINVAL');
    const refused = await call('ask', { text: 'zzqx plorb vint', payload: {} });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/^E[A-Z]+: /);
    expect(node.audit().some((r) => r.syscall === 'mcp.kill_agent' && r.result === 'ESRCH')).toBe(true);
  });

  it('mcp server - /mcp without the bearer token is refused', async () => {
    const c = new Client({ name: 'intruder', version: '1.0.0' });
    await expect(c.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${node.api!.port}/mcp`)))).rejects.toThrow();
  });
});

describe('mcp server - stdio (aios mcp)', () => {
  it('mcp server - aios mcp serves the same tools to the SDK stdio client', async () => {
    const c = new Client({ name: 'desktop', version: '1.0.0' });
    await c.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--data-dir', node.dataDir], cwd: ROOT, stderr: 'pipe' }));
    try {
      expect((await c.listTools()).tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
      const list = ok(await call('list_agents', {}, c)) as Array<{ name: string }>;
      expect(list.some((a) => a.name === 'weather')).toBe(true);
      const err = await call('kill_agent', { agent: 'nobody-here' }, c);
      expect(err.content[0]!.text).toMatch(/^ESRCH: /);
    } finally {
      await c.close();
    }
  }, 30_000);

  it('mcp server - aios mcp without a running node fails at once with a clear error', async () => {
    const r = await aios(['mcp'], tempDataDir());
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/ESRCH: no running node/);
    expect(r.stdout).toBe('');
  });

  it('mcp server - aios mcp --help lists the tools', async () => {
    const r = await aios(['mcp', '--help']);
    expect(r.code).toBe(0);
    for (const t of TOOLS) expect(r.stdout).toContain(t);
  });
});
