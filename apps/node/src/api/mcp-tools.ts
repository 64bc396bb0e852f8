// The node as MCP tools: one table (name, description, JSON Schema of the arguments, the API call it makes)
// served by an SDK `Server`. Every tool is one call of the node's HTTP API through a NodeApi, so it is checked,
// guarded and audited exactly as that route is. A failure is an MCP tool error (isError) whose text starts with
// the taxonomy code ("EACCES: ...") and whose structuredContent is { error: { code, errno, message, detail } }.
import { AiosError, isAiosError } from '@aios/abi';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { NodeApi } from './node-api.ts';

import { MCP_TOOLS, check, type Args } from './mcp-tool-list.ts';

export { MCP_TOOLS };
export type { McpTool } from './mcp-tool-list.ts';

/** The tool error a client sees: "CODE: message" and the error as structured content. */
export function toolError(e: unknown): CallToolResult {
  const err = isAiosError(e) ? (e as AiosError) : new AiosError('EIO', (e as Error)?.message ?? String(e));
  const json = { ...err.toJSON() } as Record<string, unknown>;
  return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.message}` }], structuredContent: { error: json } };
}

/** Runs one tool by name with arguments; never throws (errors are tool errors). */
export async function runTool(api: NodeApi, name: string, args: unknown): Promise<CallToolResult> {
  try {
    const tool = MCP_TOOLS.find((t) => t.name === name);
    if (!tool) throw new AiosError('ENOENT', `no tool ${name}`, { tool: name, tools: MCP_TOOLS.map((t) => t.name) });
    const a = (args ?? {}) as Args;
    if (typeof a !== 'object' || Array.isArray(a)) throw new AiosError('EINVAL', 'arguments must be an object', { arg: 'arguments' });
    check(tool, a);
    const v = await tool.run(api, a);
    return { content: [{ type: 'text', text: JSON.stringify(v ?? null) }], structuredContent: { result: v ?? null } };
  } catch (e) {
    return toolError(e);
  }
}

export const MCP_SERVER_INFO = { name: 'aios', version: '0.1.0' };

/**
 * An MCP server over a NodeApi. `onCall` sees each call's tool and outcome (the node audits it there).
 */
export function createMcpServer(api: NodeApi, onCall?: (tool: string, result: CallToolResult) => void): Server {
  const server = new Server(MCP_SERVER_INFO, { capabilities: { tools: {} }, instructions: 'AIOS: an operating system for AI agents. These tools manage the agents of one node, route requests by meaning, and reach its memory fabric and audit log.' });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: MCP_TOOLS.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const r = await runTool(api, req.params.name, req.params.arguments);
    onCall?.(req.params.name, r);
    return r;
  });
  return server;
}
