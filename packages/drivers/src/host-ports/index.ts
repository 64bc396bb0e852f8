// Host ports: clock, timers, randomness, stepping and the image loader of this Node.js process.
export { hostPorts } from './ports.ts';
export type { HostPortOptions } from './ports.ts';
