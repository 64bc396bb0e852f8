// GET /v1/nodes: the cluster directory as this node sees it ({ name, state, agents, ... } per node);
// 404 ENOENT-free empty list when the node is not in a cluster. Reads only; trusts the cluster layer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KernelHost } from '@aios/kernel';
import { clusterOf } from '../node/cluster.ts';
import { send } from './http.ts';

export async function handleClusterRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== '/v1/nodes' || req.method !== 'GET') return false;
  const c = clusterOf(host);
  send(res, 200, c === null ? [] : c.nodes().map((n) => ({ name: n.name, state: n.state, agents: n.agents, load: n.load, services: n.services, keyId: n.keyId, lastSeenMs: n.lastSeenMs, self: n.name === c.name })));
  return true;
}
