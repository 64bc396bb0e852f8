// @aios/runtime/orchestration: starting and coordinating agents.
export { spawn } from './spawn.ts';
