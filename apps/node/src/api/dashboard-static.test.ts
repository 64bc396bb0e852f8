// The dashboard's static file handler on a real HTTP server: exact names only, content types, CSP, no token.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_CSP, dashboardHandler } from './dashboard-static.ts';

let server: Server | null = null;

async function serve(dir: string | null): Promise<string> {
  const handle = dashboardHandler(dir);
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!handle(req, res, path)) {
      res.writeHead(418);
      res.end('api');
    }
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

function builtDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'aios-dash-'));
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(d, 'app.js'), 'export {};');
  writeFileSync(join(d, 'style.css'), 'body{}');
  writeFileSync(join(d, 'secret.txt'), 'not served');
  return d;
}

describe('dashboard static files', () => {
  it('dashboard static - serves the page at / and assets under /ui/ with types and the CSP', async () => {
    const base = await serve(builtDir());
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/ui/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/ui/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('dashboard static - unknown names, other extensions and path tricks are 404; other paths go to the API', async () => {
    const base = await serve(builtDir());
    expect((await fetch(`${base}/ui/secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/ui/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/ui/..%2Fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/v1/agents`)).status).toBe(418);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(418);
  });

  it('dashboard static - 503 with a hint when the dashboard was not built', async () => {
    const base = await serve(null);
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build');
  });
});
