// Service protocols: the envelope every service call uses, its codec, and one table per service (ops, request
// and result types, error codes). Clients (runtime `client()`, the host's `request()`) and servers (runtime
// `createProtocolServer()`) are typed by them.
export { REPLY_TAG } from './envelope.ts';
export type { RequestId, WireError, RequestEnvelope, ReplyEnvelope } from './envelope.ts';
export { op, defineProtocol } from './define.ts';
export type { OpSpec, Protocol, OpName, OpRequest, OpResult } from './define.ts';
export { MAX_CAUSE_DEPTH, errorToWire, errorFromWire, parseReply, replyResult, replyBody } from './wire.ts';
export * from './memoryd.ts';
export * from './semantic-ipcd.ts';
export * from './intents.ts';
export * from './initd.ts';
export * from './identityd.ts';
export * from './planner.ts';
export * from './networkd.ts';
