// A network partition with Linux network namespaces: a NATS server of the test's own (JetStream, its own port)
// listens on one end of a veth pair; node c (a process of the built CLI) runs in a namespace behind it, nodes a
// and b in this process. Setting the veth link down cuts c off: a and b see it suspect, then down (`aios nodes
// --json`), requests to it fail with a clear error instead of hanging; link up heals it and c comes back up.
// Skipped, with the reason, where `ip netns` is not usable (not root, no iproute2, no nats-server) or the CLI is not built.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boot, type AiosNode } from 'aios';
import { clusterOf } from '../../apps/node/src/node/cluster.ts';
import { CLI } from './helpers.ts';

const NATS = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));
const tag = randomBytes(3).toString('hex');
const NS = `aiosp-${tag}`;
const VH = `aph${tag}`; // root side of the veth pair (names must stay under 16 characters)
const VN = `apn${tag}`; // namespace side
const NET = `10.${200 + randomInt(50)}.${randomInt(250)}`;
const HOST_IP = `${NET}.1`;
const NS_IP = `${NET}.2`;
const PORT = 20_000 + randomInt(10_000);
const COOKIE = 'partition-test-cookie';
const PREFIX = `pt${tag}`;
const timing = { heartbeatMs: 200, suspectMs: 2_000, downMs: 4_000 };

const sh = (cmd: string, ...args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** `aios nodes --json` against node a's API, which runs in this process (so never a synchronous exec). */
const aiosNodes = async (dataDir: string): Promise<Array<{ name: string; state: string }>> =>
  JSON.parse((await promisify(execFile)(process.execPath, [CLI, 'nodes', '--json', '--data-dir', dataDir], { encoding: 'utf8', timeout: 20_000 })).stdout) as Array<{ name: string; state: string }>;

/** Why the test cannot run here, or null. */
function unusable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (NATS === undefined) return 'no nats-server binary to run the test\'s own server';
  if (!existsSync(CLI)) return 'the CLI is not built (npm run build)';
  try {
    sh('ip', 'netns', 'add', `${NS}-probe`);
    sh('ip', 'netns', 'del', `${NS}-probe`);
    return null;
  } catch (e) {
    return `ip netns is not usable here: ${String((e as { stderr?: unknown }).stderr ?? (e as Error).message).trim().split('\n')[0]}`;
  }
}

const reason = unusable();
if (reason !== null) console.warn(`partition test skipped: ${reason}`);

let server: ChildProcess | null = null;
let child: ChildProcess | null = null;
let nodes: AiosNode[] = [];
const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

afterAll(async () => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  for (const n of nodes) await n.shutdown().catch(() => undefined);
  if (server !== null && server.exitCode === null) server.kill('SIGKILL');
  for (const args of [['netns', 'del', NS], ['link', 'del', VH]]) {
    try {
      sh('ip', ...args);
    } catch {
      /* already gone (deleting the namespace removes the pair) */
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const until = async (f: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(reason !== null)('cluster - partition (network namespaces)', () => {
  it('cluster - a node cut off goes suspect then down on the others, requests to it fail clearly, and it comes back after healing', async () => {
    // The namespace and its veth pair; the server listens on the root side only.
    sh('ip', 'netns', 'add', NS);
    sh('ip', 'link', 'add', VH, 'type', 'veth', 'peer', 'name', VN);
    sh('ip', 'link', 'set', VN, 'netns', NS);
    sh('ip', 'addr', 'add', `${HOST_IP}/30`, 'dev', VH);
    sh('ip', 'link', 'set', VH, 'up');
    sh('ip', 'netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', VN);
    sh('ip', 'netns', 'exec', NS, 'ip', 'link', 'set', VN, 'up');
    sh('ip', 'netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    server = spawn(NATS!, ['-a', HOST_IP, '-p', String(PORT), '-js', '-sd', tmp('aios-pt-js-')], { stdio: 'ignore' });
    const url = `nats://${HOST_IP}:${PORT}`;
    const cluster = (node: string) => ({ cluster: url, node, cookie: COOKIE, prefix: PREFIX, ...timing });
    // The server may take a moment to listen: boot retries until it joins.
    await until(async () => {
      try {
        nodes.push(await boot({ dataDir: tmp('aios-pt-a-'), config: { services: false, api: true, port: 0, cluster: cluster('a') } }));
        return true;
      } catch {
        return false;
      }
    }, 20_000);
    const a = nodes[0]!;
    nodes.push(await boot({ dataDir: tmp('aios-pt-b-'), config: { services: false, cluster: cluster('b') } }));
    child = spawn('ip', ['netns', 'exec', NS, process.execPath, CLI, 'boot', '--cluster', url, '--node', 'c', '--cookie', COOKIE, '--port', '0'], {
      env: { ...process.env, AIOS_CLUSTER_PREFIX: PREFIX, AIOS_DATA_DIR: tmp('aios-pt-c-') }, stdio: 'ignore',
    });
    const ca = clusterOf(a.host)!;
    const cb = clusterOf(nodes[1]!.host)!;
    const stateOf = (n: typeof ca, name: string) => n.nodes().find((x) => x.name === name)?.state;
    await until(() => stateOf(ca, 'c') === 'up' && stateOf(cb, 'c') === 'up', 30_000);
    // The link works before the cut: a spawns on c.
    const SINK = `import { defineAgent } from '@aios/runtime';
      export default defineAgent({ name: 's', async onMessage() {} });`;
    expect(await ca.spawnOn('c', { source: SINK }, 'before')).toMatchObject({ node: 'c', address: 'before@c' });

    // Cut c off. What a sees, sampled: up -> suspect -> down; b agrees.
    sh('ip', 'link', 'set', VH, 'down');
    const seen: string[] = [];
    const inFlight = ca.spawnOn('c', { source: SINK }, 'during').then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
    await until(() => {
      const s = stateOf(ca, 'c') ?? 'gone';
      if (seen.at(-1) !== s) seen.push(s);
      return s === 'down';
    }, 20_000);
    expect(seen.filter((s) => s !== 'up')).toEqual(['suspect', 'down']);
    await until(() => stateOf(cb, 'c') === 'down', 10_000);
    // The request in flight fails once c is down (EIO), and a new one fails at once: no hang.
    expect(await inFlight).toBe('EIO');
    await expect(ca.spawnOn('c', { source: SINK }, 'after')).rejects.toMatchObject({ code: 'EIO' });
    const listed = await aiosNodes(a.dataDir);
    expect(listed.find((n) => n.name === 'c')?.state).toBe('down');
    expect(listed.find((n) => n.name === 'b')?.state).toBe('up');

    // Heal: c's connection resumes, its heartbeats come back, and so does the link.
    sh('ip', 'link', 'set', VH, 'up');
    await until(() => stateOf(ca, 'c') === 'up' && stateOf(cb, 'c') === 'up', 30_000);
    const back = await aiosNodes(a.dataDir);
    expect(back.find((n) => n.name === 'c')?.state).toBe('up');
    await until(async () => (await ca.spawnOn('c', { source: SINK }, 'healed').then(() => true, () => false)), 20_000);
  }, 60_000);
});
