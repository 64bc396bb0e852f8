// networkd as a service on real nodes: initd starts it only when the node is clustered; agents ask through it
// across nodes (local first, then remote replicas); a node PROCESS killed with SIGKILL is failed over.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boot, type AiosNode } from 'aios';
import type { ClusterAskResult } from '@aios/abi';
import { clusterOf } from '../../apps/node/src/node/cluster.ts';
import { NATS_URL as URL, CLI, until } from './helpers.ts';

const COOKIE = 'networkd-test-cookie';
const PREFIX = `nd${randomBytes(4).toString('hex')}`;
// Node b (a CLI process) beats at the default 1 s: down only after 6 s without one, so a loaded machine does not take it for dead.
const timing = { heartbeatMs: 200, suspectMs: 3_000, downMs: 6_000 };


// Serves intent 'whoami' (answers the name it was given in config) and nothing else.
const SERVER = (tag: string) => `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'who-${tag}', intents: [{ name: 'whoami', description: 'tells which replica answered',
    examples: ['which replica are you'], handle() { return { replica: '${tag}' }; } }] });`;

// Calls networkd (source images import only @aios/runtime: call() with the op of the NETWORKD table) and replies {id, ok, result|error} to the request's reply handle.
const ASKER = `
  import { defineAgent } from '@aios/runtime';
  import { call } from '@aios/runtime/ipc';
  import { ipcSend, nsLookup } from '@aios/runtime/kernel';
  export default defineAgent({ name: 'nd-asker', async onMessage(msg) {
    const req = msg.json();
    let body;
    try {
      const result = await call(nsLookup('networkd'), { ...req.args, op: req.call }, { timeoutMs: 30000 });
      body = { id: req.id, ok: true, result };
    } catch (e) { body = { id: req.id, ok: false, error: { code: e.code ?? 'EIO', message: String(e.message), detail: e.detail } }; }
    ipcSend(msg.handles[0], new TextEncoder().encode(JSON.stringify(body)));
  } });`;

let a: AiosNode | null = null;
let c: AiosNode | null = null;
let plain: AiosNode | null = null;
let child: ChildProcess | null = null;

afterAll(async () => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  await plain?.shutdown();
  await c?.shutdown();
  await a?.shutdown();
});

const clustered = (node: string): Promise<AiosNode> =>
  boot({ dataDir: mkdtempSync(join(tmpdir(), `aios-nd-${node}-`)), config: { services: true, api: node === 'a', port: 0, cluster: { cluster: URL, node, cookie: COOKIE, prefix: PREFIX, ...timing } } });

async function units(n: AiosNode): Promise<Record<string, string>> {
  const rows = await n.host.request<Array<{ name: string; state: string }>>(n.initd!, { op: 'ls' });
  return Object.fromEntries(rows.map((r) => [r.name, r.state]));
}

describe('networkd - the cluster service', () => {
  it('networkd - initd starts it active on a clustered node and leaves it unavailable otherwise', async () => {
    a = await clustered('a');
    plain = await boot({ dataDir: mkdtempSync(join(tmpdir(), 'aios-nd-plain-')), config: { services: true } });
    expect((await units(a)).networkd).toBe('active');
    expect((await units(plain)).networkd).toBe('unavailable');
    await plain.shutdown();
    plain = null;
  }, 120_000);

  it('networkd - ask goes local first, then to a remote replica, and fails over after kill -9 of a node process', async () => {
    a ??= await clustered('a');
    c = await clustered('c');
    // Node b is another process of the built CLI.
    child = spawn(process.execPath, [CLI, 'boot', '--cluster', URL, '--node', 'b', '--cookie', COOKIE, '--port', '0', '--cpus', '1'], {
      env: { ...process.env, AIOS_CLUSTER_PREFIX: PREFIX, AIOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aios-nd-b-')) }, stdio: 'ignore',
    });
    const ca = clusterOf(a.host)!;
    await until(() => ca.nodes().filter((n) => n.state === 'up').length === 3 && ca.nodes().find((n) => n.name === 'b')?.services.includes('networkd') === true, 60_000);
    const asker = await a.spawn({ source: ASKER }, { name: 'nd-asker', domain: 'native' });
    const viaAgent = async <T>(call: string, args: Record<string, unknown>): Promise<T> => {
      const r = await a!.host.request<T>(asker, { call, args }, 40_000);
      return r;
    };
    // nodes: the three, as networkd sees them.
    const rows = await viaAgent<Array<{ name: string; state: string; self: boolean }>>('nodes', {});
    expect(rows.map((r) => [r.name, r.state, r.self])).toEqual([['a', 'up', true], ['b', 'up', false], ['c', 'up', false]]);
    // No node serves it yet: ENOROUTE.
    await expect(viaAgent('ask', { intent: 'whoami', timeoutMs: 3000 })).rejects.toMatchObject({ code: 'ENOROUTE' });
    // Remote spawn of replicas on b (the child process) and c.
    const sb = await viaAgent<{ address: string }>('spawn', { node: 'b', source: SERVER('b'), name: 'who-b' });
    expect(sb.address).toBe('who-b@b');
    await c.spawn({ source: SERVER('c') }, { name: 'who-c', domain: 'native' });
    await clusterOf(c.host)!.publishAgents();
    await until(async () => (await viaAgent<unknown[]>('lookup', { intent: 'whoami' })).length === 2, 60_000);
    // Remote replicas ordered by load then name: b first.
    const r1 = await viaAgent<ClusterAskResult>('ask', { intent: 'whoami', timeoutMs: 3000 });
    expect(r1).toMatchObject({ node: 'b', result: { replica: 'b' }, failedOver: [] });
    // kill -9 of b's process: once a sees b down, the next ask goes to the live replica on c.
    child.kill('SIGKILL');
    await until(() => ca.nodes().find((n) => n.name === 'b') === undefined || ca.nodes().find((n) => n.name === 'b')!.state === 'down');
    const r2 = await viaAgent<ClusterAskResult>('ask', { intent: 'whoami', timeoutMs: 3000 });
    expect(r2).toMatchObject({ node: 'c', result: { replica: 'c' } });
    // `aios spawn --node c FILE` through node a's API: the file's source runs on c.
    const file = join(mkdtempSync(join(tmpdir(), 'aios-nd-src-')), 'who.ts');
    writeFileSync(file, SERVER('cli'));
    // (async: node a's API runs in this process)
    const out = JSON.parse((await promisify(execFile)(process.execPath, [CLI, 'spawn', '--node', 'c', file, '--name', 'who-cli', '--json', '--data-dir', a.dataDir], { encoding: 'utf8' })).stdout);
    expect(out).toMatchObject({ node: 'c', address: 'who-cli@c' });
    expect(c.host.kernel.agents.get(out.id)?.name).toBe('who-cli');
    // A local replica wins over remote ones.
    await a.spawn({ source: SERVER('a') }, { name: 'who-a', domain: 'native' });
    await until(async () => (await viaAgent<ClusterAskResult>('ask', { intent: 'whoami', timeoutMs: 3000 })).node === 'local');
    expect(await viaAgent<ClusterAskResult>('ask', { intent: 'whoami', timeoutMs: 3000 })).toMatchObject({ node: 'local', result: { replica: 'a' } });
  }, 180_000);
});
