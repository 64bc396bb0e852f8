// Reading driver settings from an environment object (never process.env directly: callers pass it in).
import { AiosError } from '@aios/abi';

export type Env = Record<string, string | undefined>;

/** A URL for people (descriptions, logs): any user:password in it replaced by '***'. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** A positive integer variable; undefined when unset or blank, EINVAL naming the variable otherwise. */
export function positiveIntVar(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new AiosError('EINVAL', `${name} must be a positive integer`, { env: name, value: raw });
  return n;
}
