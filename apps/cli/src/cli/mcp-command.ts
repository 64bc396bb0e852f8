// `aios mcp`: the running node as an MCP server on stdin/stdout, for desktop MCP clients. A relay: every
// JSON-RPC message from the client goes to the node's /mcp endpoint (Streamable HTTP, bearer token from the
// data folder) and every answer comes back, so the tools, their checks and their audit live in the node
// (api/mcp-tools.ts). Stdout carries only MCP messages; diagnostics go to stderr.
import { AiosError } from '@aios/abi';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MCP_TOOLS, resolveDataDir } from 'aios/offline';
import { connect } from './client.ts';
import { COMMON_OPTS } from './options.ts';
import type { Command, Io } from './commands.ts';

/** Fails with ESRCH (exit 6) unless a node runs on the data folder and answers. */
async function liveNode(dataDir: string): Promise<{ base: string; token: string }> {
  const c = connect(dataDir);
  await c.request('GET', '/v1/agents');
  return { base: c.base, token: c.token };
}

async function relay(dataDir: string, io: Io): Promise<number> {
  const node = await liveNode(dataDir);
  const upstream = new StreamableHTTPClientTransport(new URL(`${node.base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${node.token}` } } });
  const downstream = new StdioServerTransport();
  const failRequest = (msg: JSONRPCMessage, e: unknown): void => {
    if (!('method' in msg) || !('id' in msg)) return; // notifications and responses need no answer
    const why = e instanceof Error ? e.message : String(e);
    void downstream.send({ jsonrpc: '2.0', id: msg.id, error: { code: -32000, message: `ESRCH: the node at ${node.base} did not take the request: ${why}` } });
  };
  downstream.onmessage = (msg) => {
    upstream.send(msg).catch((e: unknown) => failRequest(msg, e));
  };
  upstream.onmessage = (msg) => {
    // The negotiated protocol version travels as a header on every later request (the SDK client's rule).
    const v = (msg as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
    if (typeof v === 'string') upstream.setProtocolVersion(v);
    void downstream.send(msg);
  };
  upstream.onerror = (e) => io.err(`aios mcp: ${e.message}`);
  await upstream.start();
  await downstream.start();
  await new Promise<void>((resolve) => {
    process.stdin.once('end', () => resolve());
    process.stdin.once('close', () => resolve());
  });
  await upstream.close().catch(() => undefined);
  return 0;
}

export const MCP_COMMANDS: Record<string, Command> = {
  mcp: {
    summary: "serve the running node as MCP tools on stdin/stdout (for desktop MCP clients)",
    usage: 'aios mcp [--data-dir DIR]',
    options: { ...COMMON_OPTS },
    positionals: 0,
    notes: [
      `Tools: ${MCP_TOOLS.map((t) => t.name).join(', ')}.`,
      'Needs a running node on the data folder (`aios boot`); without one it exits 6 (ESRCH) at once.',
      'The same tools are served over Streamable HTTP at POST /mcp on the API port (Authorization: Bearer <token>).',
      'Each tool runs the API route it names, so it is checked and audited like any API call; errors are MCP tool',
      'errors whose text starts with the error code (e.g. "EACCES: ...").',
      'Desktop client config: { "command": "node", "args": ["<repo>/apps/cli/dist/cli.js", "mcp", "--data-dir", "<dir>"] }',
    ],
    async run(v, _p, io) {
      const dataDir = resolveDataDir(v['data-dir'] as string | undefined);
      try {
        return await relay(dataDir, io);
      } catch (e) {
        if (e instanceof AiosError) throw e;
        throw new AiosError('EIO', `aios mcp: ${(e as Error)?.message ?? String(e)}`);
      }
    },
  },
};
