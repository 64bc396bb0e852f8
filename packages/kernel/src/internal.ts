// For siblings and tests only (testkit, benches): kernel internals. Not a public API.
export { Agent } from './objects/agent.ts';
export { AgentExit } from './agent/exit.ts';
export { CapNode } from './cap/captree.ts';
export { HandleTable } from './cap/handles.ts';
export { FrameArena } from './mem/arena.ts';
export { FrameObject } from './objects/frame.ts';
export { AnonMemory } from './objects/memory.ts';
export { AddressSpace, pageRound } from './mem/vaspace.ts';
export { Pool } from './mem/pool.ts';
export { QuotaNode } from './quota/quota.ts';
export { RunQueue, DEFAULT_SCHED_PARAMS } from './sched/runqueue.ts';
export { niceToWeight, NICE_0_WEIGHT } from './sched/weights.ts';
export { EventBus, BufferedSubscriber, topicMatches, validatePattern } from './event/bus.ts';
export { AuditLog } from './audit/log.ts';
export { TicketTable } from './async/tickets.ts';
export { Mailbox } from './ipc/mailbox.ts';
export { HANDLERS, unimplementedSyscalls } from './syscall/table.ts';
