// The node's own files: the data folder is private (0700 folders, 0600 files, wider modes tightened
// at boot with a warning and an audit record), databases are checked at boot (a corrupt one is EIO
// naming it), and a deleted policy file is an error, not a silent reset to the defaults.
import { describe, it, expect } from 'vitest';
import { promises as fs, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { boot } from 'aios';
import { agentSource, tempDir } from './helpers.ts';
import { NODE_POLICIES } from '../../apps/node/src/security/index.ts';

/** Every path under dir with group/other bits set (empty when the folder is private). */
function wideModes(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) out.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

async function bootOnce(dir: string, config: Record<string, unknown> = {}): Promise<string[]> {
  const node = await boot({ dataDir: dir, config: { api: true, port: 0, services: false, ...config } });
  const id = await node.spawn(agentSource(`ctx.log('x');`));
  await node.wait(id);
  const warnings = [...node.warnings];
  await node.shutdown();
  return warnings;
}

describe('security node files - a private data folder', () => {
  it('security node files - a new folder is 0700 and every file in it 0600 (token, keys, kernel.db and its WAL, audit, policies)', async () => {
    const dir = join(tempDir(), 'data');
    const old = process.umask(0o022); // the usual umask: files would be 0644 without explicit modes
    try {
      const node = await boot({ dataDir: dir, config: { api: true, port: 0, services: false } });
      const id = await node.spawn(agentSource(`ctx.log('x');`));
      await node.wait(id);
      // While it runs (kernel.db-wal and -shm exist), nothing is readable by others.
      expect(wideModes(dir)).toEqual([]);
      const files = readdirSync(dir);
      expect(files).toEqual(expect.arrayContaining(['token', 'kernel.db', 'policies.cedar', 'audit', 'identity', 'node.json']));
      await node.shutdown();
    } finally {
      process.umask(old);
    }
    expect(wideModes(dir)).toEqual([]);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('security node files - an existing folder with wide modes is tightened at boot, with a warning and an audit record', async () => {
    const dir = tempDir();
    await bootOnce(dir);
    await fs.chmod(dir, 0o755);
    await fs.chmod(join(dir, 'kernel.db'), 0o644);
    await fs.chmod(join(dir, 'audit'), 0o777);
    await fs.chmod(join(dir, 'audit', 'records.jsonl'), 0o666);
    const node = await boot({ dataDir: dir, config: { services: false } });
    expect(node.warnings.length).toBe(4);
    expect(node.warnings.join('\n')).toContain('kernel.db was mode 644; set to 600');
    expect(node.audit().filter((r) => r.syscall === 'DataDirFixed')).toHaveLength(4);
    await node.shutdown();
    expect(wideModes(dir)).toEqual([]);
  });
});

describe('security node files - databases are checked at boot', () => {
  it('security node files - a kernel.db that is not a database is EIO naming it (not a crash, not a reset)', async () => {
    const dir = tempDir();
    await bootOnce(dir);
    await fs.rm(join(dir, 'kernel.db-wal'), { force: true });
    await fs.rm(join(dir, 'kernel.db-shm'), { force: true });
    await fs.writeFile(join(dir, 'kernel.db'), Buffer.alloc(8192, 0x5a));
    const e = await boot({ dataDir: dir, config: { services: false } }).then(() => null, (x: unknown) => x as { code: string; message: string; detail: { file: string } });
    expect(e).toMatchObject({ code: 'EIO', detail: { file: join(dir, 'kernel.db') } });
    expect(e!.message).toContain('kernel.db');
    // Nothing was reset: the bad file is still there for the operator.
    expect((await fs.readFile(join(dir, 'kernel.db')))[0]).toBe(0x5a);
  });

  it('security node files - a kernel.db with a corrupted page fails quick_check: EIO', async () => {
    const dir = tempDir();
    await bootOnce(dir);
    const f = join(dir, 'kernel.db');
    const buf = await fs.readFile(f);
    expect(buf.length).toBeGreaterThan(4096 * 2);
    // Keep the header (page 1) valid; scribble over the b-tree pages after it.
    buf.fill(0xa5, 4096 + 8, buf.length);
    await fs.writeFile(f, buf);
    await expect(boot({ dataDir: dir, config: { services: false } })).rejects.toMatchObject({ code: 'EIO', detail: { file: f } });
  });
});

describe('security node files - the policy file', () => {
  it('security node files - a deleted policies.cedar is EIO at boot once a policy set was written, never a reset to the defaults', async () => {
    const dir = tempDir();
    const node = await boot({ dataDir: dir, config: { services: false } });
    const custom = `${NODE_POLICIES}\n@id("extra")\nforbid(principal, action == Action::"FrameAlloc", resource);\n`;
    await node.host.kernel.config.policyAdmin!.apply(custom);
    await node.shutdown();
    await fs.rm(join(dir, 'policies.cedar'));
    const e = await boot({ dataDir: dir, config: { services: false } }).then(() => null, (x: unknown) => x as { code: string; message: string });
    expect(e).toMatchObject({ code: 'EIO' });
    expect(e!.message).toContain('policies.cedar is missing');
    // No default set was written in its place.
    await expect(fs.access(join(dir, 'policies.cedar'))).rejects.toThrow();
    // Restoring the file lets the node boot again.
    await fs.writeFile(join(dir, 'policies.cedar'), custom, { mode: 0o600 });
    const again = await boot({ dataDir: dir, config: { services: false } });
    await again.shutdown();
  });

  it('security node files - a policy file edited while the node was down is accepted and audited (PolicyChangedOffline)', async () => {
    const dir = tempDir();
    await bootOnce(dir);
    await fs.appendFile(join(dir, 'policies.cedar'), '\n@id("offline-edit")\nforbid(principal, action == Action::"FrameAlloc", resource);\n');
    const node = await boot({ dataDir: dir, config: { services: false } });
    expect(node.audit().find((r) => r.syscall === 'PolicyChangedOffline')).toMatchObject({ result: 'ok', detail: { from: expect.any(String), to: expect.any(String) } });
    await node.shutdown();
  });
});
