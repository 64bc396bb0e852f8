// GET /v1/nodes: the cluster directory as this node sees it ({ name, state, agents, ... } per node);
// 404 ENOENT-free empty list when the node is not in a cluster. Reads only; trusts the cluster layer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KernelHost } from '@aios/kernel';
import { clusterOf } from '../node/cluster.ts';
import { readJson, send } from './http.ts';
import { AiosError } from '@aios/abi';

export async function handleClusterRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  // POST /v1/nodes/NAME/agents {source, name?}: remote spawn (`aios spawn --node NAME FILE`), audited on both nodes.
  const m = /^\/v1\/nodes\/([A-Za-z0-9_-]{1,64})\/agents$/.exec(url.pathname);
  if (m !== null && req.method === 'POST') {
    const c = clusterOf(host);
    if (c === null) throw new AiosError('ENOENT', 'this node is not in a cluster', { node: m[1] });
    const body = await readJson(req);
    if (typeof body.source !== 'string' || body.source.length === 0) throw new AiosError('EINVAL', 'source must be the agent source text', { arg: 'source' });
    if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 64)) throw new AiosError('EINVAL', 'name must be 1-64 characters', { arg: 'name' });
    const k = host.kernel;
    try {
      const r = await c.spawnOn(m[1]!, { source: body.source }, body.name as string | undefined);
      k.audit.append(k.now(), k.root.id, 'ClusterSpawn', `node:${m[1]}`, 'ok', { address: r.address, id: r.id });
      return send(res, 201, r);
    } catch (e) {
      k.audit.append(k.now(), k.root.id, 'ClusterSpawn', `node:${m[1]}`, 'error', { code: (e as AiosError).code ?? 'EIO' });
      throw e;
    }
  }
  if (url.pathname !== '/v1/nodes' || req.method !== 'GET') return false;
  const c = clusterOf(host);
  send(res, 200, c === null ? [] : c.nodes().map((n) => ({ name: n.name, state: n.state, agents: n.agents, load: n.load, services: n.services, keyId: n.keyId, lastSeenMs: n.lastSeenMs, self: n.name === c.name })));
  return true;
}
