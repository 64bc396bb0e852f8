// Attacks on the audit log that its own chain cannot see: the log rewritten together with its checkpoints,
// the tail cut together with the checkpoints over it, an older copy swapped in, the anchor removed. The
// anchored head in kernel.db catches each at boot (EIO naming the file and the seqs) and in
// `aios audit verify`; `acceptAuditRollback` is the operator's audited way past it.
import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { boot } from 'aios';
import { encodeEntry, leafHash, toHex, utf8, GENESIS_PREV, type AuditEntry } from '@aios/trust';
import { bootSecure, tempDir, agentSource, runSec } from '../security/helpers.ts';
import { readAuditFiles, verifyAuditFolder } from '../../apps/node/src/security/index.ts';

const AUDIT = (dir: string) => join(dir, 'audit');
const RECORDS = (dir: string) => join(AUDIT(dir), 'records.jsonl');
const CHECKPOINTS = (dir: string) => join(AUDIT(dir), 'checkpoints.jsonl');
let base = '';
let older = ''; // a copy of base's audit folder from an earlier, shorter state

async function work(dir: string, agents: number): Promise<void> {
  const s = await bootSecure(dir, { checkpointEvery: 5 });
  for (let i = 0; i < agents; i++) {
    const id = await s.node.spawn(agentSource(`ctx.log('agent ${i}');`), { name: `w${i}` });
    await s.node.wait(id);
  }
  await s.stop();
}

async function copyOf(src: string): Promise<string> {
  const d = tempDir();
  await fs.cp(src, d, { recursive: true });
  return d;
}

const lines = async (dir: string) => (await fs.readFile(RECORDS(dir), 'utf8')).split('\n').filter(Boolean);
const cps = async (dir: string) => (await fs.readFile(CHECKPOINTS(dir), 'utf8')).split('\n').filter(Boolean);

/** Re-chains lines after an edit, the way an attacker without the anchor would (prev = leaf hash of the line before). */
function rechain(ls: string[]): string[] {
  let prev = GENESIS_PREV;
  return ls.map((l) => {
    const line = encodeEntry({ ...(JSON.parse(l) as AuditEntry), prev });
    prev = toHex(leafHash(utf8(line)));
    return line;
  });
}

async function refused(dir: string): Promise<{ code: string; message: string; detail: Record<string, unknown> }> {
  const e = await boot({ dataDir: dir, config: { services: false } }).then(async (n) => {
    await n.shutdown();
    return null;
  }, (x: unknown) => x);
  expect(e, 'boot must be refused').not.toBeNull();
  return e as { code: string; message: string; detail: Record<string, unknown> };
}

beforeAll(async () => {
  base = tempDir();
  await work(base, 3);
  older = tempDir();
  await fs.cp(AUDIT(base), AUDIT(older), { recursive: true });
  await work(base, 3);
});

describe('attacks - audit log rollback', () => {
  it('attacks - an untouched folder boots, verifies with its anchor, and the head is measured into the registers', async () => {
    const dir = await copyOf(base);
    const r = await verifyAuditFolder(dir);
    expect(r).toMatchObject({ ok: true, anchor: { ok: true, status: 'ok' } });
    expect(r.anchor!.anchoredSeq).toBe(r.records); // clean shutdown anchors the final checkpoint
    const s = await bootSecure(dir);
    const q = s.sec.quote().quote;
    expect(q.eventLog.some((e) => e.index === 5 && /audit log verified against its anchor/.test(e.description))).toBe(true);
    await s.stop();
  });

  it('attacks - checkpoints deleted and the chain recomputed over an edited record: boot is EIO (head differs)', async () => {
    const dir = await copyOf(base);
    const ls = await lines(dir);
    ls[2] = ls[2]!.replace('"result":"ok"', '"result":"EPERM"');
    await fs.writeFile(RECORDS(dir), rechain(ls).join('\n') + '\n');
    await fs.rm(CHECKPOINTS(dir));
    const e = await refused(dir);
    expect(e.code).toBe('EIO');
    expect(e.message).toContain('records.jsonl');
    expect(e.detail).toMatchObject({ status: 'head-differs', anchoredSeq: ls.length, logSeq: ls.length });
    const cli = await runSec(['audit', 'verify', '--data-dir', dir]);
    expect(cli.code).toBe(9);
    expect(cli.err.join('\n')).toContain('anchor');
  });

  it('attacks - only the checkpoint file deleted: boot is EIO (anchored checkpoint missing)', async () => {
    const dir = await copyOf(base);
    await fs.rm(CHECKPOINTS(dir));
    const e = await refused(dir);
    expect(e).toMatchObject({ code: 'EIO', detail: { status: 'checkpoint-missing' } });
  });

  it('attacks - the tail cut together with the checkpoints over it: boot is EIO (log shorter than the anchor)', async () => {
    const dir = await copyOf(base);
    const all = await lines(dir);
    const keep = JSON.parse((await cps(dir))[1]!) as { treeSize: number };
    await fs.writeFile(RECORDS(dir), all.slice(0, keep.treeSize).join('\n') + '\n');
    await fs.writeFile(CHECKPOINTS(dir), (await cps(dir)).filter((c) => JSON.parse(c).treeSize <= keep.treeSize).join('\n') + '\n');
    // The log alone is consistent: only the anchor knows it was longer.
    const { lines: l2, checkpoints } = await readAuditFiles(dir);
    expect(l2.length).toBe(keep.treeSize);
    expect(checkpoints.every((c) => c.treeSize <= keep.treeSize)).toBe(true);
    const e = await refused(dir);
    expect(e).toMatchObject({ code: 'EIO', detail: { status: 'shorter', anchoredSeq: all.length, logSeq: keep.treeSize } });
    expect(e.message).toContain(`seq ${keep.treeSize}`);
    expect(e.message).toContain(`seq ${all.length}`);
    expect((await verifyAuditFolder(dir)).anchor).toMatchObject({ ok: false, status: 'shorter' });
  });

  it('attacks - the whole log replaced by an older copy: boot is EIO', async () => {
    const dir = await copyOf(base);
    await fs.rm(AUDIT(dir), { recursive: true });
    await fs.cp(AUDIT(older), AUDIT(dir), { recursive: true });
    const e = await refused(dir);
    expect(e).toMatchObject({ code: 'EIO', detail: { status: 'shorter' } });
  });

  it('attacks - the anchor removed from kernel.db while a log exists: boot is EIO (anchor missing)', async () => {
    const dir = await copyOf(base);
    const db = new Database(join(dir, 'kernel.db'));
    db.prepare("DELETE FROM node_state WHERE key = 'audit.anchor'").run();
    db.close();
    const e = await refused(dir);
    expect(e).toMatchObject({ code: 'EIO', detail: { status: 'missing' } });
  });

  it('attacks - an anchor forged in kernel.db (not signed by the node key) is refused', async () => {
    const dir = await copyOf(base);
    const db = new Database(join(dir, 'kernel.db'));
    const row = db.prepare("SELECT value FROM node_state WHERE key = 'audit.anchor'").get() as { value: string };
    const a = JSON.parse(row.value);
    a.checkpoint.signature = a.checkpoint.signature.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A'));
    db.prepare("UPDATE node_state SET value = ? WHERE key = 'audit.anchor'").run(JSON.stringify(a));
    db.close();
    expect(await refused(dir)).toMatchObject({ code: 'EIO', detail: { status: 'forged' } });
  });

  it('attacks - acceptAuditRollback boots anyway, records the override, re-anchors; the next boot needs no flag', async () => {
    const dir = await copyOf(base);
    const all = await lines(dir);
    const keep = JSON.parse((await cps(dir))[0]!) as { treeSize: number };
    await fs.writeFile(RECORDS(dir), all.slice(0, keep.treeSize).join('\n') + '\n');
    await fs.writeFile(CHECKPOINTS(dir), (await cps(dir)).slice(0, 1).join('\n') + '\n');
    const node = await boot({ dataDir: dir, config: { acceptAuditRollback: true, services: false } });
    const rec = node.audit().find((r) => r.syscall === 'AuditRollbackAccepted');
    expect(rec).toMatchObject({ result: 'ok', detail: { status: 'shorter', anchoredSeq: all.length, logSeq: keep.treeSize } });
    await node.shutdown();
    const stored = (await lines(dir)).map((l) => JSON.parse(l) as AuditEntry);
    expect(stored.some((r) => r.syscall === 'AuditRollbackAccepted')).toBe(true);
    expect(await verifyAuditFolder(dir)).toMatchObject({ ok: true, anchor: { ok: true } });
    const again = await boot({ dataDir: dir, config: { services: false } });
    await again.shutdown();
  });
});
