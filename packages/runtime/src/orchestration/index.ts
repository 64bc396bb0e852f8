// @aios/runtime/orchestration: starting and coordinating agents.
export { spawn } from './spawn.ts';
export { clone, merge, split, upgrade, specialize, checkpoint, restore, suspend, resume } from './lifecycle.ts';
export { supervise } from './supervisor.ts';
export type { Supervisor, SupervisorOptions, SupervisorExit, ChildInfo, ChildCounts } from './supervisor.ts';
export { normalizeFlags, normalizeSpec, normalizeSpecs, shouldRestart, DEFAULT_FLAGS, DEFAULT_WORKER_SHUTDOWN_MS } from './childspec.ts';
export type { ChildSpec, SupFlags, Strategy, RestartType, ChildType, NormalizedSpec } from './childspec.ts';
export { restartWindow } from './intensity.ts';
export { detachChild } from './child-slot.ts';
export type { ChildSlot } from './child-slot.ts';
export type { RestartWindow } from './intensity.ts';
export { createInbox, isNotice, readNotice } from './inbox.ts';
export type { Inbox } from './inbox.ts';
export { SHUTDOWN_TAG, isShutdownRequest, requestShutdown, stopAgents } from './shutdown.ts';
export type { Shutdown, StopTarget, StopResult } from './shutdown.ts';
export { serve, createServer, Outcome } from './serve.ts';
export type { ServeOptions, ServeStats, Server, ServedRequest, RequestContext, OpHandler } from './serve.ts';
export { serveProtocol, createProtocolServer } from './serve-protocol.ts';
export type { ProtocolHandlers } from './serve-protocol.ts';
