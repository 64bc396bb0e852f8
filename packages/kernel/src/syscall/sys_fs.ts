// File syscalls on mounted folders: FsRead, FsWrite, FsList, FsStat, FsRemove, FsMkdir.
// Each looks the directory handle up with its rights, checks the path as a string (no way
// out by name), then hands the host work to the fs port (no way out by link or race), and
// leaves one audit record (path, bytes, result) when it completes.

import { AiosError, Rights, isAiosError, limits, type FsPort } from '@aios/abi';
import type { Agent } from '../objects/agent.ts';
import type { AuditSlot, SyscallContext } from './context.ts';
import { DirObject } from '../io/dir.ts';
import { checkPath } from '../io/path.ts';
import { ioOf } from '../io/state.ts';
import { checked, codeOf, ioAudit } from '../io/audit.ts';
import { argBytes } from './args.ts';

function port(k: SyscallContext): FsPort {
  const fs = k.ports.fs;
  if (fs === undefined) throw new AiosError('ENOSYS', 'this node has no file system port');
  return fs;
}

interface Ctx { dir: DirObject; rel: string[]; path: string }

/** Looks up the directory with `rights` and checks the path. */
function open(k: SyscallContext, a: Agent, au: AuditSlot, dir: unknown, path: unknown, rights: number): Ctx {
  const node = k.lookup(a, dir, 'directory', rights, au);
  const d = node.object as DirObject;
  const rel = checkPath(path);
  return { dir: d, rel, path: d.show(rel) };
}

/**
 * Runs a port call as a blocking syscall; the record is written when it settles, with the
 * bytes moved. A refusal of the port (an escape by link or race) is EACCES and a security event.
 */
function run<T>(k: SyscallContext, a: Agent, syscall: string, c: Ctx, op: () => Promise<T>, bytes: (v: T) => number, after?: (ok: boolean, v: unknown) => void): Promise<T> {
  const { promise, settle } = k.block<T>(a);
  const label = c.dir.label;
  (c.dir.ready ?? Promise.resolve()).then(op).then(
    (v) => {
      after?.(true, v);
      ioAudit(k, a, syscall, label, 'ok', { path: c.path, bytes: bytes(v) });
      settle(true, v);
    },
    (e: unknown) => {
      after?.(false, e);
      const err = isAiosError(e) ? e : new AiosError('EIO', `${syscall} ${c.path}: ${(e as Error)?.message ?? String(e)}`, { path: c.path });
      ioAudit(k, a, syscall, label, codeOf(err), { ...(err.detail ?? {}), path: c.path, bytes: 0 });
      settle(false, err);
    },
  );
  return promise;
}

export function sys_fsRead(k: SyscallContext, a: Agent, [dir, path]: unknown[], au: AuditSlot): Promise<Uint8Array> {
  const c = checked(k, a, au, 'FsRead', () => ({ path: String(path).slice(0, 256) }), () => open(k, a, au, dir, path, Rights.READ));
  const fs = port(k);
  return run(k, a, 'FsRead', c, () => fs.read(c.dir.root, c.dir.under(c.rel), limits.FS_FILE_MAX_BYTES), (v) => v.length);
}

export function sys_fsWrite(k: SyscallContext, a: Agent, [dir, path, data]: unknown[], au: AuditSlot): Promise<{ bytes: number; created: boolean; replaced: number }> {
  const { c, bytes, may } = checked(k, a, au, 'FsWrite', () => ({ path: String(path).slice(0, 256) }), () => {
    const c = open(k, a, au, dir, path, 0);
    const node = k.lookup(a, dir, 'directory', 0, au);
    const may = { create: (node.rights & Rights.CREATE) !== 0, replace: (node.rights & Rights.WRITE) !== 0 };
    if (!may.create && !may.replace) throw new AiosError('EPERM', 'writing needs WRITE (an existing file) or CREATE (a new one) on the directory handle', { needed: 'WRITE|CREATE', held: node.rights });
    if (c.rel.length === 0) throw new AiosError('EINVAL', 'FsWrite needs a file path inside the mount', { arg: 'path' });
    const bytes = argBytes(data, 'data', limits.FS_FILE_MAX_BYTES);
    return { c, bytes, may };
  });
  const fs = port(k);
  const quota = ioOf(k, a).fs;
  return run(k, a, 'FsWrite', c, async () => {
    quota.charge(bytes.length); // EQUOTA before any byte reaches the disk
    let r: { created: boolean; replaced: number };
    try {
      r = await fs.write(c.dir.root, c.dir.under(c.rel), bytes, may);
    } catch (e) {
      quota.credit(bytes.length);
      throw e;
    }
    quota.credit(r.replaced);
    return { bytes: bytes.length, created: r.created, replaced: r.replaced };
  }, (v) => v.bytes);
}

export function sys_fsList(k: SyscallContext, a: Agent, [dir, path]: unknown[], au: AuditSlot): Promise<unknown> {
  const c = checked(k, a, au, 'FsList', () => ({ path: String(path).slice(0, 256) }), () => open(k, a, au, dir, path ?? '', Rights.READ));
  const fs = port(k);
  return run(k, a, 'FsList', c, () => fs.list(c.dir.root, c.dir.under(c.rel), limits.FS_LIST_MAX), () => 0);
}

export function sys_fsStat(k: SyscallContext, a: Agent, [dir, path]: unknown[], au: AuditSlot): Promise<unknown> {
  const c = checked(k, a, au, 'FsStat', () => ({ path: String(path).slice(0, 256) }), () => open(k, a, au, dir, path ?? '', Rights.READ));
  const fs = port(k);
  return run(k, a, 'FsStat', c, () => fs.stat(c.dir.root, c.dir.under(c.rel)), () => 0);
}

export function sys_fsRemove(k: SyscallContext, a: Agent, [dir, path]: unknown[], au: AuditSlot): Promise<void> {
  const c = checked(k, a, au, 'FsRemove', () => ({ path: String(path).slice(0, 256) }), () => {
    const c = open(k, a, au, dir, path, Rights.DELETE);
    if (c.rel.length === 0) throw new AiosError('EINVAL', 'a mount itself cannot be removed', { arg: 'path' });
    return c;
  });
  const fs = port(k);
  const quota = ioOf(k, a).fs;
  return run(k, a, 'FsRemove', c, () => fs.remove(c.dir.root, c.dir.under(c.rel)), (v) => v.bytes, (ok, v) => {
    if (ok) quota.credit((v as { bytes: number }).bytes);
  }).then(() => undefined);
}

export function sys_fsMkdir(k: SyscallContext, a: Agent, [dir, path]: unknown[], au: AuditSlot): Promise<void> {
  const c = checked(k, a, au, 'FsMkdir', () => ({ path: String(path).slice(0, 256) }), () => {
    const c = open(k, a, au, dir, path, Rights.CREATE);
    if (c.rel.length === 0) throw new AiosError('EEXIST', 'the mount itself exists', { arg: 'path' });
    return c;
  });
  const fs = port(k);
  return run(k, a, 'FsMkdir', c, () => fs.mkdir(c.dir.root, c.dir.under(c.rel)), () => 0);
}
