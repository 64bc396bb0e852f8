// Host ports: clock, timers, randomness, stepping and the image loader of this Node.js process;
// mounted folders (fs), outbound HTTP (net) and the HAL's view of the host (hw).
export { hostPorts } from './ports.ts';
export type { HostPortOptions } from './ports.ts';
export { createHostFs } from './fs.ts';
export type { HostFsOptions } from './fs.ts';
export { createHostNet } from './net.ts';
export { hardwareInfo, findAccelerators } from './hal.ts';
