// HTTP routes of `aios mem`: forward memory requests to memoryd over IPC as the root agent (the root
// is the actor; its namespaces are `a<rootId>:<name>`, default name 'cli'). Trusts memoryd's replies
// as JSON only; every body field is checked by memoryd.
//
//   GET    /v1/mem/ns                     -> ns.list   (namespaces the root owns)
//   POST   /v1/mem/items                  -> put       ({ id, ns, version, created, changed })   body { ns?, text, data?, tags?, key?, ttlMs? }
//   GET    /v1/mem/items/:id?ns=          -> get       (item; ENOENT when missing)
//   DELETE /v1/mem/items/:id?ns=          -> delete    ({ deleted })
//   POST   /v1/mem/search                 -> search    (hits, best first)                       body { ns?, query, k?, filter?, mode? }
//   GET    /v1/mem/export?ns=&cursor=     -> export    ({ lines, cursor })  one page; follow cursor until null
//   POST   /v1/mem/import                 -> import    ({ imported, updated, unchanged, skipped }) body { ns?, lines, firstLine? }
//   GET    /v1/mem/stats?ns=              -> stats
//   POST   /v1/mem/reembed                -> reembed   ({ ns, count }) body { ns? }: onto the node's current embedder;
//                                                       with Accept: application/x-ndjson, progress lines first (progress-stream.ts)

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AiosError, MEMORYD, MEMORYD_OPS, type MemorydOp } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { send, readJson } from './http.ts';
import { streamWithProgress, wantsProgress } from './progress-stream.ts';

/** The namespace the CLI uses when none is given. */
export const CLI_NAMESPACE = 'cli';
/** A request may wait for the embedder's first load. */
export const MEM_TIMEOUT_MS = 30_000;
const MAX_BODY = 1024 * 1024;
/** A re-embedding may run as long as memoryd lets a request run (its REQUEST_TIMEOUT_MS). */
const REEMBED_TIMEOUT_MS = 600_000;



/** memoryd's agent id: the registered service, else the live agent named memoryd (ESRCH when none). */
function memorydId(host: KernelHost): number {
  const id = host.defaultServices.get('memoryd');
  if (id !== undefined && host.kernel.agents.get(id)?.alive) return id;
  return host.find('memoryd').id;
}

/** One request to memoryd as the root agent. */
export async function askMemoryd<T = unknown>(host: KernelHost, body: Record<string, unknown>, timeoutMs = MEM_TIMEOUT_MS): Promise<T> {
  const { op, ...args } = body;
  if (!MEMORYD_OPS.includes(op as MemorydOp)) throw new AiosError('EINVAL', `op must be one of ${MEMORYD_OPS.join(', ')}`, { arg: 'op', value: op });
  // The HTTP body's fields are checked by memoryd (the table types the op; the body is the client's).
  return (await host.request(MEMORYD, memorydId(host), op as MemorydOp, args as never, timeoutMs)) as T;
}

const nsOf = (v: unknown): string => (typeof v === 'string' && v.length > 0 ? v : CLI_NAMESPACE);

/** Serves /v1/mem routes; false when the path is not one of them. Call after the bearer-token check. */
export async function handleMemRoute(host: KernelHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const path = url.pathname;
  if (path !== '/v1/mem' && !path.startsWith('/v1/mem/')) return false;
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === '/v1/mem/ns') {
    send(res, 200, await askMemoryd(host, { op: 'ns.list' }));
    return true;
  }
  if (method === 'POST' && path === '/v1/mem/items') {
    const b = await readJson(req, MAX_BODY);
    send(res, 201, await askMemoryd(host, { ...b, op: 'put', ns: nsOf(b.ns) }));
    return true;
  }
  const m = path.match(/^\/v1\/mem\/items\/([^/]+)$/);
  if (m && (method === 'GET' || method === 'DELETE')) {
    let item: string;
    try {
      item = decodeURIComponent(m[1]!);
    } catch {
      throw new AiosError('EINVAL', 'bad item id in the path', { arg: 'id' });
    }
    if (method === 'GET') {
      const it = await askMemoryd(host, { op: 'get', ns: nsOf(q('ns')), item });
      if (it === null) throw new AiosError('ENOENT', `no item ${item}`, { item });
      send(res, 200, it);
    } else {
      send(res, 200, await askMemoryd(host, { op: 'delete', ns: nsOf(q('ns')), item }));
    }
    return true;
  }
  if (method === 'POST' && path === '/v1/mem/search') {
    const b = await readJson(req, MAX_BODY);
    const ns = Array.isArray(b.ns) ? b.ns : [nsOf(b.ns)];
    send(res, 200, await askMemoryd(host, { ...b, op: 'search', ns }));
    return true;
  }
  if (method === 'GET' && path === '/v1/mem/export') {
    const cursor = q('cursor');
    send(res, 200, await askMemoryd(host, { op: 'export', ns: nsOf(q('ns')), ...(cursor ? { cursor } : {}), ...(q('embeddings') === '1' ? { withEmbeddings: true } : {}) }));
    return true;
  }
  if (method === 'POST' && path === '/v1/mem/import') {
    const b = await readJson(req, MAX_BODY);
    send(res, 200, await askMemoryd(host, { ...b, op: 'import', ns: nsOf(b.ns) }));
    return true;
  }
  if (method === 'POST' && path === '/v1/mem/reembed') {
    const b = await readJson(req, MAX_BODY);
    // Re-embedding a large namespace takes a while: up to memoryd's own request deadline.
    const run = (job?: string) => askMemoryd(host, { op: 'reembed', ns: nsOf(b.ns), ...(job ? { job } : {}) }, REEMBED_TIMEOUT_MS);
    if (wantsProgress(req)) await streamWithProgress(host, res, `user.${memorydId(host)}.progress`, run);
    else send(res, 200, await run());
    return true;
  }
  if (method === 'GET' && path === '/v1/mem/stats') {
    send(res, 200, await askMemoryd(host, { op: 'stats', ns: nsOf(q('ns')) }));
    return true;
  }
  throw new AiosError('ENOENT', `no route ${method} ${path}`, { method, path });
}
