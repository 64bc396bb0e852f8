// The node's MCP tools as data: name, description, JSON Schema of the arguments, and the API call each makes.
// No SDK import here, so `aios mcp --help` (through aios/offline) lists them without loading the MCP server.
import { AiosError } from '@aios/abi';
import type { NodeApi } from './node-api.ts';

export type Args = Record<string, unknown>;

export interface McpTool {
  name: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties: false };
  run(api: NodeApi, args: Args): Promise<unknown>;
}

const ref = (v: unknown): string => encodeURIComponent(String(v));
const agentRef = { description: 'agent id or name', anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', minLength: 1 }] };

/** Checks arguments against a tool's schema (the subset the table uses); EINVAL names the argument. */
export function check(tool: McpTool, args: Args): void {
  const bad = (arg: string, why: string): never => {
    throw new AiosError('EINVAL', `${tool.name}: ${arg} ${why}`, { arg });
  };
  const props = tool.inputSchema.properties;
  for (const k of Object.keys(args)) if (!(k in props)) bad(k, 'is not an argument of this tool');
  for (const k of tool.inputSchema.required ?? []) if (args[k] === undefined) bad(k, 'is required');
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    const s = props[k] as { type?: string; anyOf?: Array<{ type: string }> };
    const types = s.anyOf ? s.anyOf.map((x) => x.type) : s.type ? [s.type] : [];
    const ok = types.length === 0 || types.some((t) =>
      t === 'string' ? typeof v === 'string' && v.length > 0
        : t === 'integer' ? Number.isSafeInteger(v) && (v as number) >= 1
          : t === 'array' ? Array.isArray(v) && v.every((x) => typeof x === 'string')
            : t === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : false);
    if (!ok) bad(k, `must be ${types.join(' or ')}${types.includes('integer') ? ' (>= 1)' : ''}`);
  }
}

/** `cap` as the API takes it: a list of capability names ("spawn,supervise" or ["spawn", "supervise"]). */
function capList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const l = Array.isArray(v) ? (v as string[]) : String(v).split(',');
  return l.map((x) => x.trim()).filter((x) => x.length > 0);
}

export const MCP_TOOLS: readonly McpTool[] = [
  {
    name: 'list_agents',
    description: 'List the agents of the node (ps): id, name, state, CPU, mailbox, memory, trust.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    run: (api) => api.request('GET', '/v1/agents'),
  },
  {
    name: 'spawn_agent',
    description: "Spawn an agent from an image path on the node's host; cap grants privileges (e.g. \"spawn,supervise\"), never more than the node's policy allows.",
    inputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'path of the agent image (.ts/.js) on the node host' },
        name: { type: 'string', description: 'agent name' },
        cap: { description: 'capabilities to grant: a comma list or a list of names', anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      },
      required: ['path'],
      additionalProperties: false,
    },
    run: (api, a) => {
      const capabilities = capList(a.cap);
      const opts: Args = { ...(a.name !== undefined ? { name: a.name } : {}), ...(capabilities ? { capabilities } : {}) };
      return api.request('POST', '/v1/agents', { path: a.path, opts });
    },
  },
  {
    name: 'send_message',
    description: 'Send a text message to an agent (its onMessage receives it).',
    inputSchema: { type: 'object', properties: { agent: agentRef, text: { type: 'string' } }, required: ['agent', 'text'], additionalProperties: false },
    run: (api, a) => api.request('POST', `/v1/agents/${ref(a.agent)}/messages`, { text: a.text }),
  },
  {
    name: 'kill_agent',
    description: 'Kill an agent (and its descendants).',
    inputSchema: { type: 'object', properties: { agent: agentRef }, required: ['agent'], additionalProperties: false },
    run: (api, a) => api.request('DELETE', `/v1/agents/${ref(a.agent)}`, { reason: 'killed through MCP' }),
  },
  {
    name: 'ask',
    description: 'Ask whoever serves a request, routed by meaning through semantic IPC; payload is checked against the target intent\'s input schema.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' }, payload: { description: 'the request payload (JSON)' } }, required: ['text'], additionalProperties: false },
    run: async (api, a) => (await api.request<{ result: unknown }>('POST', '/v1/ask', { text: a.text, ...(a.payload !== undefined ? { payload: a.payload } : {}) })).result,
  },
  {
    name: 'memory_put',
    description: 'Store a text in the memory fabric (memoryd), in namespace ns (default "cli").',
    inputSchema: { type: 'object', properties: { text: { type: 'string' }, ns: { type: 'string' } }, required: ['text'], additionalProperties: false },
    run: (api, a) => api.request('POST', '/v1/mem/items', { text: a.text, ...(a.ns !== undefined ? { ns: a.ns } : {}) }),
  },
  {
    name: 'memory_search',
    description: 'Search the memory fabric (hybrid: meaning and words); best hits first.',
    inputSchema: { type: 'object', properties: { query: { type: 'string' }, k: { type: 'integer', minimum: 1 }, ns: { type: 'string' } }, required: ['query'], additionalProperties: false },
    run: (api, a) => api.request('POST', '/v1/mem/search', { query: a.query, ...(a.k !== undefined ? { k: a.k } : {}), ...(a.ns !== undefined ? { ns: a.ns } : {}) }),
  },
  {
    name: 'audit_verify',
    description: "Verify the node's persistent audit log (hash chain, signed checkpoints, key history).",
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    run: (api) => api.request('GET', '/v1/audit/verify'),
  },
];
