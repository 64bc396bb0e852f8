// A2A end to end with the official @a2a-js/sdk client (ClientFactory + JSON-RPC transport, the bearer token
// through its fetchImpl): the node's agent card lists the live intents as skills, and messages are routed
// through semantic IPC: send, stream (SSE), get and cancel a task. The v0.3 method names answer too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role, TaskState, type Message, type Task } from '@a2a-js/sdk';
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';
import { boot, type AiosNode } from 'aios';
import { ROOT } from '../e2e/cli-helpers.ts';
import { until } from '../semantic/helpers.ts';

const SEM = join(ROOT, 'tests/semantic/fixtures');
let node: AiosNode;
let base: string;
let client: Client;

const authed: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${node.api!.token}`);
  return fetch(input, { ...init, headers });
};

let n = 0;
function userMessage(text: string, data?: unknown): Message {
  const parts = [{ content: { $case: 'text' as const, value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }];
  if (data !== undefined) parts.push({ content: { $case: 'data' as const, value: data } as never, metadata: undefined, filename: '', mediaType: 'application/json' });
  return { messageId: `m-${n++}`, contextId: '', taskId: '', role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [] };
}
const send = (text: string, data?: unknown, returnImmediately = false) =>
  client.sendMessage({ tenant: '', message: userMessage(text, data), configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately }, metadata: undefined });

beforeAll(async () => {
  node = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-a2a-')), config: { services: true, api: true, port: 0 } });
  await until(() => node.host.find('semantic-ipcd').id, (id) => id > 0, 'semantic-ipcd');
  await node.spawn(join(SEM, 'weather.ts'));
  await node.spawn(join(SEM, 'stuck.ts'));
  const svc = node.host.find('semantic-ipcd').id;
  await until(() => node.host.request<unknown[]>(svc, { op: 'intents' }), (l) => l.length >= 2, 'the intents to register');
  base = `http://127.0.0.1:${node.api!.port}`;
  const factory = new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl: authed })], cardResolver: new DefaultAgentCardResolver({ fetchImpl: authed }) });
  client = await factory.createFromUrl(base);
}, 90_000);

afterAll(async () => {
  await node?.shutdown();
});

describe('a2a - agent card', () => {
  it('a2a - the card is public and its skills are the live intents', async () => {
    const res = await fetch(`${base}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    const card = (await res.json()) as { skills: Array<{ name: string; description: string }>; supportedInterfaces: Array<{ url: string; protocolBinding: string }>; capabilities: { streaming: boolean } };
    expect(card.skills.map((s) => s.name).sort()).toEqual(['summarise', 'weather']);
    expect(card.supportedInterfaces[0]).toMatchObject({ url: `${base}/a2a`, protocolBinding: 'JSONRPC' });
    expect(card.capabilities.streaming).toBe(true);
  });
});

describe('a2a - openapi', () => {
  it('a2a - openapi.json lists /mcp, /a2a and the agent card', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/mcp', '/a2a', '/.well-known/agent-card.json', '/v1/audit/verify']));
  });
});

describe('a2a - JSON-RPC with the SDK client', () => {
  it('a2a - a message is routed by meaning and completes with the answer as an artifact', async () => {
    const r = (await send('what is the weather in Rome', { city: 'Rome' })) as Task;
    expect(r.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const data = r.artifacts[0]!.parts.find((p) => p.content?.$case === 'data')!.content!.value as { city: string; forecast: string };
    expect(data).toMatchObject({ city: 'Rome', forecast: 'sunny' });
    const again = await client.getTask({ tenant: '', id: r.id, historyLength: undefined });
    expect(again.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('a2a - streaming yields the task, working, the artifact and completed over SSE', async () => {
    const states: TaskState[] = [];
    let artifact = false;
    for await (const ev of client.sendMessageStream({ tenant: '', message: userMessage('will it rain tomorrow in London', { city: 'London' }), configuration: undefined, metadata: undefined })) {
      const p = ev.payload;
      if (p?.$case === 'artifactUpdate') artifact = JSON.stringify(p.value.artifact?.parts).includes('London');
      if (p?.$case === 'statusUpdate' && p.value.status) states.push(p.value.status.state);
      if (p?.$case === 'task' && p.value.status) states.push(p.value.status.state);
    }
    expect(artifact).toBe(true);
    expect(states).toContain(TaskState.TASK_STATE_WORKING);
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('a2a - a refused request fails the task with the taxonomy code', async () => {
    const r = (await send('zzqx plorb vint')) as Task;
    expect(r.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    const text = r.status!.message!.parts[0]!.content as { value: string };
    expect(text.value).toMatch(/^E[A-Z]+: /);
  });

  it('a2a - a task still working can be canceled', async () => {
    const t = (await send('summarise this report', undefined, true)) as Task;
    expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(t.status?.state);
    const c = await client.cancelTask({ tenant: '', id: t.id, metadata: undefined });
    expect(c.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect((await client.getTask({ tenant: '', id: t.id, historyLength: undefined })).status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('a2a - JSON-RPC without the bearer token is refused', async () => {
    const res = await fetch(`${base}/a2a`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }) });
    expect(res.status).toBe(401);
  });

  it('a2a - the v0.3 method names (message/send, tasks/get) answer too', async () => {
    const rpc = async (method: string, params: unknown) => (await (await authed(`${base}/a2a`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }) })).json()) as { result?: { kind?: string; id: string; status: { state: string } }; error?: unknown };
    const sent = await rpc('message/send', { message: { kind: 'message', messageId: 'legacy-1', role: 'user', parts: [{ kind: 'text', text: 'weather forecast for Paris' }, { kind: 'data', data: { city: 'Paris' } }] } });
    expect(sent.error).toBeUndefined();
    expect(sent.result?.status.state).toBe('completed');
    const got = await rpc('tasks/get', { id: sent.result!.id });
    expect(got.result?.status.state).toBe('completed');
  });
});
