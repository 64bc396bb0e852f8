// `aios`: the node. Boot one programmatically: `const node = await boot({ dataDir?, config? })`.
// The `aios` command (apps/cli) loads this entry for `aios boot` and `aios run`, and for the offline
// policy commands (the Cedar engine is the node's); everything else it needs is in `aios/offline`.
export { boot } from './node/boot.ts';
export type { AiosNode, BootOptions, NodeConfig } from './node/boot.ts';
export { NODE_POLICIES, POLICY_FILE, validatePolicyText } from './security/policy.ts';
export { AiosError } from '@aios/abi';
export type { AgentInfo, SpawnOptions, AgentImage } from '@aios/abi';
