// POST /mcp: the node as an MCP server over Streamable HTTP (stateless: one SDK Server and transport per
// request, JSON responses). Called by server.ts after the bearer-token check. Each tool call runs the API
// route it names over loopback (see mcp-tools.ts) and leaves one audit record `mcp.<tool>` with its outcome.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KernelHost } from '@aios/kernel';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpServer } from './mcp-tools.ts';
import type { NodeApi } from './node-api.ts';
import { send } from './http.ts';

export const MCP_PATH = '/mcp';

/** Serves /mcp; false for any other path. */
export async function handleMcpRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL, api: NodeApi): Promise<boolean> {
  if (url.pathname !== MCP_PATH) return false;
  if (req.method !== 'POST') {
    // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
    res.setHeader('allow', 'POST');
    send(res, 405, { jsonrpc: '2.0', error: { code: -32000, message: 'method not allowed: this MCP endpoint is stateless (POST only)' }, id: null });
    return true;
  }
  const server = createMcpServer(api, (tool, r) => {
    const code = r.isError ? String(((r.structuredContent as { error?: { code?: string } } | undefined)?.error?.code) ?? 'EIO') : 'ok';
    host.kernel.audit.append(host.kernel.now(), host.kernel.root.id, `mcp.${tool}`, 'mcp:http', code);
  });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
  return true;
}
