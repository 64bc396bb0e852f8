// The security routes of the node's API (called by server.ts after the bearer-token check, before
// its 404). Errors are thrown as AiosErrors for the server to map. The bearer token is the privilege:
// PUT /v1/policy is the only way to replace the running node's policies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { securityOf } from '../security/registry.ts';
import { parseNonce } from '../security/attest.ts';

/** Max body of PUT /v1/policy (a policy set is text; 1 MiB is plenty). */
const MAX_POLICY_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_POLICY_BODY) throw new AiosError('EMSGSIZE', 'request body too large', { max: MAX_POLICY_BODY });
    chunks.push(c as Buffer);
  }
  try {
    const v = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new AiosError('EINVAL', 'request body must be a JSON object');
  }
}

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
    const body = await readJson(req);
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
