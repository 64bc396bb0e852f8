// memoryd's request checks: the ops and their shapes are the protocol table (@aios/abi MEMORYD, the one envelope);
// this file keeps only the validation of fields memoryd receives (requests come from any agent holding SEND to
// memoryd, so nothing is trusted) and memoryd's own sizes. Extra handles after the reply handle are namespace
// handles a request names by index.
import { AiosError, type JsonValue, type NsRef } from '@aios/abi';

// The ops, their request and result types live in the protocol table (@aios/abi MEMORYD): re-exported here.
export { MEMORYD, MEMORYD_OPS } from '@aios/abi';
export type { MemorydOp, NsRef, ChangeEvent, MemoryRecord } from '@aios/abi';

/** Largest reply payload memoryd sends (the IPC limit is 65,536 bytes; the rest is envelope headroom). */
export const MAX_REPLY_BYTES = 60 * 1024;
/** Budget for the lines of one export page (JSON-escaped, so well under MAX_REPLY_BYTES). */
export const EXPORT_PAGE_BYTES = 48 * 1024;
/** Tag of a namespace service object: `ns:<namespaceId>`. */
export const NS_TAG_PREFIX = 'ns:';
/** Namespace names an agent gives (its namespace ids are `a<agentId>:<name>`). */
export const NS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The private namespace used when a request names none. */
export const DEFAULT_NS_NAME = 'default';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A namespace reference field: undefined, a handle index, or a name/id. */
export function nsRef(v: unknown, field = 'ns'): NsRef | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v < 64) return v;
  if (typeof v === 'string' && v.length > 0 && v.length <= 160) return v;
  throw new AiosError('EINVAL', `${field} must be a handle index >= 1 or a namespace name`, { arg: field, value: v });
}

export function str(v: unknown, field: string, opt = false): string | undefined {
  if (v === undefined && opt) return undefined;
  if (typeof v !== 'string') throw new AiosError('EINVAL', `${field} must be a string`, { arg: field });
  return v;
}

export function int(v: unknown, field: string, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new AiosError('EINVAL', `${field} must be an integer ${min}..${max}`, { arg: field, value: v });
  return v as number;
}

export function obj(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new AiosError('EINVAL', `${field} must be an object`, { arg: field });
  return v;
}

export function json(v: unknown): JsonValue | undefined {
  return v === undefined ? undefined : (v as JsonValue);
}
