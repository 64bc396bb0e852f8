// GET /v1/model: the model device's queues (read-only), for the dashboard. Called after the token check.
// { device: null } when the node has no model device; else the driver's name and the device's stats.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KernelHost } from '@aios/kernel';
import { send } from './http.ts';

export function handleModelRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (url.pathname !== '/v1/model' || req.method !== 'GET') return false;
  const m = host.kernel.model;
  if (!m) return send(res, 200, { device: null });
  return send(res, 200, { device: { driver: m.driver.info.name, version: m.driver.info.version, ...m.stats() } });
}
