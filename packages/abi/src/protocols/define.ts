// Service protocols as data, like the syscall table: one `as const` table per service listing each op with its
// request type, result type and the error codes it may give. The types ride on phantom fields (no runtime
// schema): clients and servers are typed by the table (runtime `client()` / `serveProtocol()`), so adding an op
// touches the table and its handler, and a wrong field is a compile error on both sides of the hop.

import type { ErrorCode } from '../errors.ts';

/** One op of a protocol: what it takes, what it gives, the error codes it may answer, what it does. */
export interface OpSpec<Req extends object = object, Res = unknown> {
  readonly errors: readonly ErrorCode[];
  readonly doc: string;
  /** Phantom: the request's argument type (never set at run time). */
  readonly __req?: Req;
  /** Phantom: the result type (never set at run time). */
  readonly __res?: Res;
}

/** A protocol: the service's name (as granted in namespaces) and its ops. */
export interface Protocol<Ops extends Record<string, OpSpec> = Record<string, OpSpec>> {
  readonly service: string;
  readonly ops: Ops;
}

/** Declares one op: `op<{ text: string }, { id: string }>(['EINVAL', 'EQUOTA'], 'stores a memory')`. */
export function op<Req extends object, Res>(errors: readonly ErrorCode[], doc: string): OpSpec<Req, Res> {
  return { errors, doc };
}

/** Declares a protocol table (identity at run time; keeps the literal types). */
export function defineProtocol<const Ops extends Record<string, OpSpec>>(service: string, ops: Ops): Protocol<Ops> {
  return { service, ops };
}

/** The names of a protocol's ops. */
export type OpName<P extends Protocol> = keyof P['ops'] & string;
/** The request arguments of an op (without id and op). */
export type OpRequest<P extends Protocol, K extends OpName<P>> = P['ops'][K] extends OpSpec<infer R, unknown> ? R : never;
/** The result of an op. */
export type OpResult<P extends Protocol, K extends OpName<P>> = P['ops'][K] extends OpSpec<object, infer R> ? R : never;
