// MCP servers as tool devices: a real node whose <dataDir>/mcp.json names two MCP servers built with the
// official SDK in this test (stdio: a script written here; HTTP: an in-process Streamable HTTP server on
// 127.0.0.1:0). Agents reach a server only with the handle granted at spawn, each tool call is decided by
// Cedar (action ToolCall, resource the tool) and audited.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { boot, type AiosNode } from 'aios';
import { isAiosError, type AiosError } from '@aios/abi';
import { NODE_POLICIES } from '../../apps/node/src/security/policy.ts';
import { securityOf } from '../../apps/node/src/security/registry.ts';
import { ROOT } from '../e2e/cli-helpers.ts';

const SDK = join(ROOT, 'node_modules/@modelcontextprotocol/sdk/dist/esm');
const USER = join(import.meta.dirname, 'fixtures/tool-user.ts');

/** The stdio MCP server the node starts as a child: tools add {a,b} and echo {text}. */
const STDIO_SERVER = `
import { Server } from ${JSON.stringify(pathToFileURL(join(SDK, 'server/index.js')).href)};
import { StdioServerTransport } from ${JSON.stringify(pathToFileURL(join(SDK, 'server/stdio.js')).href)};
import { CallToolRequestSchema, ListToolsRequestSchema } from ${JSON.stringify(pathToFileURL(join(SDK, 'types.js')).href)};
const s = new Server({ name: 'files', version: '1.0.0' }, { capabilities: { tools: {} } });
s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [
  { name: 'add', description: 'add two numbers', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
  { name: 'echo', description: 'echo a text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
] }));
s.setRequestHandler(CallToolRequestSchema, async (r) => {
  const a = r.params.arguments ?? {};
  if (r.params.name === 'add') return { content: [{ type: 'text', text: String(a.a + a.b) }], structuredContent: { sum: a.a + a.b } };
  return { content: [{ type: 'text', text: String(a.text) }] };
});
await s.connect(new StdioServerTransport());
`;

/** The HTTP MCP server (in this process): tool shout {text}; needs header x-key: k1. */
function httpMcpServer(): Promise<{ server: HttpServer; url: string }> {
  const server = createServer(async (req, res) => {
    if (req.headers['x-key'] !== 'k1') {
      res.writeHead(401).end();
      return;
    }
    const s = new Server({ name: 'web', version: '1.0.0' }, { capabilities: { tools: {} } });
    s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'shout', description: 'upper-case a text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }] }));
    s.setRequestHandler(CallToolRequestSchema, async (r) => ({ content: [{ type: 'text', text: String((r.params.arguments ?? {}).text).toUpperCase() }] }));
    const t = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void t.close());
    await s.connect(t);
    await t.handleRequest(req, res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp` })));
}

let node: AiosNode;
let http: HttpServer;
let user: number;
let outsider: number;

async function device(agent: number, body: { device: string; method: string; args?: unknown[] }): Promise<unknown> {
  return node.host.request(agent, body, 30_000);
}
async function codeOf(p: Promise<unknown>): Promise<AiosError> {
  try {
    await p;
  } catch (e) {
    if (isAiosError(e)) return e as AiosError;
    throw e;
  }
  throw new Error('expected an error');
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aios-mcpc-'));
  const script = join(dir, 'files-server.mjs');
  writeFileSync(script, STDIO_SERVER);
  const web = await httpMcpServer();
  http = web.server;
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ servers: { files: { command: process.execPath, args: [script] }, web: { url: web.url, headers: { 'x-key': 'k1' } } } }));
  node = await boot({ dataDir: dir, config: { services: false } });
  user = await node.spawn(USER, { name: 'tool-user', devices: ['mcp:files', 'mcp:web'] } as never);
  outsider = await node.spawn(USER, { name: 'outsider' });
}, 60_000);

afterAll(async () => {
  await node?.shutdown();
  http?.close();
});

describe('mcp client - servers as tool devices', () => {
  it('mcp client - the configured servers are devices mcp:<name> of kind tool', () => {
    expect([...node.host.kernel.devices.keys()]).toEqual(expect.arrayContaining(['mcp:files', 'mcp:web']));
    expect(node.host.kernel.devices.get('mcp:files')!.object.driver.info.kind).toBe('tool');
  });

  it('mcp client - an agent lists and calls the tools of a stdio server', async () => {
    const tools = (await device(user, { device: 'mcp:files', method: 'list' })) as Array<{ name: string }>;
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo']);
    const r = (await device(user, { device: 'mcp:files', method: 'call', args: [{ tool: 'add', arguments: { a: 2, b: 3 } }] })) as { content: Array<{ text: string }>; isError: boolean; structuredContent: unknown };
    expect(r.isError).toBe(false);
    expect(r.content[0]!.text).toBe('5');
    expect(r.structuredContent).toEqual({ sum: 5 });
  }, 30_000);

  it('mcp client - an agent calls a tool of a Streamable HTTP server (configured headers sent)', async () => {
    const r = (await device(user, { device: 'mcp:web', method: 'call', args: [{ tool: 'shout', arguments: { text: 'hi' } }] })) as { content: Array<{ text: string }> };
    expect(r.content[0]!.text).toBe('HI');
  });

  it('mcp client - an agent that was not granted the device cannot name it', async () => {
    const e = await codeOf(device(outsider, { device: 'mcp:files', method: 'list' }));
    expect(['ENOENT', 'EBADF']).toContain(e.code);
  });

  it('mcp client - an unknown tool is ENOENT and a malformed call EINVAL', async () => {
    expect((await codeOf(device(user, { device: 'mcp:files', method: 'call', args: [{ tool: 'rm', arguments: {} }] }))).code).toBe('ENOENT');
    expect((await codeOf(device(user, { device: 'mcp:files', method: 'call', args: [{ arguments: {} }] }))).code).toBe('EINVAL');
    expect((await codeOf(device(user, { device: 'mcp:files', method: 'call', args: [{ tool: 'add', arguments: [1, 2] }] }))).code).toBe('EINVAL');
  });

  it('mcp client - a Cedar policy forbidding ToolCall on one tool denies it (EACCES) and leaves the others; all audited', async () => {
    const sec = securityOf(node.host)!;
    await sec.applyPolicy(`${NODE_POLICIES}\n@id("no-echo")\nforbid(principal, action == Action::"ToolCall", resource == Namespace::"tool:mcp:files/echo");\n`);
    try {
      const e = await codeOf(device(user, { device: 'mcp:files', method: 'call', args: [{ tool: 'echo', arguments: { text: 'x' } }] }));
      expect(e.code).toBe('EACCES');
      expect(JSON.stringify(e.detail)).toContain('no-echo');
      const r = (await device(user, { device: 'mcp:files', method: 'call', args: [{ tool: 'add', arguments: { a: 1, b: 1 } }] })) as { content: Array<{ text: string }> };
      expect(r.content[0]!.text).toBe('2');
    } finally {
      await sec.applyPolicy(NODE_POLICIES);
    }
    const calls = node.audit().filter((r) => r.agent === user && r.syscall === 'DeviceCall');
    expect(calls.some((r) => r.result === 'EACCES')).toBe(true);
    expect(calls.filter((r) => r.result === 'ok').length).toBeGreaterThanOrEqual(3);
  });
});

describe('mcp client - config', () => {
  it('mcp client - a bad mcp.json entry is EINVAL naming it; the variable adds servers', async () => {
    const { parseMcpConfig, readMcpConfig } = await import('@aios/drivers/mcp-client');
    const bad = (doc: unknown): string => {
      try {
        parseMcpConfig(doc, 'mcp.json');
      } catch (e) {
        return `${(e as AiosError).code}:${(e as AiosError).message}`;
      }
      return 'accepted';
    };
    expect(bad({ servers: { x: {} } })).toMatch(/^EINVAL:.*"x" needs "command"/);
    expect(bad({ servers: { x: { url: 'file:///etc/passwd' } } })).toMatch(/^EINVAL:.*http/);
    expect(bad({ servers: { 'a b': { command: 'x' } } })).toMatch(/^EINVAL:.*name/);
    expect(bad({ servers: { x: { command: 'node', args: [1] } } })).toMatch(/^EINVAL:.*args/);
    expect(bad([])).toMatch(/^EINVAL/);
    const dir = mkdtempSync(join(tmpdir(), 'aios-mcpcfg-'));
    expect(readMcpConfig(dir, {})).toEqual({});
    expect(Object.keys(readMcpConfig(dir, { AIOS_MCP_SERVERS: '{"servers":{"w":{"url":"http://127.0.0.1:1/mcp"}}}' }))).toEqual(['w']);
    writeFileSync(join(dir, 'mcp.json'), '{nope');
    expect(() => readMcpConfig(dir, {})).toThrow(/not valid JSON/);
  });
});
