// End-to-end: a real node booted by the real CLI, driven by the CLI and the HTTP API.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aios, bootNode, ensureBuilt, FIXTURES, stopNode, type BootedNode } from './cli-helpers.ts';

describe('e2e - a running node and the CLI', () => {
  let node: BootedNode;
  beforeAll(async () => {
    ensureBuilt();
    node = await bootNode();
  }, 60_000);
  afterAll(async () => {
    if (node) await stopNode(node);
  });

  it('e2e - the token is written with mode 0600 and the API refuses requests without it', async () => {
    expect(statSync(join(node.dataDir, 'token')).mode & 0o777).toBe(0o600);
    const res = await fetch(`http://127.0.0.1:${node.port}/v1/agents`);
    expect(res.status).toBe(401);
    const spec = await (await fetch(`http://127.0.0.1:${node.port}/openapi.json`)).json() as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toContain('/v1/agents');
  });

  it('e2e - spawn, ps, send, logs and kill work from another process', async () => {
    const sp = await aios(['spawn', join(FIXTURES, 'echo.ts'), '--name', 'echo', '--json'], node.dataDir);
    expect(sp.code, sp.stderr).toBe(0);
    const agent = JSON.parse(sp.stdout) as { id: number; name: string };
    expect(agent.name).toBe('echo');

    const ps = await aios(['ps', '--json'], node.dataDir);
    expect(ps.code).toBe(0);
    const list = JSON.parse(ps.stdout) as Array<Record<string, unknown>>;
    const row = list.find((a) => a.id === agent.id)!;
    expect(row).toMatchObject({ name: 'echo', domain: expect.any(String), state: expect.any(String) });
    expect(typeof row.cpuMs).toBe('number');

    expect((await aios(['send', String(agent.id), 'hello node'], node.dataDir)).code).toBe(0);
    let lines = '';
    for (let i = 0; i < 50 && !lines.includes('echo: hello node'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = (await aios(['logs', 'echo'], node.dataDir)).stdout;
    }
    expect(lines).toContain('echo: hello node');

    const human = await aios(['ps'], node.dataDir);
    expect(human.stdout).toMatch(/ID\s+NAME\s+STATE/);

    expect((await aios(['kill', String(agent.id)], node.dataDir)).code).toBe(0);
    const after = JSON.parse((await aios(['ps', '--json'], node.dataDir)).stdout) as Array<{ id: number; state: string; exitCode: number }>;
    expect(after.find((a) => a.id === agent.id)).toMatchObject({ state: 'zombie', exitCode: 137 });
    // An exited agent keeps its name for logs (resolved among the zombies still kept).
    const gone = await aios(['logs', 'echo'], node.dataDir);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain('echo: hello node');
    expect((await aios(['logs', 'no-such-agent'], node.dataDir)).code).toBe(6); // ESRCH
  }, 60_000);

  it('e2e - errors print their code and exit with the code of their class', async () => {
    const missing = await aios(['kill', '99999'], node.dataDir);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain('ESRCH');
    const badFile = await aios(['spawn', join(FIXTURES, 'nope.ts')], node.dataDir);
    expect(badFile.code).toBe(6);
    expect(badFile.stderr).toContain('ENOENT');
    const badNice = await aios(['spawn', join(FIXTURES, 'echo.ts'), '--nice', '99'], node.dataDir);
    expect(badNice.code).toBe(4);
    expect(badNice.stderr).toContain('EINVAL');
    const usage = await aios(['send'], node.dataDir);
    expect(usage.code).toBe(2);
    const json = await aios(['kill', '99999', '--json'], node.dataDir);
    expect(JSON.parse(json.stderr).error.code).toBe('ESRCH');
  }, 60_000);
});

describe('e2e - commands without a node', () => {
  beforeAll(() => ensureBuilt(), 60_000);

  it('e2e - every command has --help', async () => {
    for (const cmd of ['boot', 'run', 'spawn', 'ps', 'kill', 'send', 'logs']) {
      const r = await aios([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain(`aios ${cmd}`);
    }
  }, 60_000);

  it('e2e - run prints the log and exits with the agent exit code', async () => {
    const r = await aios(['run', join(FIXTURES, 'exit3.ts')]);
    expect(r.stdout).toContain('about to exit with 3');
    expect(r.code).toBe(3);
    const t = await aios(['run', join(FIXTURES, 'thrower.ts'), '--json']);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('"type":"exit"');
  }, 60_000);

  it('e2e - ps without a running node says so (ESRCH, exit 6)', async () => {
    const r = await aios(['ps'], join(FIXTURES, 'no-such-dir'));
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('no running node');
  });

  it('e2e - boot --demo shows every step the README promises (greeter reply, 64 KiB shared, revoke refused, ML-DSA, model, semantic ask, recall by meaning, a goal made into a plan and carried out, trap notice, EMSGSIZE) and Ctrl-C shuts down cleanly', async () => {
    const node = await bootNode(['--demo']);
    for (let i = 0; i < 900 && !/demo (finished;|failed)/.test(node.output()); i++) await new Promise((r) => setTimeout(r, 50));
    const out = node.output();
    /** The first line where `agent` logged text matching `re` (the test fails, printing the output, when none). */
    const said = (agent: string, re: RegExp): RegExpMatchArray => {
      const m = new RegExp(`\\[${agent}#\\d+\\] ${re.source}`).exec(out);
      expect(m, `${agent} should log ${re}; output:\n${out}`).not.toBeNull();
      return m!;
    };
    // Every demo agent runs sandboxed in the wasm domain.
    for (const name of ['coordinator', 'greeter', 'reader', 'translator', 'notebook', 'crasher']) expect(out).toMatch(new RegExp(`agent ${name}#\\d+ started in the wasm domain \\(sandboxed\\)`));
    // 1. The greeter replies through the reply handle it was given.
    said('coordinator', /greeter answered: hello, agent \d+! you said: hi there/);
    // 2. 64 KiB (at least 65,536 bytes) shared by handle, mapped and read whole by the reader.
    const shared = said('coordinator', /reader counted (\d+) words in (\d+) shared bytes/);
    expect(Number(shared[2])).toBeGreaterThanOrEqual(65_536);
    expect(Number(shared[1])).toBe(13_500);
    said('reader', /mapped a shared region at 0x[0-9a-f]+ without copying it through IPC: 13500 words/);
    // 3. Revocation: at least one handle revoked, and the reader's next send refused with EPERM.
    expect(Number(said('coordinator', /revoked (\d+) handle\(s\)/)[1])).toBeGreaterThanOrEqual(1);
    said('reader', /send after revoke refused: EPERM/);
    expect(out).not.toContain('send after revoke worked');
    // 4. ML-DSA-65 signing off the kernel thread, and the signature verifies.
    said('coordinator', /ML-DSA-65 signature of \d+ bytes verifies: true/);
    // 4b. The model device answers (the offline stand-in computes 6 * 7).
    const model = said('coordinator', /model \S+ answered "([^"]*)"/);
    if (!process.env.AIOS_LLM_BASE_URL) expect(model[1]).toBe('42');
    // 4c. Semantic IPC finds the translator by meaning.
    said('coordinator', /asked "how do you say good morning in Italian\?": good morning -> buongiorno/);
    // 4d. Recall by meaning: "automobile" finds the note about the car (not "nothing").
    said('coordinator', /recalled for "where is the automobile\?": The coordinator parked its car in the blue garage\./);
    // 4e. The planner makes a plan from a goal and carries it out: translate, then remember the translation (offline:
    // clauses matched by meaning, "it" wired to the step before's output).
    const made = said('coordinator', /planner \((offline|model)\) made a plan for "say good morning in Italian, then remember it": (.*)/);
    if (!process.env.AIOS_LLM_BASE_URL) {
      expect(made[1]).toBe('offline');
      expect(made[2]).toBe('s1 translate("say good morning in Italian"); s2 remember({"$step":"s1"}) after s1');
      said('coordinator', /plan [\w-]+ done: s1 done "good morning -> buongiorno"; s2 done "remembered \\"good morning -> buongiorno\\""/);
    } else {
      said('coordinator', /plan [\w-]+ (done|failed):/);
    }
    // 5. The crash becomes a trap notice to the supervisor; the node carries on.
    said('coordinator', /supervisor notice: crasher trapped \(trap: exception: cannot handle "boom"\)/);
    // 6. 65,537 bytes are refused with EMSGSIZE.
    said('coordinator', /a 65,537-byte message is refused: EMSGSIZE/);
    expect(out).toMatch(/agent coordinator#\d+ exited with code 0/);
    expect(out).toContain('demo finished; the node keeps running');
    const code = await stopNode(node, 'SIGINT');
    expect(code).toBe(0);
    expect(node.output()).toContain('node stopped');
    expect(() => readFileSync(join(node.dataDir, 'node.json'))).toThrow();
  }, 60_000);
});
