// `aios svc` end to end without the lead's server: a loopback HTTP server that serves
// handleSvcRoute over a test host running initd, and the svc command pointed at it
// through a temporary data folder.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHost } from '@aios/testkit';
import type { KernelHost } from '@aios/kernel';
import { HTTP_STATUS_BY_CODE, type AiosError } from '@aios/abi';
import { handleSvcRoute } from '../../apps/node/src/api/svc-routes.ts';
import { SVC_COMMANDS } from '../../apps/cli/src/cli/svc-commands.ts';
import { ensureDataDir, writeNodeFile, writeToken } from '../../apps/node/src/node/data-dir.ts';
import { INITD_PATH, until, WORKER } from './helpers.ts';

let host: KernelHost;
let server: Server;
let dir: string;

async function svc(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const flags: Record<string, string | boolean> = { 'data-dir': dir };
  const pos = args.filter((a) => !a.startsWith('--'));
  for (const a of args.filter((x) => x.startsWith('--'))) flags[a.slice(2)] = true;
  try {
    const code = await SVC_COMMANDS.svc!.run(flags, pos, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } catch (e) {
    return { code: -1, out, err: [(e as AiosError).code] };
  }
}

beforeAll(async () => {
  host = createTestHost();
  const unit = (name: string, extra = {}) => ({ name, image: { source: WORKER }, opts: { domain: 'native' }, ...extra });
  const initd = await host.spawn({ path: INITD_PATH }, { name: 'initd', domain: 'native', capabilities: ['spawn'], config: { defaults: false, units: [unit('db'), unit('api', { requires: ['db'] })] } });
  await until(() => host.logs(initd).some((l) => l.startsWith('ready:')), 'initd ready');
  server = createServer((req, res) => {
    handleSvcRoute(host, req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
      .then((done) => { if (!done) { res.writeHead(404); res.end('{}'); } })
      .catch((e: AiosError) => {
        const text = JSON.stringify({ error: e.toJSON() });
        res.writeHead(HTTP_STATUS_BY_CODE[e.code] ?? 500, { 'content-type': 'application/json' });
        res.end(text);
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  dir = mkdtempSync(join(tmpdir(), 'aios-svc-'));
  ensureDataDir(dir);
  writeToken(dir);
  const port = (server.address() as { port: number }).port;
  writeNodeFile(dir, { pid: process.pid, port, host: '127.0.0.1', startedAt: 0 });
});

afterAll(async () => {
  host.shutdown();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('svc - aios svc over HTTP to initd', () => {
  it('svc - ls prints a table of units', async () => {
    const r = await svc('ls');
    expect(r.code).toBe(0);
    expect(r.out[0]!.split('\n')[0]).toMatch(/^UNIT\s+STATE\s+AGENT/);
    expect(r.out[0]).toMatch(/\napi\s+active\s+\d+\s+on-failure/);
  });

  it('svc - stop, start and restart report the units they touched', async () => {
    expect((await svc('stop', 'db')).out).toEqual(['stopped api, db']);
    expect((await svc('start', 'api')).out).toEqual(['started db, api']);
    expect((await svc('start', 'api')).out).toEqual(['api: nothing to do']);
    expect((await svc('restart', 'db')).out).toEqual(['started db, api']);
    const j = await svc('stop', 'api', '--json');
    expect(JSON.parse(j.out[0]!)).toEqual({ unit: 'api', stopped: ['api'] });
  });

  it('svc - graph prints the tree and DOT', async () => {
    const r = await svc('graph');
    expect(r.out[0]).toContain('api [inactive]\n└── db [active]');
    expect(r.out[0]).toContain('digraph units {');
    expect((await svc('graph', '--dot')).out[0]!.startsWith('digraph')).toBe(true);
  });

  it('svc - errors: unknown unit ENOENT, unknown action and a missing name EINVAL', async () => {
    expect((await svc('start', 'ghost')).err).toEqual(['ENOENT']);
    expect((await svc('reboot')).err).toEqual(['EINVAL']);
    expect((await svc('stop')).err).toEqual(['EINVAL']);
  });
});
