// The node's data folder: where its token, its address, keys, databases, audit log and checkpoints live.
// Resolution order: --data-dir, then AIOS_DATA_DIR, then ~/.aios.
// Private to the node's user: the folder and its subfolders are 0700, its files 0600. An existing folder
// with wider modes is tightened at boot (not refused) and each fix is reported as a warning.

import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/** An empty value (flag or variable) counts as unset: it must never mean the current folder. */
export function resolveDataDir(flag?: string): string {
  const given = flag !== undefined && flag !== '' ? flag : process.env.AIOS_DATA_DIR !== undefined && process.env.AIOS_DATA_DIR !== '' ? process.env.AIOS_DATA_DIR : undefined;
  return resolve(given ?? join(homedir(), '.aios'));
}

export interface NodeFile {
  pid: number;
  port: number;
  host: string;
  startedAt: number;
}

/**
 * Creates the folder (0700) or tightens an existing one: every subfolder to 0700 and every file to 0600
 * when group or others had any access. Symbolic links are left alone (never followed). Returns one
 * warning per fixed path (empty when the folder was already private).
 */
export function ensureDataDir(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fixed: string[] = [];
  const walk = (p: string, depth: number): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o077) !== 0) {
      chmodSync(p, want);
      fixed.push(`${p} was mode ${(st.mode & 0o777).toString(8)}; set to ${want.toString(8)} (the data folder is private to the node's user)`);
    }
    if (st.isDirectory() && depth < 8) for (const name of readdirSync(p)) walk(join(p, name), depth + 1);
  };
  walk(dir, 0);
  return fixed;
}

/** Writes a fresh bearer token with mode 0600 and returns it. */
export function writeToken(dir: string): string {
  const token = randomBytes(32).toString('base64url');
  const file = join(dir, 'token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

export function readToken(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function writeNodeFile(dir: string, info: NodeFile): void {
  const file = join(dir, 'node.json');
  writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readNodeFile(dir: string): NodeFile | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'node.json'), 'utf8')) as NodeFile;
  } catch {
    return undefined;
  }
}

export function removeNodeFile(dir: string): void {
  rmSync(join(dir, 'node.json'), { force: true });
}
