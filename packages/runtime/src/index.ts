// @aios/runtime: the SDK agents are written against. Imports only @aios/abi.
export { defineAgent } from './agent/define.ts';
export type { AgentDefinition, AgentContext, ReceivedMessage, IntentDefinition } from './agent/define.ts';
export { spawn } from './orchestration/spawn.ts';
export { send, receive, encode, ask, multicast, negotiate } from './ipc/index.ts';
export { AiosError, Rights, Perm } from '@aios/abi';
export type { Handle, Message, SpawnOptions, AgentImage, AgentId } from '@aios/abi';
