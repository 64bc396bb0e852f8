// A service client typed by the service's protocol table (abi/src/protocols): `client(MEMORYD, h).call('put',
// { text })` checks the op name, the arguments and the result type at compile time; on the wire it is the one
// call() of ipc/call.ts (one envelope, one reply tag, one inbox). Trusts the server's replies as JSON only.

import type { Handle, Message, OpName, OpRequest, OpResult, Protocol } from '@aios/abi';
import { call, callMessage, type CallOptions } from './call.ts';

export interface ProtocolClient<P extends Protocol> {
  /** The server this client calls. */
  readonly server: Handle;
  /** Calls one op; rejects with the server's AiosError (its cause kept), ETIMEDOUT, or the send's error. */
  call<K extends OpName<P>>(op: K, args: OpRequest<P, K>, opts?: CallOptions): Promise<OpResult<P, K>>;
  /** Like call(), with the reply message (for handles the server sends back). */
  callMessage<K extends OpName<P>>(op: K, args: OpRequest<P, K>, opts?: CallOptions): Promise<{ result: OpResult<P, K>; message: Message }>;
}

/** A typed client of `protocol`'s service at `server` (a handle with SEND). */
export function client<P extends Protocol>(protocol: P, server: Handle): ProtocolClient<P> {
  void protocol; // the table types the client; nothing of it is needed at run time
  return {
    server,
    call: (op, args, opts) => call(server, { ...(args as object), op }, opts),
    callMessage: (op, args, opts) => callMessage(server, { ...(args as object), op }, opts),
  };
}
