// Crash harness of the durable tests: a node as a child process (killed with any signal) and its HTTP API.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT } from '../e2e/cli-helpers.ts';

export interface NodeProc { kill: (sig: NodeJS.Signals) => Promise<void>; port: number; token: string; out: () => string }

export async function startNode(dataDir: string): Promise<NodeProc> {
  rmSync(join(dataDir, 'node.json'), { force: true });
  const proc = spawn(process.execPath, [CLI, 'boot', '--port', '0', '--data-dir', dataDir], { cwd: ROOT });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  for (let i = 0; i < 600 && !existsSync(join(dataDir, 'node.json')); i++) await new Promise((r) => setTimeout(r, 50));
  const { port } = JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as { port: number };
  const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
  return {
    port, token, out: () => out,
    kill: (sig) => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(sig);
    }),
  };
}

export async function api(node: { port: number; token: string }, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${node.port}${path}`, { method, headers: { authorization: `Bearer ${node.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}


/** The keys the storage device holds under got/ (written by the fixtures), listed by a checker agent. */
export async function recordedKeys(node: NodeProc): Promise<string[]> {
  const sp = await api(node, 'POST', '/v1/agents', { path: join(ROOT, 'tests/durable/checker.ts'), opts: { devices: ['storage'] } });
  const id = ((await sp.json()) as { id: number }).id;
  let lines: string[] = [];
  for (let i = 0; i < 40 && !lines.some((l) => l.startsWith('KEYS ')); i++) {
    await new Promise((r) => setTimeout(r, 50));
    lines = ((await (await api(node, 'GET', `/v1/agents/${id}/logs`)).json()) as { lines: string[] }).lines;
  }
  return JSON.parse(lines.find((l) => l.startsWith('KEYS '))!.slice(5)) as string[];
}
