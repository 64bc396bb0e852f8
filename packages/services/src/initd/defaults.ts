// The built-in units: the node's services and how they depend on each other. A unit
// whose image the node does not supply (config.images) is listed but not started, so
// the list can name services that are still being built.

import type { UnitDef } from './units.ts';

export const DEFAULT_UNITS: readonly UnitDef[] = [
  { name: 'identityd', image: 'identityd', description: 'identities, keys and tokens of agents', restart: 'always', devices: ['nodekey', 'storage'], capabilities: ['service'], opts: { domain: 'native' } },
  { name: 'memoryd', image: 'memoryd', description: 'the shared semantic memory fabric', restart: 'always', after: ['identityd'], devices: ['storage', 'embedder'], capabilities: ['service'], opts: { domain: 'native' } },
  { name: 'semantic-ipcd', image: 'semantic-ipcd', description: 'routes intents to the agents that serve them', restart: 'always', after: ['identityd'], devices: ['embedder', 'model'], capabilities: ['admin', 'service'], opts: { domain: 'native' } },
  { name: 'agentsupervisor', image: 'agentsupervisor', description: 'supervision tree of long-lived user agents', restart: 'always', capabilities: ['spawn', 'supervise'], opts: { config: { flags: { strategy: 'one_for_one' }, specs: [] } } },
  { name: 'planner', image: 'planner', description: 'turns goals into durable plans over the other services', restart: 'on-failure', requires: ['memoryd', 'semantic-ipcd'], devices: ['storage', 'model'], capabilities: ['admin', 'service'], opts: { domain: 'native' } },
  // Started only on a clustered node (boot supplies its image and the `transport` device then).
  { name: 'networkd', image: 'networkd', description: 'distributed IPC routing between nodes', restart: 'on-failure', requires: ['semantic-ipcd'], devices: ['transport'], capabilities: ['service'], opts: { domain: 'native' } },
];
