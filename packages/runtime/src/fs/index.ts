// @aios/runtime/fs: files of the folders an agent was given. A path is `NAME/relative/path`, where
// NAME is a mount (`aios run --mount HOST_DIR:NAME`, SpawnOptions.mounts) or `scratch` (the agent's
// own folder in the node's storage). The kernel keeps every call inside its mount (EACCES otherwise).
import { AiosError, type FsEntry, type FsStat, type Handle } from '@aios/abi';
import { fsList, fsMkdir, fsRead, fsRemove, fsStat, fsWrite, nsList, nsLookup } from '../kernel/index.ts';
import { utf8Decode, utf8Encode } from '../text.ts';

export type { FsEntry, FsStat } from '@aios/abi';

/** Splits `NAME/rel` into the mount's handle and the path inside it; ENOENT names a mount the agent does not have. */
function resolve(path: string): { dir: Handle; rel: string } {
  if (typeof path !== 'string' || path.length === 0) throw new AiosError('EINVAL', 'a path is NAME/relative/path', { arg: 'path' });
  if (path.startsWith('/')) throw new AiosError('EACCES', 'absolute paths are refused: a path is NAME/relative/path inside a mount', { arg: 'path', path, escape: 'absolute', policyIds: ['mount'] });
  const i = path.indexOf('/');
  const name = i < 0 ? path : path.slice(0, i);
  let dir: Handle;
  try {
    dir = nsLookup(`fs:${name}`);
  } catch {
    throw new AiosError('ENOENT', `no mount named ${name} (mounts: ${mounts().join(', ') || 'none'})`, { arg: 'path', mount: name });
  }
  return { dir, rel: i < 0 ? '' : path.slice(i + 1) };
}

/** The names of the caller's mounts (including `scratch` when the node keeps scratch folders). */
export function mounts(): string[] {
  return nsList().filter((n) => n.startsWith('fs:')).map((n) => n.slice(3));
}

export function readFile(path: string): Promise<Uint8Array> {
  const { dir, rel } = resolve(path);
  return fsRead(dir, rel);
}

export async function readText(path: string): Promise<string> {
  return utf8Decode(await readFile(path));
}

/** Writes a whole file atomically (strings as UTF-8); needs WRITE to replace a file, CREATE to make one. */
export async function writeFile(path: string, data: Uint8Array | string): Promise<void> {
  const { dir, rel } = resolve(path);
  await fsWrite(dir, rel, typeof data === 'string' ? utf8Encode(data) : data);
}

export function list(path: string): Promise<FsEntry[]> {
  const { dir, rel } = resolve(path);
  return fsList(dir, rel);
}

export function stat(path: string): Promise<FsStat> {
  const { dir, rel } = resolve(path);
  return fsStat(dir, rel);
}

export async function remove(path: string): Promise<void> {
  const { dir, rel } = resolve(path);
  await fsRemove(dir, rel);
}

export async function mkdir(path: string): Promise<void> {
  const { dir, rel } = resolve(path);
  await fsMkdir(dir, rel);
}
