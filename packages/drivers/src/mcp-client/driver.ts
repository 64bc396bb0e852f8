// An MCP server as a device on the bus (kind 'tool'): DeviceCall(h, 'list') gives its tools, DeviceCall(h,
// 'call', { tool, arguments }) calls one. Connects on first use over stdio (a child process) or Streamable
// HTTP, with the official SDK's Client. Trusts the server for nothing but JSON: results are size-checked,
// calls are bounded in flight and in time (limits.MCP_*), and failures become AiosErrors.
import { AiosError, limits, type Driver, type DriverInfo } from '@aios/abi';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServerConfig } from './config.ts';

/** One tool as `list` returns it. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: unknown;
}

/** What `call` returns: the MCP CallToolResult (content blocks, isError, structuredContent when given). */
export interface McpToolResult {
  content: unknown[];
  isError: boolean;
  structuredContent?: unknown;
}

export interface McpToolDriver extends Driver {
  list(): Promise<McpToolInfo[]>;
  call(req: { tool: string; arguments?: Record<string, unknown> }): Promise<McpToolResult>;
}

const VERSION = '0.1.0';

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v) ?? '');
}

/** A tool device for one configured server; `name` is the server's name in the config (device `mcp:<name>`). */
export function createMcpToolDriver(name: string, cfg: McpServerConfig): McpToolDriver {
  const info: DriverInfo = {
    name: `mcp:${name}`,
    version: VERSION,
    kind: 'tool',
    description: 'command' in cfg ? `MCP server over stdio: ${cfg.command}` : `MCP server over Streamable HTTP: ${new URL(cfg.url).origin}`,
  };
  let client: Promise<Client> | null = null;
  let tools: McpToolInfo[] | null = null;
  let inFlight = 0;

  function connect(): Promise<Client> {
    if (client) return client;
    const c = new Client({ name: 'aios', version: VERSION });
    const transport = 'command' in cfg
      ? new StdioClientTransport({ command: cfg.command, args: cfg.args ?? [], env: { ...getDefaultEnvironment(), ...(cfg.env ?? {}) }, cwd: cfg.cwd, stderr: 'ignore' })
      : new StreamableHTTPClientTransport(new URL(cfg.url), { requestInit: { headers: cfg.headers ?? {} } });
    // A closed connection is dropped so the next call reconnects.
    c.onclose = () => {
      client = null;
      tools = null;
    };
    client = c.connect(transport).then(() => c, (e: unknown) => {
      client = null;
      throw new AiosError('EIO', `MCP server ${name} does not connect: ${(e as Error)?.message ?? String(e)}`, { device: info.name });
    });
    return client;
  }

  /** Runs one request to the server under the in-flight bound, mapping failures to the taxonomy. */
  async function bounded<T>(what: string, f: (c: Client) => Promise<T>): Promise<T> {
    if (inFlight >= limits.MCP_CALLS_IN_FLIGHT_MAX) {
      throw new AiosError('EAGAIN', `MCP server ${name} has ${inFlight} calls in flight (limit ${limits.MCP_CALLS_IN_FLIGHT_MAX})`, { device: info.name, limit: limits.MCP_CALLS_IN_FLIGHT_MAX });
    }
    inFlight++;
    try {
      const c = await connect();
      return await f(c);
    } catch (e) {
      if (e instanceof AiosError) throw e;
      const msg = (e as Error)?.message ?? String(e);
      if (/timed? ?out/i.test(msg)) throw new AiosError('ETIMEDOUT', `MCP ${what} on ${name} timed out`, { device: info.name, timeoutMs: limits.MCP_CALL_TIMEOUT_MS });
      throw new AiosError('EIO', `MCP ${what} on ${name} failed: ${msg}`, { device: info.name });
    } finally {
      inFlight--;
    }
  }

  async function list(): Promise<McpToolInfo[]> {
    return bounded('tools/list', async (c) => {
      const out: McpToolInfo[] = [];
      let cursor: string | undefined;
      do {
        const r = await c.listTools(cursor ? { cursor } : {}, { timeout: limits.MCP_CALL_TIMEOUT_MS });
        for (const t of r.tools) out.push({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: t.inputSchema });
        cursor = r.nextCursor;
      } while (cursor);
      tools = out;
      return out;
    });
  }

  return {
    info,
    list,
    async call(req) {
      if (typeof req !== 'object' || req === null || typeof req.tool !== 'string') throw new AiosError('EINVAL', 'call takes { tool, arguments }', { arg: 'args' });
      const args = req.arguments ?? {};
      if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new AiosError('EINVAL', 'arguments must be an object', { arg: 'arguments' });
      const size = jsonBytes(args);
      if (size > limits.MCP_ARGS_MAX_BYTES) throw new AiosError('EMSGSIZE', `tool arguments are ${size} bytes (limit ${limits.MCP_ARGS_MAX_BYTES})`, { size, max: limits.MCP_ARGS_MAX_BYTES });
      const known = tools ?? (await list());
      if (!known.some((t) => t.name === req.tool)) throw new AiosError('ENOENT', `MCP server ${name} has no tool ${req.tool}`, { device: info.name, tool: req.tool });
      const r = await bounded('tools/call', (c) => c.callTool({ name: req.tool, arguments: args }, undefined, { timeout: limits.MCP_CALL_TIMEOUT_MS }));
      const out: McpToolResult = { content: Array.isArray(r.content) ? r.content : [], isError: r.isError === true };
      if (r.structuredContent !== undefined) out.structuredContent = r.structuredContent;
      const bytes = jsonBytes(out);
      if (bytes > limits.MCP_RESULT_MAX_BYTES) throw new AiosError('EMSGSIZE', `tool ${req.tool} answered ${bytes} bytes (limit ${limits.MCP_RESULT_MAX_BYTES})`, { size: bytes, max: limits.MCP_RESULT_MAX_BYTES });
      return out;
    },
    async close() {
      const c = client;
      client = null;
      if (c) await c.then((x) => x.close(), () => undefined);
    },
  };
}
