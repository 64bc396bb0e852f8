// End-to-end tests of the `aios` commands cli.test.ts does not cover (logs --follow, top, svc, ask/intents,
// spawn --durable recovery, release, audit), each against a real node booted by the built CLI in a child process.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aios, bootNode, CLI, ensureBuilt, FIXTURES, ROOT, tempDataDir, type BootedNode } from './cli-helpers.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined; generous limits, no timing assertion. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 200, everyMs = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await pause(everyMs);
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface Unit { name: string; state: string; agent: number | null; restarts: number }
interface Agent { id: number; name: string; state: string; exitCode: number | null }

async function units(dataDir: string): Promise<Unit[]> {
  const r = await aios(['svc', 'ls', '--json'], dataDir);
  if (r.code !== 0) throw new Error(`svc ls failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Unit[];
}

async function agents(dataDir: string): Promise<Agent[]> {
  const r = await aios(['ps', '--json'], dataDir);
  if (r.code !== 0) throw new Error(`ps failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Agent[];
}

const SERVICES = ['agentsupervisor', 'memoryd', 'semantic-ipcd'];

async function servicesUp(dataDir: string): Promise<void> {
  await until('services active', async () => {
    const us = await units(dataDir);
    return SERVICES.every((n) => us.find((u) => u.name === n)?.state === 'active') ? true : undefined;
  });
}

/** Boots `aios boot --port 0` on a given (possibly reused) data folder; resolves once the node said "node up". */
async function bootOn(dataDir: string): Promise<BootedNode> {
  const proc = spawn(process.execPath, [CLI, 'boot', '--port', '0', '--data-dir', dataDir], { cwd: ROOT });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 600; i++) {
    if (out.includes('aios: node up at') && existsSync(join(dataDir, 'node.json'))) {
      const { port } = JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as { port: number };
      return { proc, dataDir, port, output: () => out };
    }
    if (proc.exitCode !== null) break;
    await pause(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`node did not boot:\n${out}`);
}

/**
 * SIGINT, then waits for the graceful shutdown to finish ("node stopped", node.json removed). The process then
 * lingers up to 10 s on the shutdown's uncleared initd-wait timer (apps/node/src/node/boot.ts), so once the node
 * has stopped we end that lingering process ourselves rather than spend the time. Resolves with the log.
 */
async function stopGracefully(node: BootedNode): Promise<string> {
  const gone = () => node.proc.exitCode !== null || node.proc.signalCode !== null;
  if (gone()) return node.output();
  const exited = new Promise<void>((resolve) => node.proc.once('exit', () => resolve()));
  node.proc.kill('SIGINT');
  await until('node stopped', async () => (gone() || (node.output().includes('aios: node stopped') && !existsSync(join(node.dataDir, 'node.json'))) ? true : undefined), 600, 50);
  if (!gone()) node.proc.kill('SIGKILL');
  await exited;
  return node.output();
}

describe('e2e - more CLI commands against one running node', () => {
  let node: BootedNode;
  beforeAll(async () => {
    ensureBuilt();
    node = await bootNode();
    await servicesUp(node.dataDir);
  }, 60_000);
  afterAll(async () => {
    if (node) await stopGracefully(node);
  }, 60_000);

  it('e2e - logs --follow prints lines as they come and returns when the agent exits', async () => {
    const sp = await aios(['spawn', join(FIXTURES, 'more-ticker.ts'), '--name', 'more-ticker', '--json'], node.dataDir);
    expect(sp.code, sp.stderr).toBe(0);
    const { id } = JSON.parse(sp.stdout) as { id: number };
    // The ticker logs 'ticker ready', then waits for one message before ticking.
    await until('ticker ready', async () => ((await aios(['logs', String(id)], node.dataDir)).stdout.includes('ticker ready') ? true : undefined));

    const follow = spawn(process.execPath, [CLI, 'logs', String(id), '--follow', '--data-dir', node.dataDir], { cwd: ROOT });
    const chunks: string[] = [];
    let stderr = '';
    follow.stdout.on('data', (d) => chunks.push(String(d)));
    follow.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => follow.on('close', (code) => resolve(code ?? -1)));
    const guard = setTimeout(() => follow.kill('SIGKILL'), 45_000);
    try {
      // The backlog is printed first; only then does --follow subscribe, so the ticks start after that.
      await until('follow backlog', async () => (chunks.join('').includes('ticker ready') ? true : undefined));
      expect((await aios(['send', String(id), 'go'], node.dataDir)).code).toBe(0);
      const code = await exited;
      expect(code, stderr).toBe(0);
    } finally {
      clearTimeout(guard);
    }

    const out = chunks.join('');
    const lines = out.split('\n').filter(Boolean);
    expect(lines[0]).toBe('ticker ready');
    expect(lines.at(-1)).toBe('ticker done');
    const ticks = lines.filter((l) => l.startsWith('tick ')).map((l) => Number(l.slice(5)));
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.at(-1)).toBe(19);
    ticks.forEach((t, i) => i > 0 && expect(t).toBe(ticks[i - 1]! + 1)); // in order, none lost once subscribed
    // Streamed, not dumped at the end: the ticks arrived in more than one read.
    expect(chunks.filter((c) => c.includes('tick ')).length).toBeGreaterThan(1);

    const row = await until('ticker exit', async () => (await agents(node.dataDir)).find((a) => a.id === id && a.state === 'zombie'));
    expect(row.exitCode).toBe(0);
  }, 60_000);

  it('e2e - top --once --json prints one frame of live agents with numeric scheduling figures', async () => {
    const r = await aios(['top', '--once', '--json'], node.dataDir);
    expect(r.code, r.stderr).toBe(0);
    const outLines = r.stdout.trim().split('\n');
    expect(outLines).toHaveLength(1);
    const rows = JSON.parse(outLines[0]!) as Array<Record<string, unknown>>;
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((a) => a.name)).toEqual(expect.arrayContaining(['initd', ...SERVICES]));
    for (const a of rows) {
      expect(typeof a.state).toBe('string');
      expect(['zombie', 'dead']).not.toContain(a.state);
      for (const k of ['weight', 'vruntime', 'cpuMs', 'share']) expect(typeof a[k], `${String(a.name)}.${k}`).toBe('number');
      expect(a.share as number).toBeGreaterThanOrEqual(0);
      expect(a.share as number).toBeLessThanOrEqual(1);
    }
    const total = rows.reduce((s, a) => s + (a.share as number), 0);
    expect(total).toBeCloseTo(1, 5);
  }, 30_000);

  it('e2e - top --once prints a table with a SHARE column; --interval below 100 ms is EINVAL (exit 4)', async () => {
    const r = await aios(['top', '--once'], node.dataDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ID\s+NAME\s+STATE.*\bSHARE\b/);
    expect(r.stdout).toMatch(/\bmemoryd\b.*\d+\.\d%/);
    expect(r.stdout).not.toContain('\x1b[2J'); // --once does not clear the screen
    const bad = await aios(['top', '--once', '--interval', '5'], node.dataDir);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('EINVAL');
    const notNumber = await aios(['top', '--once', '--interval', 'soon', '--json'], node.dataDir);
    expect(notNumber.code).toBe(4);
    expect(JSON.parse(notNumber.stderr).error.code).toBe('EINVAL');
  }, 30_000);

  it('e2e - ask routes by meaning through the CLI; intents lists the intent; out of scope is ENOROUTE (exit 6)', async () => {
    // The demo's translator (apps/cli/demo), spawned under another name through the real CLI.
    const sp = await aios(['spawn', join(FIXTURES, '..', '..', '..', 'apps', 'cli', 'demo', 'translator.ts'), '--name', 'e2e-translator', '--json'], node.dataDir);
    expect(sp.code, sp.stderr).toBe(0);
    const { id } = JSON.parse(sp.stdout) as { id: number };
    const row = await until('intent registered', async () => {
      const r = await aios(['intents', '--json'], node.dataDir);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Array<{ agent: number; agentName: string; intent: string }>).find((x) => x.agent === id);
    });
    expect(row).toMatchObject({ agentName: 'translator', intent: 'translate' }); // the name its manifest declares

    const human = await aios(['intents'], node.dataDir);
    expect(human.stdout).toMatch(/AGENT\s+NAME\s+INTENT/);
    expect(human.stdout).toMatch(new RegExp(`^${id}\\s+translator\\s+translate\\s`, 'm'));

    const ask = await aios(['ask', 'how do you say thank you in Italian'], node.dataDir);
    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.stdout.trim()).toBe('thank you -> grazie');
    const askJson = await aios(['ask', 'give me the Italian for good morning', '--json'], node.dataDir);
    expect(askJson.code, askJson.stderr).toBe(0);
    expect(JSON.parse(askJson.stdout)).toBe('good morning -> buongiorno');

    const off = await aios(['ask', 'what is the boiling point of tungsten in kelvin'], node.dataDir);
    expect(off.code).toBe(6);
    expect(off.stderr).toContain('ENOROUTE');
    // Without --json, the refusal says why: the best candidate's score against the threshold.
    expect(off.stderr).toMatch(/no route: best '[^']+' \d\.\d\d (<|>=) threshold \d\.\d\d/);
    const noText = await aios(['ask'], node.dataDir);
    expect(noText.code).toBe(4);
    expect(noText.stderr).toContain('EINVAL');
  }, 60_000);

  it('e2e - intents --status names the embedder; the boot output holds no raw JSON', async () => {
    const st = await aios(['intents', '--status'], node.dataDir);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/^embedder: [\w.-]+/m);
    expect(st.stdout).not.toMatch(/^embedder: (true|false)$/m);
    expect(st.stdout).not.toContain('embedderName');
    expect(node.output()).toContain('ready: started'); // initd is up: its lines are in the output
    expect(node.output()).not.toMatch(/\{"/); // quiet by default: no JSON object in the human output
  }, 30_000);

  it('e2e - attest prints a summary by default and the quote as JSON with --json', async () => {
    const human = await aios(['attest'], node.dataDir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^quote signed by \S+/);
    expect(human.stdout).toMatch(/register 0: [0-9a-f]{16}/);
    expect(human.stdout.trimStart().startsWith('{')).toBe(false);
    const json = await aios(['attest', '--json'], node.dataDir);
    expect(json.code, json.stderr).toBe(0);
    const q = JSON.parse(json.stdout) as { quote: { keyId: string; registers: string[] } };
    expect(q.quote.registers.length).toBeGreaterThan(0);
    expect(human.stdout).toContain(q.quote.keyId);
  }, 30_000);

  it('e2e - release of an agent that is not quarantined is EINVAL (exit 4); of a missing one ESRCH (exit 6)', async () => {
    const sp = await aios(['spawn', join(FIXTURES, 'more-keeper.ts'), '--name', 'more-keeper-rel', '--json'], node.dataDir);
    expect(sp.code, sp.stderr).toBe(0);
    const { id } = JSON.parse(sp.stdout) as { id: number };
    const r = await aios(['release', String(id)], node.dataDir);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('EINVAL');
    const byName = await aios(['release', 'more-keeper-rel', '--json'], node.dataDir);
    expect(byName.code).toBe(4);
    expect(JSON.parse(byName.stderr).error.code).toBe('EINVAL');
    const missing = await aios(['release', '99999'], node.dataDir);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain('ESRCH');
    expect((await aios(['kill', String(id)], node.dataDir)).code).toBe(0);
  }, 30_000);

  it('e2e - svc ls shows the services active and svc graph --dot prints DOT', async () => {
    const us = await units(node.dataDir);
    for (const n of SERVICES) expect(us.find((u) => u.name === n), n).toMatchObject({ state: 'active', agent: expect.any(Number), restarts: 0 });
    const table = await aios(['svc', 'ls'], node.dataDir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/UNIT\s+STATE\s+AGENT/);
    const dot = await aios(['svc', 'graph', '--dot'], node.dataDir);
    expect(dot.code, dot.stderr).toBe(0);
    expect(dot.stdout.trimStart().startsWith('digraph')).toBe(true);
    for (const n of SERVICES) expect(dot.stdout).toContain(`"${n}"`);
    expect(dot.stdout.trimEnd().endsWith('}')).toBe(true);
  }, 30_000);

  it('e2e - svc restart gives a unit a new agent; an automatic restart counts in restarts; unknown units fail', async () => {
    const before = (await units(node.dataDir)).find((u) => u.name === 'memoryd')!;
    const r = await aios(['svc', 'restart', 'memoryd'], node.dataDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('started memoryd');
    const restarted = await until('memoryd active again', async () => (await units(node.dataDir)).find((u) => u.name === 'memoryd' && u.state === 'active' && u.agent !== before.agent));
    expect(restarted.agent).not.toBe(before.agent);
    // An operator restart is not counted (like systemd's NRestarts); a policy restart after the agent dies is.
    expect((await aios(['kill', String(restarted.agent)], node.dataDir)).code).toBe(0);
    const again = await until('memoryd restarted by policy', async () => (await units(node.dataDir)).find((u) => u.name === 'memoryd' && u.state === 'active' && u.agent !== restarted.agent));
    expect(again.restarts).toBe(restarted.restarts + 1);

    const unknown = await aios(['svc', 'restart', 'no-such-unit'], node.dataDir);
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain('ENOENT');
    const badAction = await aios(['svc', 'frobnicate'], node.dataDir);
    expect(badAction.code).toBe(4);
    expect(badAction.stderr).toContain('EINVAL');
    const noName = await aios(['svc', 'restart', '--json'], node.dataDir);
    expect(noName.code).toBe(4);
    expect(JSON.parse(noName.stderr).error.code).toBe('EINVAL');
  }, 60_000);

  it('e2e - audit verify passes on the data folder after activity; audit tail -n 3 --json prints 3 records', async () => {
    const v = await aios(['audit', 'verify'], node.dataDir);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^audit log ok: \d+ records/);
    const vj = await aios(['audit', 'verify', '--json'], node.dataDir);
    expect(vj.code).toBe(0);
    expect(JSON.parse(vj.stdout)).toMatchObject({ ok: true, records: expect.any(Number) });
    const t = await aios(['audit', 'tail', '-n', '3', '--json'], node.dataDir);
    expect(t.code, t.stderr).toBe(0);
    const recs = JSON.parse(t.stdout) as Array<{ seq: number; syscall: string; result: string; agent: number }>;
    expect(recs).toHaveLength(3);
    for (const rec of recs) expect(rec).toMatchObject({ seq: expect.any(Number), syscall: expect.any(String), result: expect.any(String) });
    expect(recs[1]!.seq).toBe(recs[0]!.seq + 1);
    expect(recs[2]!.seq).toBe(recs[1]!.seq + 1);
    const badN = await aios(['audit', 'tail', '-n', '0'], node.dataDir);
    expect(badN.code).toBe(4);
    expect(badN.stderr).toContain('EINVAL');
  }, 30_000);
});

describe('e2e - durable agents survive a node restart', () => {
  beforeAll(() => ensureBuilt(), 60_000);

  it('e2e - spawn --durable, SIGINT, boot again on the same data folder: the agent is recovered', async () => {
    const dataDir = tempDataDir();
    const first = await bootOn(dataDir);
    let second: BootedNode | undefined;
    try {
      const sp = await aios(['spawn', join(FIXTURES, 'more-keeper.ts'), '--durable', '--name', 'more-keeper', '--json'], dataDir);
      expect(sp.code, sp.stderr).toBe(0);
      const { id } = JSON.parse(sp.stdout) as { id: number };
      expect((await agents(dataDir)).find((a) => a.id === id)).toMatchObject({ name: 'more-keeper' });
      expect(await stopGracefully(first)).toContain('aios: node stopped');

      second = await bootOn(dataDir);
      expect(second.output()).toMatch(/recovered durable agent more-keeper#\d+/);
      const back = await until('recovered agent in ps', async () => (await agents(dataDir)).find((a) => a.name === 'more-keeper' && a.state !== 'zombie' && a.state !== 'dead'));
      expect(back.name).toBe('more-keeper');
      // It is alive, not just listed: it handles a message sent to it by name.
      expect((await aios(['send', 'more-keeper', 'after restart'], dataDir)).code).toBe(0);
      await until('recovered agent logs', async () => ((await aios(['logs', 'more-keeper'], dataDir)).stdout.includes('keeper got: after restart') ? true : undefined));
    } finally {
      await stopGracefully(first);
      if (second) expect(await stopGracefully(second)).toContain('aios: node stopped');
    }
  }, 60_000);
});
