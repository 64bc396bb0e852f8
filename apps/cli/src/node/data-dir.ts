// The node's data folder: where its token, its address and (later) its state live.
// Resolution order: --data-dir, then AIOS_DATA_DIR, then ~/.aios.

import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
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
  writeFileSync(join(dir, 'node.json'), JSON.stringify(info, null, 2), { mode: 0o600 });
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
