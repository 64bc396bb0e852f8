import { describe, it, expect, afterAll } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuditFileSink, loadOrCreateNodeKeySeed, RECORDS_FILE, CHECKPOINTS_FILE } from './index.ts';
import type { AuditEntryShape, SignedCheckpointShape } from './index.ts';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'aios-audit-file-'));
let n = 0;
const freshDir = () => path.join(root, `d${++n}`);
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const entry = (seq: number): AuditEntryShape => ({ seq, time: 1000 + seq, agent: 1, syscall: 'Log', object: null, result: 'ok', prev: '0'.repeat(64) });
const line = (e: AuditEntryShape) => JSON.stringify(e);
const cp = (treeSize: number): SignedCheckpointShape => ({ treeSize, rootHash: 'ab'.repeat(32), time: 5, keyId: 'cd'.repeat(32), signature: 'sig' });

describe('audit-file - JSONL sink', () => {
  it('audit-file - records and checkpoints are appended in order and read back verbatim', async () => {
    const dir = freshDir();
    const s = await createAuditFileSink({ dir, fsync: 'checkpoint' });
    for (let i = 1; i <= 5; i++) s.appendRecord(entry(i), line(entry(i)));
    s.appendCheckpoint(cp(5));
    s.appendRecord(entry(6), line(entry(6)));
    await s.flush();
    const { lines, checkpoints } = await s.readLines();
    expect(lines).toEqual([1, 2, 3, 4, 5, 6].map((i) => line(entry(i))));
    expect(checkpoints).toEqual([cp(5)]);
    expect((await s.readAll()).records[5]).toEqual(entry(6));
    await s.close();
    // reopen and continue: appends go after the existing lines
    const again = await createAuditFileSink({ dir, fsync: 'always' });
    again.appendRecord(entry(7), line(entry(7)));
    await again.close();
    expect((await fs.readFile(path.join(dir, RECORDS_FILE), 'utf8')).split('\n')).toHaveLength(8);
  });

  it('audit-file - queued lines are written by the batch timer without an explicit flush', async () => {
    const dir = freshDir();
    const s = await createAuditFileSink({ dir, fsync: 'never', flushIntervalMs: 1 });
    s.appendRecord(entry(1), line(entry(1)));
    for (let i = 0; i < 200 && !(await fs.readFile(path.join(dir, RECORDS_FILE), 'utf8')).length; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await fs.readFile(path.join(dir, RECORDS_FILE), 'utf8')).toBe(line(entry(1)) + '\n');
    await s.close();
  });

  it('audit-file - a torn last line (crash mid-write) is ignored on read and cut on reopen', async () => {
    const dir = freshDir();
    const s = await createAuditFileSink({ dir, fsync: 'never' });
    s.appendRecord(entry(1), line(entry(1)));
    await s.close();
    await fs.appendFile(path.join(dir, RECORDS_FILE), '{"seq":2,"ti');
    await fs.appendFile(path.join(dir, CHECKPOINTS_FILE), '{"treeSize":');
    const s2 = await createAuditFileSink({ dir, fsync: 'never' });
    expect((await s2.readLines()).lines).toEqual([line(entry(1))]);
    s2.appendRecord(entry(2), line(entry(2)));
    const back = await s2.readAll();
    expect(back.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(back.checkpoints).toEqual([]);
    await s2.close();
  });

  it('audit-file - a corrupt middle line is EIO on readAll; appending after close is EIO', async () => {
    const dir = freshDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, RECORDS_FILE), `${line(entry(1))}\nnot json\n${line(entry(3))}\n`);
    const s = await createAuditFileSink({ dir, fsync: 'never' });
    await expect(s.readAll()).rejects.toMatchObject({ code: 'EIO' });
    expect((await s.readLines()).lines).toHaveLength(3); // raw lines still reach the verifier, which names the bad one
    await s.close();
    expect(() => s.appendRecord(entry(4), line(entry(4)))).toThrow(expect.objectContaining({ code: 'EIO' }));
  });

  it('audit-file - the node key seed is created once (0600) and then stable', async () => {
    const dir = freshDir();
    let calls = 0;
    const random = (k: number) => {
      calls++;
      return Uint8Array.from({ length: k }, (_, i) => i + 1);
    };
    const a = await loadOrCreateNodeKeySeed(dir, random);
    const b = await loadOrCreateNodeKeySeed(dir, random);
    expect(b).toEqual(a);
    expect(calls).toBe(1);
    expect((await fs.stat(path.join(dir, 'node.key'))).mode & 0o777).toBe(0o600);
    await fs.writeFile(path.join(dir, 'node.key'), 'garbage');
    await expect(loadOrCreateNodeKeySeed(dir, random)).rejects.toMatchObject({ code: 'EIO' });
  });
});
