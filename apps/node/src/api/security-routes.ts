// The security routes of the node's API (called by server.ts after the bearer-token check, before
// its 404). Errors are thrown as AiosErrors for the server to map. The bearer token is the privilege:
// PUT /v1/policy is the only way to replace the running node's policies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { securityOf } from '../security/registry.ts';
import { parseNonce } from '../security/attest.ts';
import { send, readJson } from './http.ts';

/** Max body of PUT /v1/policy (a policy set is text; 1 MiB is plenty). */
const MAX_POLICY_BODY = 1024 * 1024;



const ROUTES = /^\/v1\/(identity(\/rotate)?|agents\/[^/]+\/identity|policy|attest|audit\/checkpoint)$/;

/**
 * GET /v1/identity, POST /v1/identity/rotate, GET /v1/agents/:id/identity, GET|PUT /v1/policy,
 * GET /v1/attest?nonce=HEX, GET /v1/audit/checkpoint. Returns false for any other path.
 */
export async function handleSecurityRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (!ROUTES.test(path)) return false;
  const sec = securityOf(host);
  if (!sec) throw new AiosError('ENOSYS', 'this node runs without the security wiring');
  const method = req.method ?? 'GET';
  let m: RegExpMatchArray | null;
  if (path === '/v1/identity' && method === 'GET') return send(res, 200, sec.describe());
  if (path === '/v1/identity/rotate' && method === 'POST') return send(res, 200, await sec.rotateKey());
  if ((m = path.match(/^\/v1\/agents\/([^/]+)\/identity$/)) && method === 'GET') {
    const ref = /^\d+$/.test(m[1]!) ? Number(m[1]) : decodeURIComponent(m[1]!);
    return send(res, 200, sec.agentIdentity(ref));
  }
  if (path === '/v1/policy' && method === 'GET') return send(res, 200, sec.policy.show());
  if (path === '/v1/policy' && method === 'PUT') {
    const body = await readJson(req, MAX_POLICY_BODY);
    if (typeof body.text !== 'string') throw new AiosError('EINVAL', 'body needs "text": the Cedar policy set');
    return send(res, 200, await sec.applyPolicy(body.text));
  }
  if (path === '/v1/attest' && method === 'GET') {
    const n = url.searchParams.get('nonce');
    return send(res, 200, sec.quote(n === null ? undefined : parseNonce(n)));
  }
  if (path === '/v1/audit/checkpoint' && method === 'GET') {
    return send(res, 200, { checkpoint: sec.latestCheckpoint, size: sec.audit.chain.size });
  }
  throw new AiosError('EINVAL', `method ${method} is not supported on ${path}`, { method, path });
}
