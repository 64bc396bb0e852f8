// The supervisor agent's config (ctx.config) and its control protocol. Pure data
// checks; the agent trusts nothing in config or messages beyond these shapes.

import { AiosError } from '@aios/abi';
import type { ChildSpec, SupFlags } from '@aios/runtime/orchestration';

/** ctx.config of the agentsupervisor image. */
export interface SupervisorConfig {
  flags?: SupFlags;
  specs: ChildSpec[];
}

/**
 * A control request: JSON sent to the supervisor with a reply handle as handles[0].
 * The reply is JSON `{ id?, ok: true, result }` or `{ id?, ok: false, error: { code, message, detail } }`.
 */
export type SupervisorRequest =
  | { id?: string | number; op: 'which_children' | 'count_children' }
  | { id?: string | number; op: 'start_child'; spec?: ChildSpec; args?: unknown }
  | { id?: string | number; op: 'terminate_child'; child: string | number }
  | { id?: string | number; op: 'restart_child' | 'delete_child'; child: string };

export function readSupervisorConfig(config: unknown): SupervisorConfig {
  if (typeof config !== 'object' || config === null) throw new AiosError('EINVAL', 'agentsupervisor: ctx.config must be { flags?, specs }', { arg: 'config' });
  const c = config as Record<string, unknown>;
  if (!Array.isArray(c.specs)) throw new AiosError('EINVAL', 'agentsupervisor: config.specs must be a list of ChildSpec', { arg: 'config.specs' });
  return { flags: (c.flags ?? undefined) as SupFlags | undefined, specs: c.specs as ChildSpec[] };
}

const OPS = new Set(['which_children', 'count_children', 'start_child', 'terminate_child', 'restart_child', 'delete_child']);

export function readSupervisorRequest(v: unknown): SupervisorRequest {
  if (typeof v !== 'object' || v === null || !OPS.has((v as { op?: string }).op ?? '')) {
    throw new AiosError('EINVAL', `request must be { op } with op one of ${[...OPS].join(', ')}`, { arg: 'op' });
  }
  return v as SupervisorRequest;
}
