// The audit anchor under crashes: a node killed with SIGKILL while it writes audit records (spawns and
// messages over the API, checkpoints cut every second) must boot again without a false rollback alarm,
// because the anchor in kernel.db is written only after the checkpoint it names is on disk (it may lag
// the log, never lead it). After the last restart the folder verifies, anchor included.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, aios, ensureBuilt, tempDataDir } from '../e2e/cli-helpers.ts';

interface Node { port: number; token: string; out: () => string; kill: (sig: NodeJS.Signals) => Promise<void> }

async function startNode(dataDir: string): Promise<Node> {
  rmSync(join(dataDir, 'node.json'), { force: true });
  const proc = spawn(process.execPath, [CLI, 'boot', '--port', '0', '--data-dir', dataDir], { cwd: ROOT });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  // Up means the API answers and initd has started the services (the 'node up' line).
  for (let i = 0; i < 2400 && !/node up at/.test(out) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(join(dataDir, 'node.json')) || !/node up at/.test(out)) {
    proc.kill('SIGKILL');
    throw new Error(`node did not boot:\n${out}`);
  }
  const { port } = JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as { port: number };
  return {
    port, token: readFileSync(join(dataDir, 'token'), 'utf8').trim(), out: () => out,
    kill: (sig) => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(sig);
    }),
  };
}

const api = (n: Node, method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${n.port}${path}`, { method, headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

const SOURCE = `import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'burst', async main(ctx) { ctx.log('hi'); } });`;

describe('durable - kill -9 while the audit log grows', () => {
  it('durable - every restart after SIGKILL boots (no false rollback) and the log verifies with its anchor', async () => {
    ensureBuilt();
    const dataDir = tempDataDir();
    for (let round = 0; round < 2; round++) {
      const node = await startNode(dataDir);
      expect(node.out()).not.toMatch(/rollback detected/);
      let stop = false;
      let acked = 0;
      const burst = (async () => {
        while (!stop) {
          try {
            const r = await api(node, 'POST', '/v1/agents', { source: SOURCE, opts: { name: `b${round}-${acked}` } });
            if (r.status === 201) acked++;
          } catch {
            return; // the node is gone
          }
        }
      })();
      // Past at least one automatic checkpoint (one a second), then killed mid-burst.
      const started = Date.now();
      while (acked < 8 + round * 4 || Date.now() - started < 1500) await new Promise((r) => setTimeout(r, 10));
      await node.kill('SIGKILL');
      stop = true;
      await burst;
    }
    const last = await startNode(dataDir);
    await last.kill('SIGINT');
    const v = await aios(['audit', 'verify', '--json'], dataDir);
    const report = JSON.parse(v.stdout) as { ok: boolean; anchor: { ok: boolean; anchoredSeq: number }; records: number };
    expect(report).toMatchObject({ ok: true, anchor: { ok: true } });
    expect(report.anchor.anchoredSeq).toBe(report.records); // the clean stop anchored everything
    expect(v.code).toBe(0);
  }, 400_000);
});
