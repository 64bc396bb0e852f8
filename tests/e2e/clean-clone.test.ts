// A new user's first run, from a clean clone of the committed HEAD: `npm ci` (from the local npm cache), the
// README's quick start (`npm start`: build, boot a node, run the demo) and the "Using it" commands against that
// node through `npx aios` (ps, spawn, send, logs, ask, mem put/search, audit verify, kill). Skipped, saying why,
// outside a git checkout. Slow by nature (an install with native addons): one long test with a long timeout.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runProcess, type CliResult } from './cli-helpers.ts';

const git = spawnSync('git', ['-C', ROOT, 'rev-parse', '--show-toplevel', 'HEAD'], { encoding: 'utf8' });
const head = git.status === 0 ? git.stdout.trim().split('\n')[1] : undefined;
if (head === undefined) console.warn(`clean-clone test skipped: ${ROOT} is not a git checkout (git rev-parse: ${(git.stderr ?? String(git.error)).trim()})`);

// A fresh shell's environment: nothing inherited from the npm or vitest run that started this test.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|AIOS_|VITEST|NODE_OPTIONS$)/.test(k)));
env.CI = '1';

const run = (cmd: string, args: string[], cwd: string, timeoutMs: number) => runProcess(cmd, args, { cwd, env, timeoutMs });

let dir: string | undefined;
let node: ChildProcess | undefined;

afterAll(async () => {
  const running = () => node !== undefined && node.exitCode === null && node.signalCode === null;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-node!.pid!, s); // npm start and the node under it (their own process group)
    } catch {
      /* gone already */
    }
  };
  if (running() && node!.pid !== undefined) {
    const exited = new Promise((r) => node!.once('exit', r));
    signal('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (running()) signal('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe.skipIf(head === undefined)('e2e - a clean clone', () => {
  it('e2e - clean clone: npm ci, npm start (build, boot, demo), then the README commands through npx aios', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aios-clone-'));
    const repo = join(dir, 'aios');
    const data = join(dir, 'data');
    // The committed HEAD (not the working tree): what a user who clones gets.
    const clone = spawnSync('git', ['clone', '-q', '--no-checkout', ROOT, repo], { encoding: 'utf8' });
    expect(clone.status, clone.stderr).toBe(0);
    const co = spawnSync('git', ['-C', repo, 'checkout', '-q', head!], { encoding: 'utf8' });
    expect(co.status, co.stderr).toBe(0);

    const ci = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], repo, 600_000);
    expect(ci.code, `npm ci failed:\n${ci.stdout}\n${ci.stderr}`).toBe(0);
    expect(existsSync(join(repo, 'node_modules/.bin/aios'))).toBe(true);

    // The quick start: `npm start` (anything after -- goes to aios boot), in the foreground.
    node = spawn('npm', ['start', '--', '--port', '0', '--data-dir', data], { cwd: repo, env, detached: true });
    let out = '';
    node.stdout!.on('data', (d) => (out += d));
    node.stderr!.on('data', (d) => (out += d));
    for (let i = 0; i < 1800 && !/demo (finished;|failed)/.test(out) && node.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    // The demo's promised steps (tests/e2e/cli.test.ts checks each in detail).
    for (const re of [
      /greeter answered: hello, agent \d+! you said: hi there/,
      /send after revoke refused: EPERM/,
      /ML-DSA-65 signature of \d+ bytes verifies: true/,
      /good morning -> buongiorno/,
      /recalled for "where is the automobile\?": The coordinator parked its car in the blue garage\./,
      /supervisor notice: crasher trapped/,
      /a 65,537-byte message is refused: EMSGSIZE/,
      /demo finished; the node keeps running/,
    ]) expect(out, `npm start output:\n${out}`).toMatch(re);

    // "Using it", against that node, as the README writes the commands.
    const aios = (...args: string[]) => run('npx', ['aios', ...args, '--data-dir', data], repo, 60_000);
    writeFileSync(join(repo, 'agent.ts'), [
      "import { defineAgent } from '@aios/runtime';",
      '',
      'export default defineAgent({',
      "  name: 'greeter',",
      '  async onMessage(msg, ctx) {',
      '    ctx.log(`got ${msg.text()} from ${msg.from}`);',
      '  },',
      '});',
      '',
    ].join('\n'));
    const ok = (r: CliResult, what: string): CliResult => {
      expect(r.code, `${what}:\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r;
    };
    expect(ok(await aios('ps'), 'ps').stdout).toMatch(/memoryd/);
    ok(await aios('spawn', 'agent.ts', '--name', 'worker'), 'spawn');
    ok(await aios('send', 'worker', 'hello'), 'send');
    let logs = '';
    for (let i = 0; i < 100 && !logs.includes('got hello'); i++) {
      logs = ok(await aios('logs', 'worker'), 'logs').stdout;
      if (!logs.includes('got hello')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(logs).toMatch(/got hello from \d+/);
    // Semantic IPC from the shell needs an agent serving the intent: the demo's translator, spawned from the shell.
    ok(await aios('spawn', 'apps/cli/demo/translator.ts', '--name', 'translator'), 'spawn translator');
    expect(ok(await aios('ask', 'translate thank you into Italian'), 'ask').stdout).toMatch(/grazie/);
    ok(await aios('mem', 'put', 'my car is red'), 'mem put');
    expect(ok(await aios('mem', 'search', 'automobile'), 'mem search').stdout).toMatch(/my car is red/);
    expect(ok(await aios('audit', 'verify'), 'audit verify').stdout).toMatch(/ok|verified|intact/i);
    ok(await aios('kill', 'worker'), 'kill');
    const ps = JSON.parse(ok(await aios('ps', '-a', '--json'), 'ps -a').stdout) as Array<{ name: string; state: string }>;
    expect(ps.find((a) => a.name === 'worker')?.state).toMatch(/zombie|dead/);

    // Ctrl-C stops it cleanly: the node says so and removes node.json (npm itself may end by the signal).
    const exited = new Promise<[number | null, string | null]>((r) => node!.once('exit', (code, sig) => r([code, sig])));
    process.kill(-node.pid!, 'SIGINT');
    const [code, sig] = await exited;
    expect(code === 0 || sig === 'SIGINT', `npm start ended with ${code} ${sig}`).toBe(true);
    for (let i = 0; i < 100 && (existsSync(join(data, 'node.json')) || !out.includes('node stopped')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(data, 'node.json'))).toBe(false);
    expect(out).toContain('node stopped');
    expect(readFileSync(join(data, 'token'), 'utf8').length).toBeGreaterThan(0);
  }, 1_200_000);
});
