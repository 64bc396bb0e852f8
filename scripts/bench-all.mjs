#!/usr/bin/env node
// Runs every benchmark (bench/*.ts and bench/peers/erlang-*.ts) one after another, each in its own process
// with `npx tsx --conditions=aios-source`, in quick mode (add --full to pass it on), and prints one JSON
// array on stdout: per bench { name, file, ok, result } with the bench's own JSON, or { ok: false, error }.
// Progress goes to stderr. `--only NAME` (repeatable, or comma-separated) runs only the benches named
// (file name without .ts, e.g. tokens, ipc, erlang-spawn). Exit code 1 when any bench failed to run.
// Usage: npm run bench [-- --only tokens] [-- --full]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const full = args.includes('--full');
const only = new Set();
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only' && args[i + 1]) for (const n of args[++i].split(',')) only.add(n.trim());
  else if (args[i].startsWith('--only=')) for (const n of args[i].slice(7).split(',')) only.add(n.trim());
}

/** Files under bench/ that are helpers, not benchmarks (sim-llm-server is a server llm-sched starts). */
const HELPERS = new Set(['sim-llm-server.ts']);

/** bench/*.ts (not helpers) and bench/peers/erlang-*.ts (not the shared erlang.ts / erlang-common.ts). */
function benches() {
  const top = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts') && !HELPERS.has(f)).sort().map((f) => join(root, 'bench', f));
  const peers = readdirSync(join(root, 'bench', 'peers'))
    .filter((f) => /^erlang-.+\.ts$/.test(f) && f !== 'erlang-common.ts').sort().map((f) => join(root, 'bench', 'peers', f));
  return [...top, ...peers].map((file) => ({ name: file.split('/').pop().replace(/\.ts$/, ''), file }));
}

/** A bench prints one JSON document (maybe pretty, maybe after log lines): take the last one that parses. */
function lastJson(out) {
  const text = out.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    /* look for the last top-level document */
  }
  for (let i = text.lastIndexOf('\n{'); i >= 0; i = text.lastIndexOf('\n{', i - 1)) {
    try {
      return JSON.parse(text.slice(i + 1));
    } catch {
      if (i === 0) break;
    }
  }
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      /* none */
    }
  }
  return undefined;
}

const all = benches();
const unknown = [...only].filter((n) => !all.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(`bench-all: no bench named ${unknown.join(', ')} (have: ${all.map((b) => b.name).join(', ')})\n`);
  process.exit(2);
}
const chosen = only.size > 0 ? all.filter((b) => only.has(b.name)) : all;
const results = [];
chosen.forEach((b, i) => {
  process.stderr.write(`[${i + 1}/${chosen.length}] ${b.name} ... `);
  const t0 = Date.now();
  const r = spawnSync('npx', ['tsx', '--conditions=aios-source', b.file, ...(full ? ['--full'] : [])], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FULL: full ? '1' : '0' },
  });
  const secs = Math.round((Date.now() - t0) / 100) / 10;
  const file = relative(root, b.file);
  const json = r.status === 0 ? lastJson(r.stdout ?? '') : undefined;
  if (json !== undefined) {
    results.push({ name: b.name, file, ok: true, secs, result: json });
    process.stderr.write(`ok (${secs} s)\n`);
  } else {
    const why = r.error ? String(r.error) : r.status !== 0 ? `exit ${r.status ?? r.signal}` : 'no JSON on stdout';
    const tail = (r.stderr || r.stdout || '').trim().split('\n').slice(-8).join('\n');
    results.push({ name: b.name, file, ok: false, secs, error: `${why}${tail ? `: ${tail}` : ''}` });
    process.stderr.write(`FAILED (${why})\n`);
  }
});
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
process.exit(results.every((r) => r.ok) ? 0 : 1);
