// `aios mem` end to end: the MEM_COMMANDS handlers against the /v1/mem routes (handleMemRoute) of a
// booted node with memoryd, over real HTTP. The last test runs the built CLI once it wires `mem`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiosError, HTTP_STATUS_BY_CODE, isAiosError } from '@aios/abi';
import { handleMemRoute } from '../../apps/node/src/api/mem-routes.ts';
import { MEM_COMMANDS } from '../../apps/cli/src/cli/mem-commands.ts';
import { writeNodeFile, writeToken } from '../../apps/node/src/node/data-dir.ts';
import { aios, bootNode, ensureBuilt, stopNode, CLI } from '../e2e/cli-helpers.ts';
import { bootMemNode, type MemNode } from './helpers.ts';

let m: MemNode;
let server: Server;
let dir: string;

beforeAll(async () => {
  m = await bootMemNode();
  dir = mkdtempSync(join(tmpdir(), 'aios-memcli-'));
  const token = writeToken(dir);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fail = (e: unknown) => {
      const err = isAiosError(e) ? (e as AiosError) : new AiosError('EIO', String(e));
      res.writeHead(HTTP_STATUS_BY_CODE[err.code], { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: err.toJSON() }));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return fail(new AiosError('EPERM', 'token'));
    handleMemRoute(m.node.host, req, res, url).then((ok) => { if (!ok) fail(new AiosError('ENOENT', 'no route')); }, fail);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  writeNodeFile(dir, { pid: process.pid, port, host: '127.0.0.1', startedAt: Date.now() } as never);
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  m?.registry.close();
  await m?.node.shutdown();
});

async function mem(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const values: Record<string, string | boolean | undefined> = { 'data-dir': dir };
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') values.json = true;
    else if (a.startsWith('--')) values[a.slice(2)] = argv[++i];
    else pos.push(a);
  }
  try {
    const code = await MEM_COMMANDS.mem!.run(values, pos, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } catch (e) {
    return { code: -1, out, err: [`${(e as AiosError).code}`] };
  }
}

describe('memory - aios mem commands', () => {
  it('memory - mem put prints the id; search prints the best item first; get prints the text', async () => {
    const car = await mem('put', 'I parked the car in the garage on level three');
    expect(car.code).toBe(0);
    expect(car.out[0]).toMatch(/^[0-9a-f-]{36}$/);
    await mem('put', 'The cat sleeps on the sofa');
    await mem('put', 'Quarterly revenue grew by twelve percent');
    const s = await mem('search', 'automobile');
    expect(s.code).toBe(0);
    expect(s.out[0]!.startsWith(car.out[0]!)).toBe(true);
    const j = await mem('search', '--k', '1', '--json', 'automobile');
    expect(JSON.parse(j.out[0]!)).toHaveLength(1);
    expect((await mem('get', car.out[0]!)).out).toEqual(['I parked the car in the garage on level three']);
    expect((await mem('get', 'missing-id')).err).toEqual(['ENOENT']);
    expect((await mem('search', '--k', '0', 'x')).err).toEqual(['EINVAL']);
    expect((await mem('frob')).err).toEqual(['EINVAL']);
  });

  it('memory - mem ls lists namespaces; export then import into another namespace round-trips', async () => {
    await mem('put', '--ns', 'notes', 'Paris is the capital of France');
    await mem('put', '--ns', 'notes', 'Berlin is the capital of Germany');
    const ls = await mem('ls', '--json');
    expect(JSON.parse(ls.out[0]!).map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['cli', 'notes']));
    const ex = await mem('export', '--ns', 'notes');
    expect(ex.out).toHaveLength(3);
    const file = join(dir, 'notes.jsonl');
    writeFileSync(file, ex.out.join('\n') + '\n');
    const im = await mem('import', '--ns', 'copy', file);
    expect(im.out).toEqual(['imported 2, updated 0, unchanged 0, skipped 0']);
    const s = await mem('search', '--ns', 'copy', '--json', 'German city');
    expect(JSON.parse(s.out[0]!)[0].item.text).toContain('Berlin');
    expect((await mem('import', join(dir, 'nope.jsonl'))).err).toEqual(['ENOENT']);
  });
});

// The built CLI against `aios boot` (npm test builds first; ensureBuilt covers a direct vitest run).
describe('memory - built CLI', () => {
  it('memory - aios mem put / search / export / import against aios boot', async () => {
    ensureBuilt();
    const node = await bootNode();
    try {
      const put = await aios(['mem', 'put', 'I parked the car in the garage'], node.dataDir);
      expect(put.code, put.stderr).toBe(0);
      await aios(['mem', 'put', 'The cat sleeps on the sofa'], node.dataDir);
      const s = await aios(['mem', 'search', 'automobile'], node.dataDir);
      expect(s.stdout.split('\n')[0]!.startsWith(put.stdout.trim())).toBe(true);
      const ex = await aios(['mem', 'export'], node.dataDir);
      const file = join(node.dataDir, 'x.jsonl');
      writeFileSync(file, ex.stdout);
      const im = await aios(['mem', 'import', '--ns', 'copy', file], node.dataDir);
      expect(im.stdout.trim()).toBe('imported 2, updated 0, unchanged 0, skipped 0');
    } finally {
      await stopNode(node);
    }
  }, 60_000);
});
