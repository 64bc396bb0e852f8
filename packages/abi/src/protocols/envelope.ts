// The one envelope of every service call (Erlang's gen_server:call over kernel IPC), written once:
//   request  { id, op, ...args }   tag 'data', handles[0] = the caller's reply handle (SEND), the request's
//                                   own handles after it (named by index from 1)
//   reply    { id, ok: true, result } | { id, ok: false, error: WireError }   tag REPLY_TAG
// Errors cross as { code, message, detail?, cause? }: the caller gets back an AiosError with its cause chain.

/** The tag of every reply of every service (and of intent replies). */
export const REPLY_TAG = 'reply';

/** Request ids are chosen by the caller and echoed by the server. */
export type RequestId = string | number;

/** An AiosError on the wire; `cause` keeps the chain (to a bounded depth). */
export interface WireError {
  code: string;
  message: string;
  detail?: Record<string, unknown>;
  cause?: WireError;
}

/** A request as it travels: the op and its arguments, flattened beside the id. */
export type RequestEnvelope<Op extends string = string, Args extends object = Record<string, unknown>> = { id: RequestId; op: Op } & Args;

/** A reply as it travels. */
export type ReplyEnvelope<Result = unknown> =
  | { id: RequestId | null; ok: true; result: Result }
  | { id: RequestId | null; ok: false; error: WireError };
