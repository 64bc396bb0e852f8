// The node as an A2A agent (@a2a-js/sdk server pieces on the node's HTTP server):
//   GET  /.well-known/agent-card.json  the agent card; its skills are semantic-ipcd's live intents. PUBLIC (no
//                                      token), as A2A discovery expects: it names what the node can do, not data.
//   POST /a2a                          JSON-RPC 2.0, bearer token: A2A v1.0 (SendMessage, SendStreamingMessage
//                                      (SSE), GetTask, CancelTask, ...) and the v0.3 names (message/send,
//                                      message/stream, tasks/get, tasks/cancel) through the SDK's compat layer.
// Each message becomes one semantic ask (askSemanticIpcd, the code of POST /v1/ask): text parts are the request
// text, a data part its payload. The task completes with the handler's result as an artifact, or fails with
// "CODE: message" from the taxonomy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError, isAiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { AgentCard, Role, TaskState, type Message, type Part } from '@a2a-js/sdk';
import {
  AgentEvent, DefaultRequestHandler, InMemoryTaskStore, JsonRpcTransportHandler, UnauthenticatedUser, defaultServerCallContextBuilder,
  type AgentExecutor, type ExecutionEventBus, type RequestContext,
} from '@a2a-js/sdk/server';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { isLegacyJsonRpcMethod } from '@a2a-js/sdk/compat/v0_3';
import { askSemanticIpcd } from './ask-routes.ts';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';
export const A2A_PATH = '/a2a';
const MAX_BODY = 1024 * 1024;
const VERSIONS = new Set(['1.0', '0.3']);

interface IntentRow { agent: number; agentName: string; intent: string; description?: string; examples?: string[] }

const textPart = (text: string): Part => ({ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' });
const dataPart = (value: unknown): Part => ({ content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' });
let nextId = 0;
const newId = (p: string): string => `${p}-${Date.now().toString(36)}-${(nextId++).toString(36)}`;

function agentMessage(taskId: string, contextId: string, parts: Part[]): Message {
  return { messageId: newId('msg'), contextId, taskId, role: Role.ROLE_AGENT, parts, metadata: undefined, extensions: [], referenceTaskIds: [] };
}

/** The text and payload of a user message: text parts joined by newlines, the first data part. */
export function requestOf(m: Message): { text: string; payload?: unknown } {
  const texts: string[] = [];
  let payload: unknown;
  for (const p of m.parts ?? []) {
    if (p.content?.$case === 'text') texts.push(p.content.value);
    else if (p.content?.$case === 'data' && payload === undefined) payload = p.content.value;
  }
  return { text: texts.join('\n'), ...(payload !== undefined ? { payload } : {}) };
}

/** Runs each message as a semantic ask; cancel marks the task canceled (a late answer is dropped). */
class AskExecutor implements AgentExecutor {
  private readonly canceled = new Set<string>();
  constructor(private readonly host: KernelHost) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = ctx;
    const user = ctx.userMessage;
    const status = (state: TaskState, message?: Message) => AgentEvent.statusUpdate({ taskId, contextId, status: { state, message, timestamp: new Date().toISOString() }, metadata: undefined });
    if (!ctx.task) {
      bus.publish(AgentEvent.task({ id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() }, artifacts: [], history: [user], metadata: undefined }));
    } else {
      bus.publish(AgentEvent.task(ctx.task));
    }
    bus.publish(status(TaskState.TASK_STATE_WORKING));
    try {
      const req = requestOf(user);
      if (req.text === '' && req.payload === undefined) throw new AiosError('EINVAL', 'the message has no text part', { arg: 'parts' });
      const result = await askSemanticIpcd(this.host, { op: 'ask', ...(req.text ? { text: req.text } : {}), ...(req.payload !== undefined ? { payload: req.payload } : {}) });
      if (this.canceled.has(taskId)) return;
      const text = typeof result === 'string' ? result : JSON.stringify(result);
      bus.publish(AgentEvent.artifactUpdate({
        taskId, contextId, append: false, lastChunk: true, metadata: undefined,
        artifact: { artifactId: newId('result'), name: 'result', description: 'the answer of the agent that served the request', parts: [textPart(text), dataPart(result ?? null)], metadata: undefined, extensions: [] },
      }));
      bus.publish(status(TaskState.TASK_STATE_COMPLETED, agentMessage(taskId, contextId, [textPart(text)])));
    } catch (e) {
      if (this.canceled.has(taskId)) return;
      const err = isAiosError(e) ? (e as AiosError) : new AiosError('EIO', (e as Error)?.message ?? String(e));
      bus.publish(status(TaskState.TASK_STATE_FAILED, agentMessage(taskId, contextId, [textPart(`${err.code}: ${err.message}`), dataPart({ error: { ...err.toJSON() } })])));
    } finally {
      this.canceled.delete(taskId);
      bus.finished();
    }
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    this.canceled.add(taskId);
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId: '', status: { state: TaskState.TASK_STATE_CANCELED, message: undefined, timestamp: new Date().toISOString() }, metadata: undefined }));
    bus.finished();
  }
}

export interface A2aEndpoint {
  /** GET /.well-known/agent-card.json (public). False for other paths. */
  handleCard(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** POST /a2a (call after the bearer-token check). False for other paths. */
  handleRpc(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

/** `base()` is the node's URL (known once the server listens). */
export function createA2aEndpoint(host: KernelHost, base: () => string): A2aEndpoint {
  const card = (skills: AgentCard['skills']): AgentCard => ({
    name: 'aios',
    description: 'An AIOS node: requests are routed by meaning (semantic IPC) to the agent that serves them.',
    supportedInterfaces: [{ url: `${base()}${A2A_PATH}`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    provider: undefined,
    version: '0.1.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: { bearer: { scheme: { $case: 'httpAuthSecurityScheme', value: { description: 'the node token (<data dir>/token)', scheme: 'Bearer', bearerFormat: '' } } } },
    securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain', 'application/json'],
    skills,
    signatures: [],
  });
  const handler = new DefaultRequestHandler(card([]), new InMemoryTaskStore(), new AskExecutor(host));
  const v1 = new JsonRpcTransportHandler(handler);
  const legacy = new LegacyJsonRpcTransportHandler(handler);

  async function liveSkills(): Promise<AgentCard['skills']> {
    let rows: IntentRow[] = [];
    try {
      rows = await askSemanticIpcd<IntentRow[]>(host, { op: 'intents', timeoutMs: 2_000 });
    } catch {
      rows = []; // no semantic-ipcd (minimal node): no skills
    }
    return (Array.isArray(rows) ? rows : []).map((r) => ({
      id: `${r.agentName}.${r.intent}`, name: r.intent, description: r.description ?? r.intent, tags: [r.agentName, 'intent'],
      examples: Array.isArray(r.examples) ? r.examples.slice(0, 10) : [], inputModes: [], outputModes: [], securityRequirements: [],
    }));
  }

  return {
    async handleCard(req, res, url) {
      if (url.pathname !== AGENT_CARD_PATH || req.method !== 'GET') return false;
      const json = { ...(AgentCard.toJSON(card(await liveSkills())) as Record<string, unknown>), url: `${base()}${A2A_PATH}`, preferredTransport: 'JSONRPC', protocolVersion: '1.0' };
      const text = JSON.stringify(json);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    },
    async handleRpc(req, res, url) {
      if (url.pathname !== A2A_PATH) return false;
      if (req.method !== 'POST') throw new AiosError('ENOENT', `no route ${req.method} ${url.pathname} (A2A JSON-RPC is POST)`, { method: req.method, path: url.pathname });
      const raw = await readText(req);
      let body: { id?: unknown; method?: unknown } | undefined;
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        body = undefined;
      }
      const legacyCall = typeof body?.method === 'string' && isLegacyJsonRpcMethod(body.method);
      const headerVersion = typeof req.headers['a2a-version'] === 'string' ? req.headers['a2a-version'] : undefined;
      if (headerVersion !== undefined && !VERSIONS.has(headerVersion)) {
        return rpcJson(res, { jsonrpc: '2.0', id: body?.id ?? null, error: { code: -32009, message: `A2A version ${headerVersion} is not supported (1.0, 0.3)` } });
      }
      const context = defaultServerCallContextBuilder({ extensions: undefined, user: new UnauthenticatedUser(), headers: req.headers as Record<string, string>, requestedVersion: legacyCall ? '0.3' : '1.0' });
      const out = legacyCall ? await legacy.handle(body as Record<string, unknown>, context) : await v1.handle(body ?? raw, context);
      if (out && typeof (out as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
        await streamSse(res, out as AsyncIterable<unknown>, body?.id ?? null, legacyCall);
        return true;
      }
      return rpcJson(res, out);
    },
  };
}

function rpcJson(res: ServerResponse, v: unknown): true {
  const text = JSON.stringify(v);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

/** Writes a JSON-RPC event stream as SSE; an error mid-stream is an `error` event and the stream ends. */
async function streamSse(res: ServerResponse, stream: AsyncIterable<unknown>, id: unknown, legacyCall: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  try {
    for await (const ev of stream) {
      if (res.destroyed) break;
      res.write(`data: ${JSON.stringify(ev)}\n\n`);
    }
  } catch (e) {
    const error = legacyCall ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(e) : JsonRpcTransportHandler.mapToJSONRPCError(e);
    if (!res.destroyed) res.write(`event: error\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, error })}\n\n`);
  } finally {
    if (!res.writableEnded) res.end();
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new AiosError('EMSGSIZE', 'request body too large', { max: MAX_BODY });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
