// The cluster cookie: --cookie, else AIOS_CLUSTER_COOKIE, else ~/.aios/cluster.cookie (created 0600 with 32
// random bytes on first use, as Erlang's ~/.erlang.cookie). A cookie file readable by others is refused.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AiosError } from '@aios/abi';

export type CookieSource = 'flag' | 'env' | 'file' | 'created';

export function resolveCookie(flag?: string, env: NodeJS.ProcessEnv = process.env, home = homedir()): { cookie: string; source: CookieSource; file?: string } {
  if (flag !== undefined && flag !== '') return { cookie: check(flag), source: 'flag' };
  const e = env.AIOS_CLUSTER_COOKIE;
  if (e !== undefined && e !== '') return { cookie: check(e), source: 'env' };
  const file = join(home, '.aios', 'cluster.cookie');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { cookie: check(readFileSync(file, 'utf8').trim()), source: 'created', file };
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new AiosError('EACCES', `${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`, { file, mode: mode.toString(8) });
  return { cookie: check(readFileSync(file, 'utf8').trim()), source: 'file', file };
}

function check(c: string): string {
  if (c.length < 8 || c.length > 1024 || /[\s]/.test(c)) throw new AiosError('EINVAL', 'cluster cookie must be 8-1024 characters without spaces', { arg: 'cookie', length: c.length });
  return c;
}
