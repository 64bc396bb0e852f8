// The envelope's codec, written once for every hop (runtime call()/serve(), the agents' intents, semantic-ipcd's
// forwards, the host's request()): errors to and from the wire with their cause chain (to MAX_CAUSE_DEPTH), and
// the decoding of a reply body. Trusts nothing: decoding checks every field.

import { AiosError, isErrorCode } from '../errors.ts';
import type { ReplyEnvelope, RequestId, WireError } from './envelope.ts';

/** Causes kept on the wire; deeper ones are dropped. */
export const MAX_CAUSE_DEPTH = 4;

/** Any thrown value as a wire error: AiosErrors keep code and detail; anything else is EIO with its message. */
export function errorToWire(e: unknown, depth = 0): WireError {
  const o = e as { code?: unknown; message?: unknown; detail?: unknown; cause?: unknown } | null;
  const out: WireError = {
    code: isErrorCode(o?.code) ? o!.code : 'EIO',
    message: typeof o?.message === 'string' ? o.message : String(e),
  };
  if (typeof o?.detail === 'object' && o.detail !== null && !Array.isArray(o.detail)) out.detail = o.detail as Record<string, unknown>;
  if (o?.cause !== undefined && o.cause !== null && depth < MAX_CAUSE_DEPTH) out.cause = errorToWire(o.cause, depth + 1);
  return out;
}

/** A wire error back as an AiosError, its cause chain rebuilt (an unknown code becomes EIO). */
export function errorFromWire(w: unknown, depth = 0): AiosError {
  const o = (typeof w === 'object' && w !== null ? w : {}) as Partial<WireError>;
  const code = isErrorCode(o.code) ? o.code : 'EIO';
  const message = typeof o.message === 'string' ? o.message : 'malformed error in reply';
  const detail = typeof o.detail === 'object' && o.detail !== null && !Array.isArray(o.detail) ? o.detail : undefined;
  const cause = o.cause !== undefined && depth < MAX_CAUSE_DEPTH ? errorFromWire(o.cause, depth + 1) : undefined;
  return new AiosError(code, message, detail as never, cause === undefined ? undefined : { cause });
}

/** A decoded reply body when `text` is one ({ id, ok, ... } JSON object), else null. */
export function parseReply(text: string): ReplyEnvelope | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const r = v as { id?: unknown; ok?: unknown };
    if (typeof r.ok !== 'boolean') return null;
    return v as ReplyEnvelope;
  } catch {
    return null;
  }
}

/** The result of a reply, or its error thrown as an AiosError (cause kept). */
export function replyResult<T>(r: ReplyEnvelope): T {
  if (r.ok) return r.result as T;
  throw errorFromWire(r.error);
}

/** A reply body ready for the wire. */
export function replyBody(id: RequestId | null, outcome: { ok: true; result: unknown } | { ok: false; error: unknown }): ReplyEnvelope {
  return outcome.ok ? { id, ok: true, result: outcome.result === undefined ? null : outcome.result } : { id, ok: false, error: errorToWire(outcome.error) };
}
