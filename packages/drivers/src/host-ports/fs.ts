// The fs port on Linux: mounted host folders resolved openat-style. Every step opens the next
// folder relative to the descriptor of the previous one (through /proc/self/fd/N, so a path is
// never resolved again from the top), without following links; a link is followed only after
// its target's real path is found inside the mount, and the descriptor opened from it is checked
// again, so swapping a folder for a link between check and use is refused (EACCES). Writes go to
// a temp file in the same folder, synced, then renamed over the target (atomic).

import { constants as C, existsSync } from 'node:fs';
import { cp, lstat, mkdir, open, readdir, realpath, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AiosError, type FsEntry, type FsEntryType, type FsPort, type FsStat } from '@aios/abi';

export interface HostFsOptions {
  /** Folder holding agents' scratch folders (<data>/scratch); none: agents get no scratch folder. */
  scratchDir?: string;
}

const fdPath = (fh: FileHandle, name?: string): string => (name === undefined ? `/proc/self/fd/${fh.fd}` : `/proc/self/fd/${fh.fd}/${name}`);

function hostError(e: unknown, what: string): AiosError {
  if (e instanceof AiosError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const map: Record<string, [import('@aios/abi').ErrorCode, string]> = {
    ENOENT: ['ENOENT', 'no such file or folder'],
    EEXIST: ['EEXIST', 'already exists'],
    ENOTDIR: ['EINVAL', 'a file is in the way of a folder'],
    EISDIR: ['EINVAL', 'is a folder'],
    ENOTEMPTY: ['EBUSY', 'the folder is not empty'],
    EACCES: ['EACCES', 'the host refuses access'],
    EPERM: ['EACCES', 'the host refuses access'],
    ELOOP: ['EACCES', 'too many links'],
    ENOSPC: ['EQUOTA', 'the host disk is full'],
    EDQUOT: ['EQUOTA', 'the host disk quota is exceeded'],
    ENAMETOOLONG: ['EINVAL', 'name too long'],
  };
  const [c, msg] = map[code ?? ''] ?? ['EIO', (e as Error)?.message ?? String(e)];
  return new AiosError(c, `${what}: ${msg}`, { path: what, ...(code ? { host: code } : {}), ...(c === 'EACCES' ? { policyIds: ['host'] } : {}) });
}

function typeOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FsEntryType {
  return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other';
}

const inside = (real: string, root: string): boolean => real === root || real.startsWith(root.endsWith('/') ? root : `${root}/`);

export function createHostFs(opts: HostFsOptions = {}): FsPort | undefined {
  if (!existsSync('/proc/self/fd')) return undefined; // openat-style resolution needs /proc (Linux)
  const scratchBase = opts.scratchDir;

  async function openRoot(root: string): Promise<{ fh: FileHandle; real: string }> {
    let fh: FileHandle;
    try {
      fh = await open(root, C.O_RDONLY | C.O_DIRECTORY);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && scratchBase !== undefined && inside(root, scratchBase) && root !== scratchBase) {
        await mkdir(root, { recursive: true, mode: 0o700 });
        fh = await open(root, C.O_RDONLY | C.O_DIRECTORY);
      } else throw hostError(e, 'mount root');
    }
    return { fh, real: await realpath(fdPath(fh)) };
  }

  /** Opens a link's target as a folder or file, only when its real path is inside the mount; checks the opened descriptor again. */
  async function followLink(dir: FileHandle, name: string, root: string, flags: number, shown: string): Promise<FileHandle> {
    let target: string;
    try {
      target = await realpath(fdPath(dir, name));
    } catch (e) {
      throw hostError(e, shown);
    }
    if (!inside(target, root)) throw new AiosError('EACCES', `${shown} is a link that leaves its mount`, { path: shown, escape: 'symlink', policyIds: ['mount'] });
    const fh = await open(target, flags | C.O_NOFOLLOW).catch((e: unknown) => { throw hostError(e, shown); });
    const again = await realpath(fdPath(fh));
    if (!inside(again, root)) {
      await fh.close();
      throw new AiosError('EACCES', `${shown} changed to leave its mount while it was opened`, { path: shown, escape: 'race', policyIds: ['mount'] });
    }
    return fh;
  }

  /** Opens the folder `segs` names inside root, step by step; the caller closes it. */
  async function openDir(root: string, segs: readonly string[]): Promise<{ fh: FileHandle; real: string }> {
    const r = await openRoot(root);
    let cur = r.fh;
    try {
      for (let i = 0; i < segs.length; i++) {
        const shown = segs.slice(0, i + 1).join('/');
        let next: FileHandle;
        try {
          next = await open(fdPath(cur, segs[i]!), C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // ELOOP or ENOTDIR with O_NOFOLLOW: the step is a link (or a file); follow a link only inside the mount.
          if (code === 'ELOOP' || code === 'ENOTDIR') {
            const st = await lstat(fdPath(cur, segs[i]!)).catch(() => null);
            if (st?.isSymbolicLink()) next = await followLink(cur, segs[i]!, r.real, C.O_RDONLY | C.O_DIRECTORY, shown);
            else throw hostError(e, shown);
          } else throw hostError(e, shown);
        }
        await cur.close();
        cur = next;
      }
      return { fh: cur, real: r.real };
    } catch (e) {
      await cur.close().catch(() => {});
      throw e;
    }
  }

  /** The parent folder of the last segment, opened, and the last segment's name. */
  async function parentOf(root: string, rel: readonly string[]): Promise<{ dir: FileHandle; name: string; real: string }> {
    const { fh, real } = await openDir(root, rel.slice(0, -1));
    return { dir: fh, name: rel[rel.length - 1]!, real };
  }

  return {
    async read(root, rel, maxBytes) {
      const shown = rel.join('/');
      if (rel.length === 0) throw new AiosError('EINVAL', 'a mount is a folder, not a file', { path: shown });
      const { dir, name, real } = await parentOf(root, rel);
      let fh: FileHandle | undefined;
      try {
        try {
          fh = await open(fdPath(dir, name), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw hostError(e, shown);
          fh = await followLink(dir, name, real, C.O_RDONLY | C.O_NONBLOCK, shown);
        }
        const st = await fh.stat();
        if (!st.isFile()) throw new AiosError('EINVAL', `${shown} is not a file`, { path: shown, type: typeOf(st) });
        if (st.size > maxBytes) throw new AiosError('EMSGSIZE', `${shown} is ${st.size} bytes; the limit is ${maxBytes}`, { path: shown, size: st.size, max: maxBytes });
        const buf = await fh.readFile();
        if (buf.length > maxBytes) throw new AiosError('EMSGSIZE', `${shown} grew past ${maxBytes} bytes`, { path: shown, max: maxBytes });
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      } finally {
        await fh?.close();
        await dir.close();
      }
    },

    async write(root, rel, data, may) {
      const shown = rel.join('/');
      const { dir, name } = await parentOf(root, rel);
      const tmp = `.aios-tmp-${randomBytes(6).toString('hex')}`;
      let tmpMade = false;
      try {
        const st = await lstat(fdPath(dir, name)).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw hostError(e, shown); });
        if (st?.isDirectory()) throw new AiosError('EINVAL', `${shown} is a folder`, { path: shown });
        if (st !== null && !may.replace) throw new AiosError('EPERM', `${shown} exists and this handle may not overwrite (no WRITE)`, { path: shown, needed: 'WRITE' });
        if (st === null && !may.create) throw new AiosError('EPERM', `${shown} does not exist and this handle may not create files (no CREATE)`, { path: shown, needed: 'CREATE' });
        const fh = await open(fdPath(dir, tmp), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, st?.isFile() ? st.mode & 0o777 : 0o644);
        tmpMade = true;
        try {
          await fh.writeFile(data);
          await fh.datasync();
        } finally {
          await fh.close();
        }
        await rename(fdPath(dir, tmp), fdPath(dir, name)); // replaces a link itself, never its target
        tmpMade = false;
        return { created: st === null, replaced: st?.isFile() ? st.size : 0 };
      } catch (e) {
        throw hostError(e, shown);
      } finally {
        if (tmpMade) await unlink(fdPath(dir, tmp)).catch(() => {});
        await dir.close();
      }
    },

    async list(root, rel, maxEntries) {
      const shown = rel.join('/') || '.';
      const { fh } = await openDir(root, rel);
      try {
        const entries = await readdir(fdPath(fh), { withFileTypes: true }).catch((e: unknown) => { throw hostError(e, shown); });
        if (entries.length > maxEntries) throw new AiosError('EMSGSIZE', `${shown} has ${entries.length} entries; the limit is ${maxEntries}`, { path: shown, max: maxEntries });
        return entries.filter((d) => !d.name.startsWith('.aios-tmp-')).map((d): FsEntry => ({ name: d.name, type: typeOf(d) })).sort((x, y) => (x.name < y.name ? -1 : 1));
      } finally {
        await fh.close();
      }
    },

    async stat(root, rel): Promise<FsStat> {
      const shown = rel.join('/') || '.';
      if (rel.length === 0) {
        const { fh } = await openDir(root, []);
        try {
          const st = await fh.stat();
          return { type: 'dir', size: st.size, mtimeMs: Math.round(st.mtimeMs) };
        } finally {
          await fh.close();
        }
      }
      const { dir, name } = await parentOf(root, rel);
      try {
        const st = await lstat(fdPath(dir, name)).catch((e: unknown) => { throw hostError(e, shown); });
        return { type: typeOf(st), size: st.size, mtimeMs: Math.round(st.mtimeMs) };
      } finally {
        await dir.close();
      }
    },

    async remove(root, rel) {
      const shown = rel.join('/');
      const { dir, name } = await parentOf(root, rel);
      try {
        const st = await lstat(fdPath(dir, name));
        if (st.isDirectory()) await rmdir(fdPath(dir, name));
        else await unlink(fdPath(dir, name));
        return { bytes: st.isFile() ? st.size : 0 };
      } catch (e) {
        throw hostError(e, shown);
      } finally {
        await dir.close();
      }
    },

    async mkdir(root, rel) {
      const shown = rel.join('/');
      const { dir, name } = await parentOf(root, rel);
      try {
        await mkdir(fdPath(dir, name), { mode: 0o755 });
      } catch (e) {
        throw hostError(e, shown);
      } finally {
        await dir.close();
      }
    },

    scratchRoot(key) {
      if (scratchBase === undefined || !/^[A-Za-z0-9%+~_-][A-Za-z0-9%+~._-]{0,1023}$/.test(key)) return null;
      return join(scratchBase, key);
    },

    async copyScratch(fromKey, toKey) {
      if (scratchBase === undefined) return;
      const from = this.scratchRoot(fromKey);
      const to = this.scratchRoot(toKey);
      if (from === null || to === null) return;
      if (!existsSync(from)) return;
      await mkdir(to, { recursive: true, mode: 0o700 });
      await cp(from, to, { recursive: true, verbatimSymlinks: true, force: true, filter: (src) => !src.slice(from.length).includes('/.aios-tmp-') });
    },
  };
}
