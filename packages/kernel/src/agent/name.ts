// Agent names: what the kernel accepts as a name. A name is printable text that can never be
// mistaken for an id, so "7" always means agent 7 wherever a name or an id is accepted.

import { AiosError, limits } from '@aios/abi';

/** C0 and C1 control characters (ESC, newline, carriage return, DEL, ...) and bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Why `name` is not a valid agent name, or null when it is. */
export function agentNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name.length > limits.AGENT_NAME_MAX) return `must be at most ${limits.AGENT_NAME_MAX} characters`;
  if (/^[0-9]+$/.test(name)) return 'must not be all digits (it would shadow an agent id)';
  if (CONTROL.test(name)) return 'must not contain control characters';
  return null;
}

/** The name, or EINVAL naming `arg` and the reason. */
export function checkAgentName(value: unknown, arg: string): string {
  if (typeof value !== 'string') throw new AiosError('EINVAL', `${arg} must be a string`, { arg });
  const problem = agentNameProblem(value);
  if (problem !== null) throw new AiosError('EINVAL', `${arg} ${problem}`, { arg, value: value.slice(0, limits.AGENT_NAME_MAX) });
  return value;
}
