// The persistent audit log of a real node: resume across boots, tamper detection (modified, deleted,
// inserted, reordered), offline inclusion proofs, tail and grep.
import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { bootSecure, tempDir, agentSource, runSec } from './helpers.ts';
import { verifyAuditFolder, readAuditFiles } from '../../apps/node/src/security/index.ts';
import { encodeEntry, leafHash, toHex, utf8, type AuditEntry } from '@aios/trust';

/** A record with the content of `like` (agent changed) chained right after `after`. */
function forged(after: string, like: string): string {
  const prev = toHex(leafHash(utf8(after)));
  return encodeEntry({ ...(JSON.parse(like) as AuditEntry), agent: 99, prev });
}

const RECORDS = (dir: string) => join(dir, 'audit', 'records.jsonl');
let base = '';

/** A data folder with a few dozen records from real syscalls, several checkpoints, closed cleanly. */
async function populated(dir: string, agents = 6): Promise<void> {
  const s = await bootSecure(dir, { checkpointEvery: 5 });
  for (let i = 0; i < agents; i++) {
    const id = await s.node.spawn(agentSource(`ctx.log('agent ${i}');`), { name: `worker${i}` });
    await s.node.wait(id);
  }
  await s.stop();
}

async function copyOf(src: string): Promise<string> {
  const d = tempDir();
  await fs.cp(src, d, { recursive: true });
  return d;
}

async function editLines(dir: string, f: (lines: string[]) => string[]): Promise<void> {
  const lines = (await fs.readFile(RECORDS(dir), 'utf8')).split('\n').filter(Boolean);
  await fs.writeFile(RECORDS(dir), f(lines).join('\n') + '\n');
}

beforeAll(async () => {
  base = tempDir();
  await populated(base);
});

describe('security audit - persistence', () => {
  it('security audit - a clean folder verifies offline and the CLI exits 0', async () => {
    const r = await verifyAuditFolder(base);
    expect(r).toMatchObject({ ok: true, keys: 1 });
    expect(r.records).toBeGreaterThanOrEqual(12);
    expect(r.checkpoints).toBeGreaterThanOrEqual(2);
    expect(r.signedPrefix).toBe(r.records); // the final checkpoint at close covers everything
    const cli = await runSec(['audit', 'verify', '--data-dir', base]);
    expect(cli.code).toBe(0);
    expect(cli.out[0]).toMatch(/^audit log ok: \d+ records/);
  });

  it('security audit - a second boot resumes the chain and continues the numbering', async () => {
    const dir = await copyOf(base);
    const before = (await readAuditFiles(dir)).lines.length;
    const s = await bootSecure(dir);
    expect(s.node.host.kernel.audit.seq).toBe(before);
    const id = await s.node.spawn(agentSource(`ctx.log('again');`));
    await s.node.wait(id);
    const ring = s.node.audit();
    await s.stop();
    const { lines } = await readAuditFiles(dir);
    expect(lines.length).toBeGreaterThan(before);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual(lines.map((_, i) => i + 1));
    // ring seq and persisted seq agree
    const last = ring[ring.length - 1]!;
    expect(JSON.parse(lines[last.seq - 1]!)).toMatchObject({ seq: last.seq, syscall: last.syscall, result: last.result });
    expect((await verifyAuditFolder(dir)).ok).toBe(true);
  });

  it('security audit - a node refuses to boot on a tampered log (EIO)', async () => {
    const dir = await copyOf(base);
    await editLines(dir, (ls) => ls.map((l, i) => (i === 2 ? l.replace('"result":"ok"', '"result":"EPERM"') : l)));
    await expect(bootSecure(dir)).rejects.toMatchObject({ code: 'EIO' });
  });
});

describe('security audit - tamper detection names the first bad record', () => {
  const cases: Array<[string, (ls: string[]) => string[], string, number]> = [
    ['modified', (ls) => ls.map((l, i) => (i === 4 ? l.replace(/"time":\d+/, '"time":1') : l)), 'modified', 5],
    ['deleted', (ls) => ls.filter((_, i) => i !== 4), 'deleted', 5],
    // A forged record linked properly to seq 4 and numbered 5, slipped in before the real seq 5.
    ['inserted', (ls) => [...ls.slice(0, 4), forged(ls[3]!, ls[4]!), ...ls.slice(4)], 'inserted', 5],
    ['reordered', (ls) => [...ls.slice(0, 4), ls[5]!, ls[4]!, ...ls.slice(6)], 'reordered', 5],
  ];
  for (const [name, edit, fault, seq] of cases) {
    it(`security audit - a ${name} record is found (fault ${fault}, seq ${seq}); the CLI exits 9 naming it`, async () => {
      const dir = await copyOf(base);
      await editLines(dir, edit);
      const r = await verifyAuditFolder(dir);
      expect(r).toMatchObject({ ok: false, fault, firstBadSeq: seq });
      const cli = await runSec(['audit', 'verify', '--data-dir', dir]);
      expect(cli.code).toBe(9);
      expect(cli.err.join('\n')).toContain(`first bad record seq ${seq}`);
      expect(cli.err.join('\n')).toContain(fault);
      const j = await runSec(['audit', 'verify', '--data-dir', dir, '--json']);
      expect(JSON.parse(j.out[0]!)).toMatchObject({ ok: false, fault, firstBadSeq: seq });
    });
  }

  it('security audit - a forged checkpoint is found', async () => {
    const dir = await copyOf(base);
    const f = join(dir, 'audit', 'checkpoints.jsonl');
    const cps = (await fs.readFile(f, 'utf8')).split('\n').filter(Boolean);
    cps[0] = cps[0]!.replace(/"rootHash":"[0-9a-f]{4}/, '"rootHash":"0000');
    await fs.writeFile(f, cps.join('\n') + '\n');
    expect(await verifyAuditFolder(dir)).toMatchObject({ ok: false, fault: 'checkpoint-forged', checkpointIndex: 0 });
  });
});

describe('security audit - proofs, tail and grep', () => {
  it('security audit - `audit proof SEQ` output verifies offline; a doctored entry does not', async () => {
    const p = await runSec(['audit', 'proof', '3', '--data-dir', base]);
    expect(p.code).toBe(0);
    const bundle = JSON.parse(p.out.join('\n'));
    expect(bundle).toMatchObject({ v: 1, entry: { seq: 3 }, proof: { seq: 3, leafIndex: 2 } });
    const file = join(tempDir(), 'proof.json');
    await fs.writeFile(file, JSON.stringify(bundle));
    expect((await runSec(['audit', 'verify-proof', file])).code).toBe(0);
    expect((await runSec(['audit', 'verify-proof', file, '--data-dir', base])).code).toBe(0);
    expect((await runSec(['audit', 'verify-proof', file, '--key', 'ab'.repeat(32)])).code).toBe(9);
    await fs.writeFile(file, JSON.stringify({ ...bundle, entry: { ...bundle.entry, result: 'EPERM' } }));
    const bad = await runSec(['audit', 'verify-proof', file]);
    expect(bad.code).toBe(9);
    expect(bad.err[0]).toContain('inclusion path');
  });

  it('security audit - proof of a record not in the log is ENOENT; a bad SEQ is EINVAL', async () => {
    expect((await runSec(['audit', 'proof', '100000', '--data-dir', base])).code).toBe(6);
    expect((await runSec(['audit', 'proof', 'x', '--data-dir', base])).code).toBe(4);
  });

  it('security audit - tail -n and grep read the persisted log', async () => {
    const t = await runSec(['audit', 'tail', '-n', '3', '--data-dir', base, '--json']);
    const rs = JSON.parse(t.out[0]!);
    expect(rs).toHaveLength(3);
    const total = (await readAuditFiles(base)).lines.length;
    expect(rs.map((r: { seq: number }) => r.seq)).toEqual([total - 2, total - 1, total]);
    const g = await runSec(['audit', 'grep', 'agentspawn', '-i', '--data-dir', base, '--json']);
    expect(JSON.parse(g.out[0]!).length).toBeGreaterThanOrEqual(6);
    expect((await runSec(['audit', 'grep', '(', '--data-dir', base])).code).toBe(4);
    const human = await runSec(['audit', 'tail', '--data-dir', base]);
    expect(human.out.length).toBeGreaterThan(3);
  });
});
