// End-to-end: an agent reaches a local HTTP server through @aios/runtime/net only when granted
// (127.0.0.1 by address); a host not granted, a name resolving to a private address (localhost),
// and a redirect to a host not granted are EACCES and audited; bodies stream; timeouts hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createTestHost, runAgent } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';

let host: KernelHost;
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'agent', method: req.method }));
    if (req.url === '/redirect-out') return res.writeHead(302, { location: 'http://example.org/' }).end();
    if (req.url === '/redirect-in') return res.writeHead(302, { location: '/json' }).end();
    if (req.url === '/stream') {
      res.writeHead(200);
      let i = 0;
      const t = setInterval(() => { res.write(`chunk${i}\n`); if (++i === 3) { clearInterval(t); res.end(); } }, 5);
      return;
    }
    if (req.url === '/slow') return; // never answers
    res.writeHead(404).end('no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  host = createTestHost();
});
afterAll(async () => {
  host.shutdown();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const agent = (body: string): string => `
import { defineAgent } from '@aios/runtime';
import { fetch } from '@aios/runtime/net';
const code = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code ?? String(e); } };
export default defineAgent({ name: 'net-test', async main(ctx) { const out = await (async () => { ${body} })(); ctx.log('OUT ' + JSON.stringify(out)); } });
`;
const out = (logs: string[]): unknown => JSON.parse(logs.find((l) => l.startsWith('OUT '))?.slice(4) ?? JSON.stringify(logs));

describe('io net', () => {
  it('io net - a granted local server (127.0.0.1 granted by address) is reached with the familiar Response shape', async () => {
    const r = await runAgent(host, agent(`
      const res = await fetch('http://127.0.0.1:${'${PORT}'}/json', { method: 'POST', body: 'x' });
      const j = await res.json();
      const red = await fetch('http://127.0.0.1:${'${PORT}'}/redirect-in');
      const s = await fetch('http://127.0.0.1:${'${PORT}'}/stream');
      const chunks = [];
      for await (const c of s.body) chunks.push(new TextDecoder().decode(c));
      return { status: res.status, ok: res.ok, type: res.headers.get('Content-Type'), j, redirected: red.redirected, redStatus: red.status, streamed: chunks.join('') };
    `.replaceAll('${PORT}', String(port))), { net: [`127.0.0.1:${port}`] });
    expect(out(r.logs)).toEqual({ status: 200, ok: true, type: 'application/json', j: { hello: 'agent', method: 'POST' }, redirected: true, redStatus: 200, streamed: 'chunk0\nchunk1\nchunk2\n' });
    const recs = host.kernel.audit.records((x) => x.agent === r.id && x.syscall === 'NetFetch');
    expect(recs.map((x) => [x.result, x.detail?.method, x.detail?.status])).toEqual([['ok', 'POST', 200], ['ok', 'GET', 200], ['ok', 'GET', 200]]);
    expect(recs.every((x) => x.detail?.host === `127.0.0.1:${port}` && typeof x.detail?.ms === 'number')).toBe(true);
  });

  it('io net - hosts not granted, private addresses by name, and redirects out are EACCES and audited', async () => {
    const r = await runAgent(host, agent(`
      return {
        otherPort: await code(fetch('http://127.0.0.1:1/')),
        otherHost: await code(fetch('http://example.org/')),
        byName: await code(fetch('http://localhost:${'${PORT}'}/json')),
        redirectOut: await code(fetch('http://127.0.0.1:${'${PORT}'}/redirect-out')),
        scheme: await code(fetch('file:///etc/passwd')),
      };
    `.replaceAll('${PORT}', String(port))), { net: [`127.0.0.1:${port}`] });
    expect(out(r.logs)).toEqual({ otherPort: 'EACCES', otherHost: 'EACCES', byName: 'EACCES', redirectOut: 'EACCES', scheme: 'EACCES' });

    // localhost is granted by name, but it resolves to loopback: refused on the resolved address.
    const byName = await runAgent(host, agent(`return await code(fetch('http://localhost:${port}/json'));`), { net: [`localhost:${port}`] });
    expect(out(byName.logs)).toBe('EACCES');
    const rec = host.kernel.audit.records((x) => x.agent === byName.id && x.syscall === 'NetFetch')[0]!;
    expect(rec.result).toBe('EACCES');
    expect(rec.detail?.class).toBe('loopback');
    // a wildcard grant never covers an address
    const wild = await runAgent(host, agent(`return await code(fetch('http://127.0.0.1:${port}/json'));`), { net: ['*'] });
    expect(out(wild.logs)).toBe('EACCES');
    // no net device at all
    const none = await runAgent(host, agent(`return await code(fetch('http://127.0.0.1:${port}/json'));`));
    expect(out(none.logs)).toBe('EACCES');
  });

  it('io net - a spawner hands on only grants it holds; timeouts and aborts end a request', async () => {
    const r = await runAgent(host, `
      import { defineAgent, spawn } from '@aios/runtime';
      import { fetch } from '@aios/runtime/net';
      const code = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code ?? String(e); } };
      export default defineAgent({ name: 'net-parent', async main(ctx) {
        const widen = await code(spawn({ source: 'x' }, { net: ['example.org'] }));
        const timeout = await code(fetch('http://127.0.0.1:${port}/slow', { timeoutMs: 50 }));
        const ac = new AbortController();
        const p = code(fetch('http://127.0.0.1:${port}/slow', { signal: ac.signal }));
        ac.abort();
        const aborted = await p;
        ctx.log('OUT ' + JSON.stringify({ widen, timeout, aborted }));
      } });
    `, { net: [`127.0.0.1:${port}`], capabilities: ['spawn'], domain: 'native' });
    expect(out(r.logs)).toEqual({ widen: 'EPERM', timeout: 'ETIMEDOUT', aborted: 'ECANCELED' });
  });

  it('io net - requests per second are a quota (EQUOTA past it)', async () => {
    const r = await runAgent(host, agent(`
      const got = [];
      for (let i = 0; i < 3; i++) got.push(await code(fetch('http://127.0.0.1:${port}/json').then((x) => x.text())));
      return got;
    `), { net: [`127.0.0.1:${port}`], quotas: { netRequestsPerSec: 2 } });
    expect(out(r.logs)).toEqual(['ok', 'ok', 'EQUOTA']);
  });
});
