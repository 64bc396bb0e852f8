// serve() typed by a protocol table: one handler per op of the table, each taking that op's request type and
// returning its result type (or an Outcome that carries handles back). A missing or misspelt handler is a
// compile error; at run time an op the table does not list is answered EINVAL by serve().

import type { OpName, OpRequest, OpResult, Protocol } from '@aios/abi';
import { createServer, type Outcome, type RequestContext, type ServeOptions, type ServedRequest, type Server } from './serve.ts';

/** The handler of one op: the request (its args, id and op) in, the result (or an Outcome) out. */
export type ProtocolHandlers<P extends Protocol> = {
  [K in OpName<P>]: (req: OpRequest<P, K> & ServedRequest, ctx: RequestContext) => OpResult<P, K> | Outcome | Promise<OpResult<P, K> | Outcome>;
};

/** Creates the server loop of `protocol` with its handlers (see serve.ts for fairness, timeouts, malformed input). */
export function createProtocolServer<P extends Protocol>(protocol: P, handlers: ProtocolHandlers<P>, opts: Omit<ServeOptions, 'ops'> = {}): Server {
  for (const name of Object.keys(protocol.ops)) {
    if (typeof (handlers as Record<string, unknown>)[name] !== 'function') throw new TypeError(`${protocol.service}: no handler for op ${name}`);
  }
  return createServer({ ...opts, ops: handlers as unknown as ServeOptions['ops'] });
}

/** Runs the server loop of `protocol` until its `other` hook says stop. */
export function serveProtocol<P extends Protocol>(protocol: P, handlers: ProtocolHandlers<P>, opts: Omit<ServeOptions, 'ops'> = {}): Promise<void> {
  return createProtocolServer(protocol, handlers, opts).run();
}
