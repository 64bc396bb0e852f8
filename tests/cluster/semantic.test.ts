// Cross-node semantic IPC on real nodes: an agent's plain runtime ask() / multicast() / negotiate() on node a
// reaches intents on b (another process of the built CLI) and c; a tie goes local; the remote node's allow policy
// sees the asker as NAME@NODE; after kill -9 of b the next ask is answered by c's replica; ENOROUTE when no node
// has a match.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boot, type AiosNode } from 'aios';
import { clusterOf } from '../../apps/node/src/node/cluster.ts';
import { NATS_URL as URL, CLI, until } from './helpers.ts';

const COOKIE = 'xsem-test-cookie';
const PREFIX = `xs${randomBytes(4).toString('hex')}`;
// Node b (a CLI process) beats at the default 1 s: down only after 6 s without one, so a loaded machine does not take it for dead.
const timing = { heartbeatMs: 200, suspectMs: 3_000, downMs: 6_000 };


// 'whoami' replicas, 'census' on every node (bids cost `cost`), 'stamp_passport' on b only, 'secret' on c only.
const WHOAMI = (tag: string) => `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'who-${tag}', intents: [{ name: 'whoami', description: 'tells which replica answered',
    examples: ['which replica are you', 'who is answering'], handle() { return { replica: '${tag}' }; } }] });`;
const CENSUS = (tag: string, cost: number) => `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'census-${tag}', intents: [{ name: 'census', description: 'count the people living in a town',
    examples: ['how many people live here', 'count the population'], handle(p) { return { counted: '${tag}', town: p?.town }; },
    bid() { return { cost: ${cost}, timeMs: 10 }; } }] });`;
const PASSPORT = `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'passport-b', intents: [{ name: 'stamp_passport', description: 'stamp a travel passport at the border',
    examples: ['please stamp my passport', 'I need an entry stamp in my passport', 'stamp this passport for entry'],
    handle(p, ctx) { return { stamped: p.number, by: 'b', asker: ctx.from }; } }] });`;
const SECRET = `
  import { defineAgent } from '@aios/runtime';
  export default defineAgent({ name: 'secret-c', intents: [{ name: 'open_vault', description: 'open the bank vault',
    examples: ['open the vault', 'unlock the bank vault'], handle() { return { opened: true }; } }] });`;

// A plain agent using the runtime's ask/multicast/negotiate/award; replies {id, ok, result|error} to handles[0].
const ASKER = `
  import { defineAgent } from '@aios/runtime';
  import { ask, multicast, negotiate, award } from '@aios/runtime/ipc';
  import { ipcSend } from '@aios/runtime/kernel';
  export default defineAgent({ name: 'sem-asker', async onMessage(msg) {
    const req = msg.json();
    let body;
    try {
      let result;
      const o = { timeoutMs: 30000 }; // generous: a loaded machine may be slow to see a node down
      if (req.fn === 'ask') result = await ask(req.text, req.payload, o);
      else if (req.fn === 'multicast') result = await multicast(req.text, req.payload, o);
      else if (req.fn === 'negotiate') result = await negotiate(req.text, req.payload, o);
      else { const bids = await negotiate(req.text, req.payload, o); result = { bid: bids[0], answer: await award(bids[0], req.payload, o) }; }
      body = { id: req.id, ok: true, result };
    } catch (e) { body = { id: req.id, ok: false, error: { code: e.code ?? 'EIO', message: String(e.message), detail: e.detail } }; }
    ipcSend(msg.handles[0], new TextEncoder().encode(JSON.stringify(body)));
  } });`;

let a: AiosNode | null = null;
let c: AiosNode | null = null;
let child: ChildProcess | null = null;

afterAll(async () => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  await c?.shutdown();
  await a?.shutdown();
});

const clustered = (node: string, dataDir: string): Promise<AiosNode> =>
  boot({ dataDir, config: { services: true, api: false, cluster: { cluster: URL, node, cookie: COOKIE, prefix: PREFIX, ...timing } } });

describe('semantic IPC across nodes', () => {
  it('cross-node semantic - ask, tie, multicast, negotiate, remote policy, failover after kill -9, ENOROUTE', async () => {
    a = await clustered('a', mkdtempSync(join(tmpdir(), 'aios-xs-a-')));
    // c's semantic-ipcd lets a's asker reach whoami and census only: its allow policy sees 'sem-asker@a'.
    const cDir = mkdtempSync(join(tmpdir(), 'aios-xs-c-'));
    mkdirSync(join(cDir, 'units'), { recursive: true });
    writeFileSync(join(cDir, 'units', 'semantic-ipcd.json'), JSON.stringify({ name: 'semantic-ipcd', opts: { domain: 'native', config: {
      allow: [{ from: 'sem-asker@a', intents: ['whoami', 'census'] }],
    } } }));
    c = await clustered('c', cDir);
    child = spawn(process.execPath, [CLI, 'boot', '--cluster', URL, '--node', 'b', '--cookie', COOKIE, '--port', '0', '--cpus', '1'], {
      env: { ...process.env, AIOS_CLUSTER_PREFIX: PREFIX, AIOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aios-xs-b-')) }, stdio: 'ignore',
    });
    const ca = clusterOf(a.host)!;
    await until(() => ca.nodes().filter((n) => n.state === 'up').length === 3 && ca.nodes().find((n) => n.name === 'b')?.services.includes('networkd') === true, 60_000);

    const asker = await a.spawn({ source: ASKER }, { name: 'sem-asker', domain: 'native' });
    const run = <T>(fn: string, text: string, payload?: unknown): Promise<T> => a!.host.request<T>(asker, { fn, text, ...(payload !== undefined ? { payload } : {}) }, 60_000);

    // Agents on b (remote spawn into the child process) and c; c carries more agents, so b is the first replica.
    for (const [src, name] of [[PASSPORT, 'passport-b'], [WHOAMI('b'), 'who-b'], [CENSUS('b', 1), 'census-b']] as const) await ca.spawnOn('b', { source: src }, name);
    for (const [src, name] of [[WHOAMI('c'), 'who-c'], [CENSUS('c', 3), 'census-c'], [SECRET, 'secret-c']] as const) await c.spawn({ source: src }, { name, domain: 'native' });
    for (let i = 0; i < 6; i++) await c.spawn({ source: `import { defineAgent } from '@aios/runtime'; export default defineAgent({ name: 'idle-${i}', async onMessage() {} });` }, { name: `idle-${i}` });
    await clusterOf(c.host)!.publishAgents();
    await a.spawn({ source: CENSUS('a', 5) }, { name: 'census-a', domain: 'native' });

    // An intent only on b, reached by a plain ask() from a (by name, then by meaning); the asker is NAME@NODE there.
    await until(async () => (await run<{ ok: boolean }>('ask', 'stamp_passport', { number: 'X1' }).then(() => true, () => false)));
    expect(await run('ask', 'stamp_passport', { number: 'X1' })).toMatchObject({ stamped: 'X1', by: 'b' });
    expect(await run('ask', 'could you please stamp my passport', { number: 'X2' })).toMatchObject({ stamped: 'X2', by: 'b' });

    // Multicast reaches census on all three nodes (remote results carry their node).
    await until(async () => (await run<unknown[]>('multicast', 'census', { town: 'Pisa' })).length === 3);
    const all = await run<Array<{ ok: boolean; node?: string; result?: { counted: string } }>>('multicast', 'census', { town: 'Pisa' });
    expect(all.map((r) => [r.node ?? 'local', r.ok, r.result?.counted]).sort()).toEqual([['b', true, 'b'], ['c', true, 'c'], ['local', true, 'a']]);

    // Negotiate collects the bids of all nodes, cheapest first; awarding the remote winner is answered there.
    const bids = await run<Array<{ cost: number; node?: string }>>('negotiate', 'census', { town: 'Lucca' });
    expect(bids.map((b) => [b.cost, b.node ?? 'local'])).toEqual([[1, 'b'], [3, 'c'], [5, 'local']]);
    expect(await run('award', 'census', { town: 'Lucca' })).toMatchObject({ bid: { node: 'b', cost: 1 }, answer: { counted: 'b', town: 'Lucca' } });

    // c's allow policy refuses a's asker the intent it was not granted: EACCES from c, not a failover.
    await until(async () => (await run('ask', 'open_vault').then(() => 'ok', (e: { code?: string }) => e.code ?? 'x')) === 'EACCES');

    // Replicas on b and c: b first (c is busier); kill -9 of b, and the next ask is answered by c.
    await until(async () => ((await run<{ replica: string }>('ask', 'whoami')).replica === 'b'));
    child.kill('SIGKILL');
    const after = await run('ask', 'whoami').catch((e: unknown) => e);
    if ((after as { replica?: string }).replica !== 'c') {
      // What semantic-ipcd and networkd said, to tell a hung link from a wrong route.
      for (const p of a.ps()) if (p.name === 'semantic-ipcd' || p.name === 'networkd') console.log(p.name, a.logs(p.id));
      console.log('nodes', ca.nodes().map((n) => [n.name, n.state, n.lastSeenMs]));
    }
    expect(after).toEqual({ replica: 'c' });
    expect(await run('ask', 'which replica are you')).toEqual({ replica: 'c' });

    // A local replica ties with the remote one: local wins.
    await a.spawn({ source: WHOAMI('a') }, { name: 'who-a', domain: 'native' });
    await until(async () => ((await run<{ replica: string }>('ask', 'whoami')).replica === 'a'));
    expect(await run('ask', 'which replica are you')).toEqual({ replica: 'a' });

    // No node has a match: ENOROUTE (with the candidates that scored).
    await expect(run('ask', 'qzxv wpfk jrtl mmbd')).rejects.toMatchObject({ code: 'ENOROUTE' });

    // The routing decisions are in a's audit trail, remote ones with their node.
    const routes = a.audit().filter((r) => JSON.stringify(r).includes('"node":"b"') && JSON.stringify(r).includes('route'));
    expect(routes.length).toBeGreaterThan(0);
  }, 240_000);
});
