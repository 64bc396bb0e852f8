// Serves the web dashboard's static files (built by apps/dashboard/build.mjs into apps/cli/dist/dashboard):
// GET / is its page, GET /ui/<file> its assets. No token is needed for these files (they hold no data;
// the page asks for the token and sends it to the API). Only files present at first use are served, by
// exact name, with their content type, a strict Content-Security-Policy (no inline script or style,
// nothing from another origin) and no caching across builds.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policy every dashboard response carries; connect-src 'self' covers the same-origin WebSocket. */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Where the built files are: beside the bundled server (dist/dashboard), or dist/ when run from sources. */
export function dashboardDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of [join(here, 'dashboard'), join(here, '..', '..', 'dist', 'dashboard')]) {
    if (existsSync(join(d, 'index.html'))) return d;
  }
  return null;
}

interface Asset { body: Buffer; type: string }

function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    const p = join(dir, name);
    if (type && statSync(p).isFile()) out.set(name, { body: readFileSync(p), type });
  }
  return out;
}

function reply(res: ServerResponse, status: number, type: string, body: Buffer | string, method: string): true {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * Returns a handler for GET|HEAD / and /ui/*: true when it answered (404 for an unknown asset, 503 when
 * the dashboard was not built), false for any other path (left to the API).
 */
export function dashboardHandler(dir: string | null = dashboardDir()): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  let assets: Map<string, Asset> | null = null;
  return (req, res, path) => {
    const method = req.method ?? 'GET';
    if ((method !== 'GET' && method !== 'HEAD') || (path !== '/' && !path.startsWith('/ui/'))) return false;
    if (dir === null) return reply(res, 503, 'text/plain; charset=utf-8', 'the dashboard is not built: run `npm run build`\n', method);
    assets ??= loadAssets(dir);
    const a = assets.get(path === '/' ? 'index.html' : path.slice('/ui/'.length));
    if (!a) return reply(res, 404, 'text/plain; charset=utf-8', 'not found\n', method);
    return reply(res, 200, a.type, a.body, method);
  };
}
