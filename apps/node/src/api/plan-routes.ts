// HTTP routes of `aios plan`: forward to the planner service over IPC as the root agent (the node's operator),
// with the host's request/reply. Trusts the planner's replies as JSON only; bodies are checked by the planner.
//
//   GET  /v1/plans                    -> ls        (PlanSummary[]; ?state=)
//   POST /v1/plans                    -> submit    body { plan } or a plan itself -> { id }
//   POST /v1/plans/make               -> make      body { goal, submit? } -> { plan, planner, notes, id? }
//   GET  /v1/plans/:id                -> show      (PlanView; ?outputs=false)
//   GET  /v1/plans/:id/graph          -> graph     ({ dot })
//   GET  /v1/plans/:id/watch          -> watch     (?since=&waitMs=)
//   POST /v1/plans/:id/cancel         -> cancel
//   POST /v1/plans/:id/steps/:step/approve|reject

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { send, readJson } from './http.ts';

export const PLANNER_NAME = 'planner';
const MAX_BODY = 1024 * 1024;
const TIMEOUT_MS = 65_000;
const MAKE_TIMEOUT_MS = 185_000;

function plannerId(host: KernelHost): number {
  const id = host.defaultServices.get(PLANNER_NAME);
  if (id !== undefined && host.kernel.agents.get(id)?.alive) return id;
  return host.find(PLANNER_NAME).id;
}

/** One request to the planner as the root agent. */
export function askPlanner<T = unknown>(host: KernelHost, body: Record<string, unknown>, timeoutMs = TIMEOUT_MS): Promise<T> {
  return host.request<T>(plannerId(host), body, timeoutMs);
}

function seg(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AiosError('EINVAL', `bad ${what} in the path`, { arg: what });
  }
}

/** Serves the /v1/plans routes; false when the request is not one of them. Call after the bearer-token check. */
export async function handlePlanRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (path !== '/v1/plans' && !path.startsWith('/v1/plans/')) return false;
  const m = req.method;
  if (path === '/v1/plans' && m === 'GET') {
    const state = url.searchParams.get('state');
    send(res, 200, await askPlanner(host, { op: 'ls', ...(state ? { state } : {}) }));
    return true;
  }
  if (path === '/v1/plans' && m === 'POST') {
    const body = await readJson(req, MAX_BODY);
    const plan = body.plan !== undefined ? body.plan : body;
    send(res, 201, await askPlanner(host, { op: 'submit', plan }));
    return true;
  }
  if (path === '/v1/plans/make' && m === 'POST') {
    const body = await readJson(req, MAX_BODY);
    send(res, 200, await askPlanner(host, { op: 'make', goal: body.goal, ...(body.submit === true ? { submit: true } : {}) }, MAKE_TIMEOUT_MS));
    return true;
  }
  const one = path.match(/^\/v1\/plans\/([^/]+)(?:\/(graph|watch|cancel))?$/);
  if (one) {
    const planId = seg(one[1]!, 'plan id');
    const action = one[2];
    if (action === undefined && m === 'GET') {
      send(res, 200, await askPlanner(host, { op: 'show', planId, ...(url.searchParams.get('outputs') === 'false' ? { outputs: false } : {}) }));
      return true;
    }
    if (action === 'graph' && m === 'GET') {
      send(res, 200, await askPlanner(host, { op: 'graph', planId }));
      return true;
    }
    if (action === 'watch' && m === 'GET') {
      const since = Number(url.searchParams.get('since') ?? 0);
      const waitMs = Number(url.searchParams.get('waitMs') ?? 25_000);
      send(res, 200, await askPlanner(host, { op: 'watch', planId, since, waitMs }));
      return true;
    }
    if (action === 'cancel' && m === 'POST') {
      send(res, 200, await askPlanner(host, { op: 'cancel', planId }));
      return true;
    }
  }
  const st = path.match(/^\/v1\/plans\/([^/]+)\/steps\/([^/]+)\/(approve|reject)$/);
  if (st && m === 'POST') {
    send(res, 200, await askPlanner(host, { op: st[3]!, planId: seg(st[1]!, 'plan id'), step: seg(st[2]!, 'step') }));
    return true;
  }
  throw new AiosError('ENOENT', `no route ${m} ${path}`, { method: m, path });
}
