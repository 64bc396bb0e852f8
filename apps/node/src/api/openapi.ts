// The OpenAPI 3.1 description of the node's API, served at /openapi.json.

const agent = {
  type: 'object',
  required: ['id', 'name', 'state', 'domain', 'cpuMs'],
  properties: {
    id: { type: 'integer' }, name: { type: 'string' },
    state: { type: 'string', enum: ['embryo', 'ready', 'running', 'waiting', 'suspended', 'zombie', 'dead'] },
    domain: { type: 'string', enum: ['native', 'wasm'] }, cpuMs: { type: 'number' }, parent: { type: ['integer', 'null'] },
    nice: { type: 'integer' }, weight: { type: 'integer' }, vruntime: { type: 'number' }, mailbox: { type: 'integer' },
    memBytes: { type: 'integer' }, handles: { type: 'integer' }, exitCode: { type: ['integer', 'null'] }, exitReason: { type: ['string', 'null'] },
  },
};
const error = {
  type: 'object',
  properties: { error: { type: 'object', required: ['code', 'errno', 'message'], properties: { code: { type: 'string' }, errno: { type: 'integer' }, message: { type: 'string' }, detail: { type: 'object' } } } },
};
const errors = { default: { description: 'An AiosError', content: { 'application/json': { schema: error } } } };
const ref = { name: 'ref', in: 'path', required: true, description: 'agent id or name', schema: { type: 'string' } };

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'AIOS node API', version: '0.1.0', description: 'Control a running AIOS node. Every route but /openapi.json and /v1/health needs `Authorization: Bearer <token>` (the token is in the data folder, mode 0600).' },
    servers: [{ url: 'http://127.0.0.1:7777' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Agent: agent, Error: error } },
    security: [{ bearer: [] }],
    paths: {
      '/v1/health': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'ok' } } } },
      '/v1/agents': {
        get: { summary: 'List agents (ps)', responses: { 200: { description: 'agents', content: { 'application/json': { schema: { type: 'array', items: agent } } } }, ...errors } },
        post: {
          summary: 'Spawn an agent from a path on the node host or from module source',
          description: "A path must lie under the node's image roots (default: its working folder at boot; AIOS_API_IMAGE_ROOTS), else EACCES. "
            + "opts.domain 'native' (trusted, unsandboxed: runs as the node's user) is EACCES unless the node was booted with --allow-native-api "
            + '(AIOS_ALLOW_NATIVE_API=1). Both refusals are audited (ApiSpawn).',
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { path: { type: 'string' }, source: { type: 'string' }, opts: { type: 'object' } } } } } },
          responses: { 201: { description: 'the new agent', content: { 'application/json': { schema: agent } } }, ...errors },
        },
      },
      '/v1/agents/{ref}': {
        get: { summary: 'One agent', parameters: [ref], responses: { 200: { description: 'agent', content: { 'application/json': { schema: agent } } }, ...errors } },
        delete: { summary: 'Kill an agent', parameters: [ref], responses: { 200: { description: 'killed' }, ...errors } },
      },
      '/v1/agents/{ref}/messages': {
        post: { summary: 'Send a message (text or base64 bytes)', parameters: [ref], requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' }, base64: { type: 'string' } } } } } }, responses: { 202: { description: 'queued' }, ...errors } },
      },
      '/v1/agents/{ref}/release': { post: { summary: 'Release a quarantined or throttled agent (behavioural analysis)', parameters: [ref], responses: { 200: { description: 'released' }, ...errors } } },
      '/v1/agents/{ref}/logs': { get: { summary: 'Log lines kept in memory', parameters: [ref], responses: { 200: { description: 'lines' }, ...errors } } },
      '/v1/model': { get: { summary: 'The model device: driver, queue policy, queued and in-flight requests ({ device: null } without one)', responses: { 200: { description: 'device' }, ...errors } } },
      '/v1/svc': { get: { summary: 'Services (initd units) and their states', responses: { 200: { description: 'units' }, ...errors } } },
      '/v1/svc/graph': { get: { summary: 'The service dependency graph (DOT and a tree)', responses: { 200: { description: 'graph' }, ...errors } } },
      '/v1/svc/{unit}/{action}': { post: { summary: 'Start, stop or restart a unit', parameters: [{ name: 'unit', in: 'path', required: true, schema: { type: 'string' } }, { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: ['start', 'stop', 'restart'] } }], responses: { 200: { description: 'done' }, ...errors } } },
      '/v1/plans': {
        get: { summary: 'Plans (the planner), newest first; ?state=pending|running|waiting|done|failed|cancelled', responses: { 200: { description: '[{ id, goal, state, steps, done, created, updated }]' }, ...errors } },
        post: { summary: 'Submit a plan { goal, steps: [{ id, intent, input?, after?, retries?, timeoutMs?, approval? }] } (or { plan }); EINVAL with the reason and nothing starts when it is invalid', responses: { 201: { description: '{ id }' }, ...errors } },
      },
      '/v1/plans/make': { post: { summary: 'Make a plan from a goal { goal, submit? } (the model device with a schema of the live intents, else the offline clause splitter)', responses: { 200: { description: '{ plan, planner, notes, id? }' }, ...errors } } },
      '/v1/plans/{id}': { get: { summary: 'A plan: { id, goal, state, steps: [{ id, state, attempts, output?, error? }] }', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'plan' }, ...errors } } },
      '/v1/plans/{id}/graph': { get: { summary: 'The plan as DOT with step states', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: '{ dot }' }, ...errors } } },
      '/v1/plans/{id}/watch': { get: { summary: 'The plan once its version passes ?since= (long poll, ?waitMs= up to 60000)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'plan' }, ...errors } } },
      '/v1/plans/{id}/cancel': { post: { summary: 'Cancel a plan', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'plan' }, ...errors } } },
      '/v1/plans/{id}/steps/{step}/{action}': { post: { summary: 'Approve or reject a waiting approval step', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'step', in: 'path', required: true, schema: { type: 'string' } }, { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: ['approve', 'reject'] } }], responses: { 200: { description: 'plan' }, ...errors } } },
      '/v1/mem/ns': { get: { summary: 'Memory namespaces of the CLI actor (memoryd)', responses: { 200: { description: 'namespaces' }, ...errors } } },
      '/v1/mem/items': { post: { summary: 'Put an item {text, ns?, data?, tags?, ttlMs?}', responses: { 200: { description: 'the new item id' }, ...errors } } },
      '/v1/mem/items/{id}': { get: { summary: 'Get an item', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'item' }, ...errors } }, delete: { summary: 'Delete an item', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'deleted' }, ...errors } } },
      '/v1/mem/search': { post: { summary: 'Hybrid search {query, ns?, k?}', responses: { 200: { description: 'hits, best first' }, ...errors } } },
      '/v1/mem/export': { get: { summary: 'Export a namespace as JSONL', responses: { 200: { description: 'JSONL' }, ...errors } } },
      '/v1/mem/import': { post: { summary: 'Import JSONL lines into a namespace', responses: { 200: { description: 'imported' }, ...errors } } },
      '/v1/mem/reembed': { post: { summary: "Re-embed a namespace {ns?} with the node's current embedder (after the embedder changed)", responses: { 200: { description: '{ ns, count }' }, ...errors } } },
      '/v1/ask': { post: { summary: 'Semantic request {text?, intent?, payload?, timeoutMs?}: routed by meaning to the agent that serves it', responses: { 200: { description: '{ result }' }, ...errors } } },
      '/v1/multicast': { post: { summary: 'Deliver a semantic request to every agent above the threshold', responses: { 200: { description: '{ result }' }, ...errors } } },
      '/v1/negotiate': { post: { summary: 'Ask the candidates for bids (contract-net)', responses: { 200: { description: '{ result }' }, ...errors } } },
      '/v1/intents': { get: { summary: 'Registered intents', responses: { 200: { description: 'intents' }, ...errors } } },
      '/v1/intents/status': { get: { summary: "semantic-ipcd's state: embedder, refusal threshold and where it came from, intents, pending requests", responses: { 200: { description: 'status' }, ...errors } } },
      '/v1/audit': { get: { summary: 'Tail of the audit log', parameters: [{ name: 'tail', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'records' }, ...errors } } },
      '/v1/audit/verify': { get: { summary: 'Verify the persistent audit log (hash chain, signed checkpoints, key history)', responses: { 200: { description: '{ ok, records, checkpoints, ... }' }, ...errors } } },
      '/mcp': { post: { summary: 'MCP over Streamable HTTP (stateless, JSON responses): tools list_agents, spawn_agent, send_message, kill_agent, ask, memory_put, memory_search, audit_verify (docs/interop.md)', requestBody: { content: { 'application/json': { schema: { type: 'object', description: 'a JSON-RPC 2.0 MCP message' } } } }, responses: { 200: { description: 'the JSON-RPC answer' }, 202: { description: 'a notification was accepted' }, 405: { description: 'GET/DELETE: this endpoint is stateless' }, ...errors } } },
      '/.well-known/agent-card.json': { get: { summary: 'A2A agent card (public): skills are the live intents; the JSON-RPC endpoint is /a2a', security: [], responses: { 200: { description: 'the agent card' } } } },
      '/a2a': { post: { summary: 'A2A JSON-RPC 2.0: SendMessage, SendStreamingMessage (SSE), GetTask, CancelTask (and v0.3 message/send, message/stream, tasks/get, tasks/cancel); each message is a semantic ask', requestBody: { content: { 'application/json': { schema: { type: 'object', description: 'a JSON-RPC 2.0 A2A request' } } } }, responses: { 200: { description: 'the JSON-RPC answer, or text/event-stream for streaming methods' }, ...errors } } },
      '/v1/events': { get: { summary: 'WebSocket: kernel events and agent logs (agent.<id>.log); ?pattern=agent.*.exit&token=...', responses: { 101: { description: 'switching protocols' } } } },
    },
  };
}
