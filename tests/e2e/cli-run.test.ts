// `aios run` through the real CLI: --cap under the node's policy, errors keep their code and class exit code,
// a serving agent runs until --timeout and prints its exit record, the temporary folder is removed, and only
// the agent's own lines are printed (not the services').
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, FIXTURES, ROOT, ensureBuilt, type CliResult } from './cli-helpers.ts';

beforeAll(() => ensureBuilt());

/** Runs the CLI with a private TMPDIR (to see what `aios run` leaves behind) and extra environment. */
function run(args: string[], env: Record<string, string> = {}): Promise<CliResult & { tmp: string }> {
  const tmp = mkdtempSync(join(tmpdir(), 'aios-run-e2e-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp, AIOS_DATA_DIR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr, tmp });
    });
  });
}

describe('e2e - aios run', () => {
  it('e2e - --cap beyond the node policy is EACCES (exit 3), an unknown name EINVAL (exit 4); nothing runs', async () => {
    const admin = await run([join(FIXTURES, 'exit3.ts'), '--cap', 'spawn,admin', '--no-services']);
    expect(admin.code).toBe(3);
    expect(admin.stderr).toContain('EACCES');
    expect(admin.stderr).toContain('AIOS_SHELL_CAPS');
    const typo = await run([join(FIXTURES, 'exit3.ts'), '--cap', 'spwan', '--no-services']);
    expect(typo.code).toBe(4);
    expect(typo.stderr).toContain("'spwan' is not a capability");
    const allowed = await run([join(FIXTURES, 'exit3.ts'), '--cap', 'spawn,supervise', '--no-services']);
    expect(allowed.code).toBe(3); // the fixture's own exit code: it ran
    expect(allowed.stderr).toMatch(/exited with code 3/);
  }, 120_000);

  it("e2e - an agent's AiosError keeps its code in the exit record and run exits with its class's code", async () => {
    const r = await run([join(FIXTURES, 'enoroute.ts'), '--no-services']);
    expect(r.stderr).toContain('ENOROUTE: nobody serves that');
    expect(r.code).toBe(6); // lookup
  }, 60_000);

  it('e2e - a serving agent runs until --timeout, prints its exit record, and its temp folder is removed', async () => {
    const r = await run([join(FIXTURES, 'echo.ts'), '--timeout', '1500', '--json']);
    const exit = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason?: string; code?: number }).find((l) => l.type === 'exit');
    expect(exit).toMatchObject({ type: 'exit', code: 137 });
    expect(exit!.reason).toContain('timeout');
    expect(r.stdout).not.toContain('initd'); // services run, but their lines are not the agent's output
    expect(readdirSync(r.tmp).filter((f) => f.startsWith('aios-run-'))).toEqual([]);
  }, 60_000);

  it("e2e - an agent's relative image path resolves against its own file's folder, not the shell's", async () => {
    // The CLI runs from the repository root; './spawn-child.ts' exists only beside the parent fixture.
    // Both domains: the sandboxed one (its image folder) and the native one (which used to use the node's cwd).
    for (const domain of ['wasm', 'native']) {
      const r = await run([join(FIXTURES, 'spawn-parent.ts'), '--cap', 'spawn', '--domain', domain, '--no-services']);
      expect(r.stderr + r.stdout).not.toContain('ENOENT');
      expect(r.code).toBe(7); // the parent exits 7 only after the spawn succeeded
    }
  }, 60_000);
});
