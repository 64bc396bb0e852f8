// `aios`: boot a node programmatically. `const node = await boot({ dataDir?, config? })`.
export { boot } from './node/boot.ts';
export type { AiosNode, BootOptions, NodeConfig } from './node/boot.ts';
export { main } from './cli/main.ts';
export { AiosError } from '@aios/abi';
export type { AgentInfo, SpawnOptions, AgentImage } from '@aios/abi';
