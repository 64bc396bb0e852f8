// The NATS transport: cluster membership, encrypted links and the directory (docs/cluster.md).
export { Cluster } from './cluster.ts';
export type { ClusterOptions, ClusterAuditEvent, FrameHandler, RequestHandler, BytesHandler } from './cluster.ts';
export type { AgentEntry, NodeEntry, NodeState, NodeView } from './directory.ts';
export { nodeIdentity } from './identity.ts';
export type { NodeIdentity } from './identity.ts';
export { resolveCookie } from './cookie.ts';
export type { CookieSource } from './cookie.ts';
