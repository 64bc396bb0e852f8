// The request/reply envelope shared by call() (ipc/call.ts) and serve() (orchestration/serve.ts):
//   request  { id, op, ...args }            (handles[0]: the reply handle)
//   reply    { id, ok: true, result }  |  { id, ok: false, error: WireError }   (tag REPLY_TAG)
// Errors cross as { code, message, detail?, cause? }, the cause chain kept (to MAX_CAUSE_DEPTH), so the caller
// gets back an AiosError with its `cause`. Trusts nothing: decoding checks every field.

import { AiosError, REPLY_TAG, isErrorCode, type WireError } from '@aios/abi';

export { REPLY_TAG };
export type { WireError };
/** Causes kept on the wire; deeper ones are dropped. */
const MAX_CAUSE_DEPTH = 4;

export type Reply =
  | { id: string | number | null; ok: true; result: unknown }
  | { id: string | number | null; ok: false; error: WireError };

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
