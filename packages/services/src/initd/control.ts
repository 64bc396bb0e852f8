// initd's control requests: the ops, their shapes and error codes are the protocol table (@aios/abi INITD); this
// file keeps the validation of a request's fields (EINVAL naming the field).

import { AiosError, INITD_OPS, type InitdOp } from '@aios/abi';

export type ControlOp = InitdOp;

export interface ControlRequest {
  id?: string | number;
  op: ControlOp;
  unit?: string;
}

const NEEDS_UNIT = new Set<ControlOp>(['start', 'stop', 'restart']);

/** Checks a decoded request (EINVAL naming the field). */
export function readControlRequest(v: unknown): ControlRequest {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AiosError('EINVAL', 'a control request must be a JSON object', { arg: 'request' });
  const o = v as Record<string, unknown>;
  if (!INITD_OPS.includes(o.op as ControlOp)) throw new AiosError('EINVAL', `op must be one of ${INITD_OPS.join(', ')}`, { arg: 'op', value: o.op });
  const op = o.op as ControlOp;
  if (o.id !== undefined && typeof o.id !== 'string' && typeof o.id !== 'number') throw new AiosError('EINVAL', 'id must be a string or a number', { arg: 'id' });
  if (NEEDS_UNIT.has(op) && (typeof o.unit !== 'string' || o.unit.length === 0)) throw new AiosError('EINVAL', `op '${op}' needs a unit name`, { arg: 'unit' });
  return { op, ...(o.id !== undefined ? { id: o.id as string | number } : {}), ...(typeof o.unit === 'string' ? { unit: o.unit } : {}) };
}
