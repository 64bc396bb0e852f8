// `aios audit tail|grep` on a large log: the reader streams the file (chunks, line by line) and keeps
// only what it returns, so the log stays readable whatever its size.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { createWriteStream, mkdirSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { tempDir, runSec } from './helpers.ts';
import { grepRecords, tailRecords } from '../../apps/node/src/security/audit-store.ts';

const N = 300_000;
let dir = '';

beforeAll(async () => {
  dir = tempDir();
  mkdirSync(join(dir, 'audit'), { recursive: true });
  const out = createWriteStream(join(dir, 'audit', 'records.jsonl'));
  for (let i = 1; i <= N; i++) {
    const line = JSON.stringify({ seq: i, time: i, agent: i % 50, syscall: i % 1000 === 0 ? 'AgentKill' : 'IPCSend', object: `agent:${i % 7}`, result: 'ok', prev: 'x'.repeat(64) }) + '\n';
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.write('{"seq":'); // a torn last line (a writer still running)
  await new Promise<void>((r) => out.end(() => r()));
}, 60_000);

describe('security audit - streaming reader', () => {
  it('security audit - tail and grep never read the whole log into one string', async () => {
    const whole = vi.spyOn(fsp, 'readFile');
    try {
      await tailRecords(dir, 5);
      await grepRecords(dir, 'AgentKill');
      expect(whole).not.toHaveBeenCalled();
    } finally {
      whole.mockRestore();
    }
  });

  it('security audit - tail of a large log returns the last n complete records in order', async () => {
    const t = await tailRecords(dir, 3);
    expect(t.map((r) => r.seq)).toEqual([N - 2, N - 1, N]);
    expect((await tailRecords(dir, 1))[0]!.seq).toBe(N);
  });

  it('security audit - grep of a large log streams and returns only the matches', async () => {
    const hits = await grepRecords(dir, '"AgentKill"');
    expect(hits).toHaveLength(N / 1000);
    expect(hits[0]!.seq).toBe(1000);
    await expect(grepRecords(dir, '(')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('security audit - the CLI tails a large log', async () => {
    const r = await runSec(['audit', 'tail', '-n', '2', '--data-dir', dir, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out.join('')) as Array<{ seq: number }>).map((x) => x.seq)).toEqual([N - 1, N]);
  });
});
