// Paths inside a mount, checked as strings before any I/O: the result is a list of plain
// segments (no '', '.', '..', NUL), so the fs port never sees a way out by name. Links and
// races are the port's part (it resolves step by step on open descriptors).

import { AiosError, limits } from '@aios/abi';

/**
 * Splits `path` (relative to a mount) into segments. Absolute paths and `..` are EACCES (an escape);
 * NUL is EINVAL; '' and '.' name the mount itself; repeated and trailing slashes are ignored.
 */
export function checkPath(path: unknown, arg = 'path'): string[] {
  if (typeof path !== 'string') throw new AiosError('EINVAL', `${arg} must be a string`, { arg });
  if (path.length > limits.FS_PATH_MAX) throw new AiosError('EMSGSIZE', `${arg} is longer than ${limits.FS_PATH_MAX} characters`, { arg, length: path.length, max: limits.FS_PATH_MAX });
  if (path.includes('\0')) throw new AiosError('EINVAL', `${arg} contains NUL`, { arg });
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')) {
    throw new AiosError('EACCES', `${arg} is absolute: paths are relative to a mount`, { arg, path, escape: 'absolute', policyIds: ['mount'] });
  }
  const segs: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') throw new AiosError('EACCES', `${arg} leaves its mount ('..')`, { arg, path, escape: 'dotdot', policyIds: ['mount'] });
    segs.push(s);
  }
  if (segs.length > limits.FS_PATH_SEGMENTS_MAX) throw new AiosError('EINVAL', `${arg} has more than ${limits.FS_PATH_SEGMENTS_MAX} segments`, { arg, max: limits.FS_PATH_SEGMENTS_MAX });
  return segs;
}

/** A mount name: letters, digits, '.', '_', '-' (1 to 64), not '.' or '..'. */
export function checkMountName(name: unknown, arg: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name) || name === '.' || name === '..') {
    throw new AiosError('EINVAL', `${arg} must be 1 to 64 letters, digits, '.', '_' or '-'`, { arg, value: typeof name === 'string' ? name.slice(0, 80) : typeof name });
  }
  return name;
}

/** The namespace name of a mount. */
export const mountKey = (name: string): string => `fs:${name}`;
