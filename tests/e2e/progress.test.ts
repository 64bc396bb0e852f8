// Progress of long work: the node reports it (a streamed reply with machine-readable progress lines when the
// client sends Accept: application/x-ndjson, fed by memoryd's progress events), and the CLI shows nothing extra
// when stderr is not a terminal or --json is given (the line itself is unit-tested in apps/cli/src/cli/progress.test.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aios, bootNode, ensureBuilt, stopNode, type BootedNode } from './cli-helpers.ts';

const ITEMS = 300; // more than one re-embedding batch (128), so several progress reports

let node: BootedNode;
let token: string;

const streamed = async (path: string, body: unknown): Promise<{ status: number; type: string; lines: any[] }> => {
  const r = await fetch(`http://127.0.0.1:${node.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type') ?? '', lines: text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) };
};

beforeAll(async () => {
  ensureBuilt();
  node = await bootNode();
  token = readFileSync(join(node.dataDir, 'token'), 'utf8').trim();
  for (let i = 0; i < 600 && !/initd#\d+\] ready/.test(node.output()); i++) await new Promise((r) => setTimeout(r, 100));
}, 90_000);

afterAll(async () => {
  if (node) await stopNode(node);
});

describe('e2e - progress of long work', () => {
  it('e2e - import and reembed: progress lines on the stream, none in non-terminal CLI output', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aios-progress-')), 'notes.jsonl');
    writeFileSync(file, Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ text: `note number ${i} about the garden` })).join('\n') + '\n');
    const imp = await aios(['mem', 'import', file], node.dataDir, 120_000);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toContain(`imported ${ITEMS}`);
    expect(imp.stderr).toBe(''); // not a terminal: no progress line

    // The API: progress lines { progress: { op, ns, done, total } }, rising to the total, then the result.
    const s = await streamed('/v1/mem/reembed', {});
    expect(s.status).toBe(200);
    expect(s.type).toMatch(/^application\/x-ndjson/);
    const progress = s.lines.filter((l) => 'progress' in l).map((l) => l.progress);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const p of progress) expect(p).toMatchObject({ op: 'reembed', ns: expect.any(String), done: expect.any(Number), total: ITEMS });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ done: ITEMS, total: ITEMS });
    expect(progress[0]).not.toHaveProperty('job');
    expect(s.lines.at(-1)).toEqual({ result: { ns: expect.any(String), count: ITEMS } });

    // A failure after the stream started is its last line.
    const bad = await streamed('/v1/mem/reembed', { ns: 'no-such-namespace' });
    expect(bad.lines.at(-1)).toMatchObject({ error: { code: expect.stringMatching(/^E[A-Z]+$/) } });

    // The CLI, not on a terminal: the result only.
    const cli = await aios(['mem', 'reembed'], node.dataDir, 120_000);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.trim()).toMatch(new RegExp(`^${ITEMS} items of .* re-embedded$`));
    expect(cli.stderr).toBe('');
    const asJson = await aios(['mem', 'reembed', '--json'], node.dataDir, 120_000);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ count: ITEMS });
    expect(asJson.stderr).toBe('');
  }, 240_000);
});
