// HTTP routes of `aios ask` / `aios intents`: forward to semantic-ipcd over IPC as the root agent (with a
// SEND-only reply handle, host.request). Trusts semantic-ipcd's replies as JSON only; body fields are checked
// by semantic-ipcd (readRequest), except their JSON shape here.
//
//   POST /v1/ask        body { text?, intent?, agent?, payload?, timeoutMs? } -> the handler's result
//   POST /v1/multicast  body { text?, intent?, payload?, timeoutMs? }         -> [{ agent, intent, score, ok, result|error }]
//   POST /v1/negotiate  body { text?, intent?, payload?, timeoutMs? }         -> [{ agent, intent, score, cost, timeMs?, bid }]
//   GET  /v1/intents                                                         -> [{ agent, agentName, intent, description, examples, input, output }]
//   GET  /v1/intents/status                                                  -> { embedder, embedderName, intents, threshold, thresholdSource, thresholdSamples, thresholdLoo, judge, pending }

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError, SEMANTIC_IPCD, SEMANTIC_IPCD_OPS, limits, type SemanticOp } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { send, readJson } from './http.ts';
import { observeAsk } from './metrics.ts';

/** The name semantic-ipcd runs under (and its key in host.defaultServices). */
export const SEMANTIC_IPCD_NAME = 'semantic-ipcd';
/** semantic-ipcd's default wait for a target, and the extra time the route gives semantic-ipcd itself. */
export const ASK_DEFAULT_TIMEOUT_MS = limits.ASK_TIMEOUT_MS;
export const ASK_GRACE_MS = 5_000;
const MAX_BODY = 1024 * 1024;
const FIELDS = ['text', 'intent', 'agent', 'payload', 'timeoutMs'] as const;



/** semantic-ipcd's agent id: the registered service, else the live agent of that name (ESRCH when none). */
export function semanticIpcdId(host: KernelHost): number {
  const id = host.defaultServices.get(SEMANTIC_IPCD_NAME);
  if (id !== undefined && host.kernel.agents.get(id)?.alive) return id;
  return host.find(SEMANTIC_IPCD_NAME).id;
}

/** One request to semantic-ipcd as the root agent; waits the request's timeout plus a grace period. */
export async function askSemanticIpcd<T = unknown>(host: KernelHost, body: Record<string, unknown>): Promise<T> {
  const t = typeof body.timeoutMs === 'number' ? body.timeoutMs : ASK_DEFAULT_TIMEOUT_MS;
  const { op, ...args } = body;
  if (!SEMANTIC_IPCD_OPS.includes(op as SemanticOp)) throw new AiosError('EINVAL', `op must be one of ${SEMANTIC_IPCD_OPS.join(', ')}`, { arg: 'op', value: op });
  // The HTTP body's fields are checked by semantic-ipcd (readRequest).
  return (await host.request(SEMANTIC_IPCD, semanticIpcdId(host), op as SemanticOp, args as never, t + ASK_GRACE_MS)) as T;
}

/** Serves the ask/intents routes; false when the path is not one of them. Call after the bearer-token check. */
export async function handleAskRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (path === '/v1/intents' || path === '/v1/intents/status') {
    if (req.method !== 'GET') throw new AiosError('ENOENT', `no route ${req.method} ${path}`, { method: req.method, path });
    send(res, 200, await askSemanticIpcd(host, { op: path === '/v1/intents' ? 'intents' : 'status' }));
    return true;
  }
  const m = path.match(/^\/v1\/(ask|multicast|negotiate)$/);
  if (m === null) return false;
  if (req.method !== 'POST') throw new AiosError('ENOENT', `no route ${req.method} ${path}`, { method: req.method, path });
  const body = await readJson(req, MAX_BODY);
  const out: Record<string, unknown> = { op: m[1] };
  for (const k of FIELDS) if (body[k] !== undefined) out[k] = body[k];
  const t0 = performance.now();
  try {
    send(res, 200, { result: await askSemanticIpcd(host, out) });
  } finally {
    observeAsk(host, m[1]!, (performance.now() - t0) / 1000);
  }
  return true;
}
