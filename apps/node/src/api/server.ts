// The node's HTTP and WebSocket API on 127.0.0.1, behind a bearer token.
// Routes mirror the CLI; errors use the abi taxonomy and its HTTP statuses.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { AiosError, HTTP_STATUS_BY_CODE, isAiosError, limits, type SpawnOptions } from '@aios/abi';
import type { KernelHost } from '@aios/kernel';
import { openApiDocument } from './openapi.ts';
import { handleSvcRoute } from './svc-routes.ts';
import { handlePlanRoute } from './plan-routes.ts';
import { handleClusterRoute } from './cluster-routes.ts';
import { handleMemRoute } from './mem-routes.ts';
import { handleAskRoute } from './ask-routes.ts';
import { createClientLimiter } from './client-limit.ts';
import { handleSecurityRoute } from './security-routes.ts';
import { send, readJson } from './http.ts';
import { handleMcpRoute } from './mcp.ts';
import { createA2aEndpoint } from './a2a.ts';
import { httpNodeApi } from './node-api.ts';
import { spawnGuard, type SpawnGuardOptions } from './spawn-guard.ts';
import { dashboardHandler } from './dashboard-static.ts';
import { handleModelRoute } from './model-route.ts';
import { handleAuditVerifyRoute } from './audit-verify-route.ts';
import { handleIoRoute } from './io-routes.ts';
import { handleMetricsRoute } from './metrics.ts';

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = limits.IMAGE_MAX_BYTES + 1024 * 1024;
/** Routes answered by memoryd or semantic-ipcd (mem-routes.ts, ask-routes.ts): bounded per client. */
const SERVICE_ROUTE = /^\/v1\/(mem|ask|intents|multicast|negotiate)(\/|$)/;


function sendError(res: ServerResponse, e: unknown): void {
  const err = isAiosError(e) ? (e as AiosError) : new AiosError('EIO', (e as Error)?.message ?? String(e));
  send(res, HTTP_STATUS_BY_CODE[err.code], { error: err.toJSON() });
}


function authorised(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function agentRef(s: string): number | string {
  return /^\d+$/.test(s) ? Number(s) : decodeURIComponent(s);
}

export async function startApiServer(host: KernelHost, opts: { port: number; token: string } & SpawnGuardOptions): Promise<ApiServer> {
  const checkSpawn = spawnGuard(host, opts);
  const dashboard = dashboardHandler(); // the web page's static files: no data, no token (see dashboard-static.ts)
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => sendError(res, e));
  });
  // Interop (MCP tools run the API's own routes over loopback; A2A asks through semantic-ipcd).
  const base = () => `http://127.0.0.1:${(server.address() as { port: number } | null)?.port ?? opts.port}`;
  const loopback = httpNodeApi(base, opts.token);
  const a2a = createA2aEndpoint(host, base);

  const limiter = createClientLimiter();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (dashboard(req, res, path)) return;
    if (req.method === 'GET' && path === '/openapi.json') return send(res, 200, openApiDocument());
    if (req.method === 'GET' && path === '/v1/health') return send(res, 200, { ok: true });
    if (await a2a.handleCard(req, res, url)) return; // public by design (A2A discovery); see a2a.ts
    if (!authorised(req, opts.token)) return send(res, 401, { error: { code: 'EPERM', errno: 1, message: 'missing or wrong bearer token' } });
    if (await handleMcpRoute(host, req, res, url, loopback)) return;
    if (await a2a.handleRpc(req, res, url)) return;
    if (await handleAuditVerifyRoute(host, req, res, url)) return;
    if (await handleMetricsRoute(host, req, res, url)) return;
    if (await handleSvcRoute(host, req, res, url)) return;
    if (await handlePlanRoute(host, req, res, url)) return;
    if (await handleClusterRoute(host, req, res, url)) return;
    // Routes that queue work at services are bounded per client (client-limit.ts).
    if (SERVICE_ROUTE.test(path)) {
      const client = req.socket.remoteAddress ?? 'unknown';
      if (await limiter.run(client, async () => (await handleMemRoute(host, req, res, url)) || (await handleAskRoute(host, req, res, url)))) return;
    }
    let m: RegExpMatchArray | null;
    if (req.method === 'GET' && path === '/v1/agents') return send(res, 200, host.ps());
    if (req.method === 'POST' && path === '/v1/agents') {
      const body = await readJson(req, MAX_BODY);
      const image = typeof body.source === 'string' ? { source: body.source, filename: typeof body.filename === 'string' ? body.filename : undefined } : typeof body.path === 'string' ? { path: body.path } : undefined;
      if (!image) throw new AiosError('EINVAL', 'body needs "path" or "source"');
      const spawnOpts = (typeof body.opts === 'object' && body.opts !== null ? body.opts : {}) as SpawnOptions;
      checkSpawn(image, spawnOpts);
      const id = await host.spawn(image, spawnOpts);
      return send(res, 201, host.ps().find((a) => a.id === id) ?? { id });
    }
    if ((m = path.match(/^\/v1\/agents\/([^/]+)$/))) {
      const ref = agentRef(m[1]!);
      if (req.method === 'GET') {
        const a = host.find(ref);
        return send(res, 200, host.kernel.info(a));
      }
      if (req.method === 'DELETE') {
        const body = await readJson(req, MAX_BODY);
        host.kill(ref, typeof body.reason === 'string' ? body.reason : undefined);
        return send(res, 200, { ok: true });
      }
    }
    if (req.method === 'POST' && (m = path.match(/^\/v1\/agents\/([^/]+)\/messages$/))) {
      const body = await readJson(req, MAX_BODY);
      const data = typeof body.text === 'string' ? body.text : typeof body.base64 === 'string' ? new Uint8Array(Buffer.from(body.base64, 'base64')) : undefined;
      if (data === undefined) throw new AiosError('EINVAL', 'body needs "text" or "base64"');
      host.send(agentRef(m[1]!), data);
      return send(res, 202, { ok: true });
    }
    if (req.method === 'POST' && (m = path.match(/^\/v1\/agents\/([^/]+)\/release$/))) {
      host.release(agentRef(m[1]!));
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && (m = path.match(/^\/v1\/agents\/([^/]+)\/logs$/))) {
      return send(res, 200, { lines: host.logs(agentRef(m[1]!)) });
    }
    if (req.method === 'GET' && path === '/v1/audit') {
      const n = Math.min(Number(url.searchParams.get('tail') ?? 100) || 100, 10_000);
      return send(res, 200, host.kernel.audit.tail(n));
    }
    if (handleModelRoute(host, req, res, url)) return;
    if (await handleIoRoute(host, req, res, url)) return;
    if (await handleSecurityRoute(host, req, res, url)) return;
    return send(res, 404, { error: { code: 'ENOENT', errno: 2, message: `no route ${req.method} ${path}` } });
  }

  // WebSocket: /v1/events?pattern=agent.*.exit streams kernel events (logs are agent.<id>.log).
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const tokenParam = url.searchParams.get('token');
    const ok = authorised(req, opts.token) || (tokenParam !== null && tokenParam.length === opts.token.length && timingSafeEqual(Buffer.from(tokenParam), Buffer.from(opts.token)));
    if (url.pathname !== '/v1/events' || !ok) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const pattern = url.searchParams.get('pattern') ?? '>';
      let unsubscribe: () => void = () => {};
      try {
        unsubscribe = host.kernel.subscribeHost(pattern, (e) => {
          // A slow client loses events rather than growing the node's memory.
          if (ws.bufferedAmount < 4 * 1024 * 1024) ws.send(JSON.stringify(e));
        });
      } catch (e) {
        ws.close(1008, (e as Error).message.slice(0, 100));
        return;
      }
      ws.on('close', () => unsubscribe());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE' ? new AiosError('EBUSY', `port ${opts.port} is in use (is another node running? try --port)`, { port: opts.port }) : e);
    });
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
