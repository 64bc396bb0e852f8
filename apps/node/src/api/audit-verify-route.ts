// GET /v1/audit/verify: verifies the running node's persistent audit log on disk (hash chain, signed
// checkpoints, key history), as `aios audit verify` does offline. Called by server.ts after the token check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { securityOf } from '../security/registry.ts';
import { verifyAuditFolder } from '../security/audit-store.ts';
import { send } from './http.ts';

export async function handleAuditVerifyRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== '/v1/audit/verify' || req.method !== 'GET') return false;
  const sec = securityOf(host);
  if (!sec) throw new AiosError('ENOSYS', 'this node runs without the security wiring (no persistent audit log)');
  send(res, 200, await verifyAuditFolder(sec.dataDir));
  return true;
}
