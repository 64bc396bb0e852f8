// memoryd's wire protocol: JSON requests over IPC with a reply handle as handles[0]; extra handles
// after it are namespace handles a request names by index. Pure shapes and checks; trusts nothing.
//
// Request: { id, op, ...fields }. Reply: { id, ok: true, result } | { id, ok: false, error: { code, message, detail? } }.
// A namespace reference (`ns`) is: absent (the caller's private default namespace), a number (index into
// the request's handles, >= 1: a namespace handle memoryd created), or a string (a name of one of the
// caller's own namespaces, or a full namespace id — reachable without a handle only by its owner).
import { AiosError, type JsonValue } from '@aios/abi';

export const MEMORYD_OPS = [
  'ns.create', 'ns.list', 'put', 'get', 'update', 'delete', 'search', 'subscribe', 'unsubscribe', 'export', 'import', 'stats', 'reembed',
] as const;
export type MemorydOp = (typeof MEMORYD_OPS)[number];

export type NsRef = number | string;

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

export interface MemorydRequest {
  id: string | number;
  op: MemorydOp;
  [field: string]: unknown;
}

export interface MemorydError {
  code: string;
  message: string;
  detail?: unknown;
}

export type MemorydReply =
  | { id: string | number | null; ok: true; result: unknown; handle?: number }
  | { id: string | number | null; ok: false; error: MemorydError };

/** A change pushed to a subscriber's reply handle (tag 'data'). */
export interface ChangeEvent {
  event: 'change';
  /** Id of the subscribe request. */
  id: string | number;
  sub: string;
  ns: string;
  seq: number;
  op: string;
  item: string;
  key?: string;
  version: number;
  at: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the envelope of a decoded request (EINVAL naming the field). */
export function readRequest(v: unknown): MemorydRequest {
  if (!isObj(v)) throw new AiosError('EINVAL', 'a memoryd request must be a JSON object', { arg: 'request' });
  if (typeof v.id !== 'string' && typeof v.id !== 'number') throw new AiosError('EINVAL', 'id must be a string or a number', { arg: 'id' });
  if (!MEMORYD_OPS.includes(v.op as MemorydOp)) throw new AiosError('EINVAL', `op must be one of ${MEMORYD_OPS.join(', ')}`, { arg: 'op', value: v.op });
  return v as MemorydRequest;
}

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

export function errorReply(id: string | number | null, e: unknown): MemorydReply {
  const err = e as { code?: string; message?: string; detail?: unknown };
  const body: MemorydError = { code: typeof err?.code === 'string' ? err.code : 'EIO', message: String(err?.message ?? e) };
  if (err?.detail !== undefined) body.detail = err.detail;
  return { id, ok: false, error: body };
}
