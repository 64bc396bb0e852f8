// Service protocols: the envelope every service call uses and one table per service (ops, request and result
// types, error codes). Clients (runtime `client()`) and servers (runtime `serveProtocol()`) are typed by them.
export { REPLY_TAG } from './envelope.ts';
export type { RequestId, WireError, RequestEnvelope, ReplyEnvelope } from './envelope.ts';
export { op, defineProtocol } from './define.ts';
export type { OpSpec, Protocol, OpName, OpRequest, OpResult } from './define.ts';
export { IDENTITYD } from './identityd.ts';
export type { IdentityCertificate, IdentityCertificateBody, IdentityInfo, AgentAttestation } from './identityd.ts';
export { PLANNER } from './planner.ts';
export type { PlanState, StepState, PlanStep, PlanJson, StepView, PlanView, PlanSummary, MadePlan } from './planner.ts';
export { NETWORKD } from './networkd.ts';
export type { ClusterNodeRow, ClusterNodeState, ClusterAgentRow, ClusterAskResult } from './networkd.ts';
