// Which privileges an agent started from outside the node (`aios run --cap`, `aios spawn --cap`, POST
// /v1/agents opts.capabilities, MCP spawn_agent cap) may be granted. The shell and the API spawn on the host's
// behalf (as root), so without a limit `--cap admin` would hand out anything: the node's policy caps it.
//   default                spawn, supervise (an agent may start and watch children, under its quotas)
//   AIOS_SHELL_CAPS=LIST   the privileges allowed instead (comma list of PRIVILEGES names; 'none' for none)
// A name that is not a privilege is EINVAL; one the policy does not allow is EACCES (the caller audits it).
import { AiosError, PRIVILEGES, type Privilege } from '@aios/abi';

export const DEFAULT_SHELL_CAPS: readonly Privilege[] = ['spawn', 'supervise'];
const NAMES = Object.keys(PRIVILEGES) as Privilege[];

/** Parses a comma list of privilege names (spaces ignored, empty items skipped). EINVAL for an unknown one. */
export function parseCapList(list: string, what = '--cap'): Privilege[] {
  const out: Privilege[] = [];
  for (const raw of list.split(',')) {
    const n = raw.trim().toLowerCase();
    if (n === '' || n === 'none') continue;
    if (!(NAMES as string[]).includes(n)) throw new AiosError('EINVAL', `${what}: '${n}' is not a capability (known: ${NAMES.join(', ')})`, { arg: what, value: n, allowed: NAMES });
    if (!out.includes(n as Privilege)) out.push(n as Privilege);
  }
  return out;
}

/** The privileges the node lets the shell and the API grant (AIOS_SHELL_CAPS, else the default). */
export function shellCapsFromEnv(env: Record<string, string | undefined>): Privilege[] {
  const v = env.AIOS_SHELL_CAPS;
  return v === undefined || v.trim() === '' ? [...DEFAULT_SHELL_CAPS] : parseCapList(v, 'AIOS_SHELL_CAPS');
}

/** Throws EINVAL for a malformed list and EACCES for a privilege beyond `allowed`; returns the names. */
export function checkCaps(requested: unknown, allowed: readonly Privilege[]): Privilege[] {
  if (requested === undefined) return [];
  if (!Array.isArray(requested) || requested.some((c) => typeof c !== 'string')) throw new AiosError('EINVAL', 'capabilities must be a list of names', { arg: 'capabilities' });
  const caps = parseCapList((requested as string[]).join(','), 'capabilities');
  const beyond = caps.filter((c) => !allowed.includes(c));
  if (beyond.length > 0) {
    throw new AiosError('EACCES', `capabilities ${beyond.join(', ')} are beyond what this node lets the shell and the API grant (${allowed.join(', ') || 'none'}); set AIOS_SHELL_CAPS on the node to allow them`, { requested: caps, beyond, allowed, setting: 'AIOS_SHELL_CAPS' });
  }
  return caps;
}
