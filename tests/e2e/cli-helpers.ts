// Helpers for end-to-end tests: run the built `aios` CLI, boot a node in a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'apps/cli/dist/cli.js');
export const FIXTURES = join(ROOT, 'tests/e2e/fixtures');

export function ensureBuilt(): void {
  if (!existsSync(CLI)) spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'aios-e2e-'));
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs a command to its end and collects its output; killed (SIGKILL) past timeoutMs. */
export function runProcess(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function aios(args: string[], dataDir?: string, timeoutMs = 30_000): Promise<CliResult> {
  // Without a data folder of its own, each call gets a fresh one (never ~/.aios, never the repository).
  const env = { ...process.env, AIOS_DATA_DIR: dataDir ? '' : tempDataDir() };
  return runProcess(process.execPath, [CLI, ...args, ...(dataDir ? ['--data-dir', dataDir] : [])], { cwd: ROOT, env, timeoutMs });
}

export interface BootedNode { proc: ChildProcess; dataDir: string; port: number; output: () => string }

/** Boots `aios boot --port 0` in a child process and waits until its node.json appears. */
export async function bootNode(extra: string[] = []): Promise<BootedNode> {
  const dataDir = tempDataDir();
  const proc = spawn(process.execPath, [CLI, 'boot', '--port', '0', '--data-dir', dataDir, ...extra], { cwd: ROOT });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 900; i++) {
    if (existsSync(join(dataDir, 'node.json'))) {
      const { port } = JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as { port: number };
      return { proc, dataDir, port, output: () => out };
    }
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`node did not boot:\n${out}`);
}

export function stopNode(node: BootedNode, signal: NodeJS.Signals = 'SIGINT'): Promise<number> {
  return new Promise((resolve) => {
    if (node.proc.exitCode !== null) return resolve(node.proc.exitCode);
    node.proc.once('exit', (code) => resolve(code ?? -1));
    node.proc.kill(signal);
  });
}
