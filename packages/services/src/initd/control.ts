// initd's control protocol: JSON requests over IPC with a reply handle as handles[0].
// Request: { id?, op: 'ls'|'start'|'stop'|'restart'|'graph', unit? }.
// Reply:   { id?, ok: true, result } or { id?, ok: false, error: { code, message, detail? } }.

import { AiosError } from '@aios/abi';

export type ControlOp = 'ls' | 'start' | 'stop' | 'restart' | 'graph';

export interface ControlRequest {
  id?: string | number;
  op: ControlOp;
  unit?: string;
}

export interface ControlError {
  code: string;
  message: string;
  detail?: unknown;
}

export type ControlReply = { id?: string | number; ok: true; result: unknown } | { id?: string | number; ok: false; error: ControlError };

const OPS: readonly ControlOp[] = ['ls', 'start', 'stop', 'restart', 'graph'];
const NEEDS_UNIT = new Set<ControlOp>(['start', 'stop', 'restart']);

/** Checks a decoded request (EINVAL naming the field). */
export function readControlRequest(v: unknown): ControlRequest {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AiosError('EINVAL', 'a control request must be a JSON object', { arg: 'request' });
  const o = v as Record<string, unknown>;
  if (!OPS.includes(o.op as ControlOp)) throw new AiosError('EINVAL', `op must be one of ${OPS.join(', ')}`, { arg: 'op', value: o.op });
  const op = o.op as ControlOp;
  if (o.id !== undefined && typeof o.id !== 'string' && typeof o.id !== 'number') throw new AiosError('EINVAL', 'id must be a string or a number', { arg: 'id' });
  if (NEEDS_UNIT.has(op) && (typeof o.unit !== 'string' || o.unit.length === 0)) throw new AiosError('EINVAL', `op '${op}' needs a unit name`, { arg: 'unit' });
  return { op, ...(o.id !== undefined ? { id: o.id as string | number } : {}), ...(typeof o.unit === 'string' ? { unit: o.unit } : {}) };
}

export function errorReply(id: string | number | undefined, e: unknown): ControlReply {
  const err = e as { code?: string; message?: string; detail?: unknown };
  const body: ControlError = { code: typeof err?.code === 'string' ? err.code : 'EIO', message: String(err?.message ?? e) };
  if (err?.detail !== undefined) body.detail = err.detail;
  return id === undefined ? { ok: false, error: body } : { id, ok: false, error: body };
}
