// initd's control protocol table (`aios svc ls|graph|start|stop|restart`): the one place its ops are declared.
// initd serves it with createProtocolServer; the host's API routes call it with the abi `request()`.

import type { AgentId } from '../types.ts';
import { defineProtocol, op, type OpName } from './define.ts';

/** A unit's restart policy (systemd words; initd maps them onto the supervisor's permanent/transient/temporary). */
export type UnitRestart = 'always' | 'on-failure' | 'no';

export type UnitState = 'inactive' | 'starting' | 'active' | 'stopping' | 'failed' | 'unavailable';

/** One unit as `svc ls` shows it. */
export interface UnitStatus {
  name: string;
  state: UnitState;
  agent: AgentId | null;
  description: string;
  restart: UnitRestart;
  requires: string[];
  after: string[];
  /** Start level in the graph (null when the unit cannot run). */
  level: number | null;
  restarts: number;
  /** Why the unit is failed or unavailable. */
  why?: string;
  lastExit?: { code: number; reason: string };
}

type UnitArg = { unit: string };

export const INITD = defineProtocol('initd', {
  ls: op<Record<string, never>, UnitStatus[]>([], 'every unit and its state'),
  graph: op<Record<string, never>, { dot: string; tree: string; levels: string[][] }>([], 'the dependency graph (DOT, a tree, the start levels)'),
  start: op<UnitArg, { unit: string; started: string[] }>(['EINVAL', 'ENOENT', 'EBUSY'], 'starts a unit and what it requires'),
  stop: op<UnitArg, { unit: string; stopped: string[] }>(['EINVAL', 'ENOENT'], 'stops a unit and the units that require it'),
  restart: op<UnitArg, { unit: string; started: string[] }>(['EINVAL', 'ENOENT', 'EBUSY'], 'stops then starts a unit and its running dependents'),
});

export type InitdOp = OpName<typeof INITD>;
/** initd's ops, derived from the table. */
export const INITD_OPS = Object.keys(INITD.ops) as readonly InitdOp[];
