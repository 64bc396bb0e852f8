// HTTP routes of `aios svc`: they forward control requests to the initd agent with the
// host's request/reply (KernelHost.request). Trusts initd's replies as JSON only.
//
//   GET  /v1/svc              -> ls        (UnitStatus[])
//   GET  /v1/svc/graph        -> graph     ({ dot, tree, levels })
//   POST /v1/svc/:unit/start  -> start     ({ unit, started })
//   POST /v1/svc/:unit/stop   -> stop      ({ unit, stopped })
//   POST /v1/svc/:unit/restart-> restart   ({ unit, started })

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError, INITD, INITD_OPS, type InitdOp } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { send } from './http.ts';

/** The name initd runs under. */
export const INITD_NAME = 'initd';
/** How long a control request may take (a stop waits up to each unit's shutdown timeout). */
export const SVC_TIMEOUT_MS = 60_000;

/**
 * Sends one control request to initd and resolves with its result; rejects with the
 * AiosError initd answered, ESRCH when initd is not running, ETIMEDOUT without a reply.
 */
export async function askInitd(host: KernelHost, req: { op: string; unit?: string }, timeoutMs = SVC_TIMEOUT_MS): Promise<unknown> {
  const initd = host.find(INITD_NAME);
  const { op, ...args } = req;
  if (!INITD_OPS.includes(op as InitdOp)) throw new AiosError('EINVAL', `op must be one of ${INITD_OPS.join(', ')}`, { arg: 'op', value: op });
  return host.request(INITD, initd.id, op as InitdOp, args as never, timeoutMs);
}


/**
 * Serves the /v1/svc routes; false when the request is not one of them. Call it after
 * the bearer-token check. Errors are thrown as AiosError for the server to map.
 */
export async function handleSvcRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (path !== '/v1/svc' && !path.startsWith('/v1/svc/')) return false;
  if (req.method === 'GET' && path === '/v1/svc') {
    send(res, 200, await askInitd(host, { op: 'ls' }));
    return true;
  }
  if (req.method === 'GET' && path === '/v1/svc/graph') {
    send(res, 200, await askInitd(host, { op: 'graph' }));
    return true;
  }
  const m = path.match(/^\/v1\/svc\/([^/]+)\/(start|stop|restart)$/);
  if (req.method === 'POST' && m) {
    let unit: string;
    try {
      unit = decodeURIComponent(m[1]!);
    } catch {
      throw new AiosError('EINVAL', 'bad unit name in the path', { arg: 'unit' });
    }
    send(res, 200, await askInitd(host, { op: m[2]!, unit }));
    return true;
  }
  throw new AiosError('ENOENT', `no route ${req.method} ${path}`, { method: req.method, path });
}
