// `aios nodes [--json]`: the cluster's nodes from the running node's /v1/nodes (api/cluster-routes.ts).
// To merge: `{ ...COMMANDS, ...CLUSTER_COMMANDS }`.
import { resolveDataDir } from 'aios/offline';
import { connect } from './client.ts';
import { table } from './format.ts';
import { COMMON_OPTS, JSON_OPT } from './options.ts';
import type { Command } from './commands.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** `aios spawn --node NAME FILE`: the file's text goes to NAME through the running node (POST /v1/nodes/NAME/agents). */
export async function spawnOnNode(c: ReturnType<typeof connect>, node: string, file: string, v: Record<string, unknown>, io: { out(s: string): void }): Promise<number> {
  const source = readFileSync(resolve(file), 'utf8');
  const r = await c.request<{ id: number; node: string; address: string }>('POST', `/v1/nodes/${encodeURIComponent(node)}/agents`, { source, ...(typeof v.name === 'string' ? { name: v.name } : {}) });
  io.out(v.json ? JSON.stringify(r) : r.address);
  return 0;
}

interface NodeRow {
  name: string;
  state: string;
  agents: number;
  load: number;
  services: string[];
  lastSeenMs: number;
  self: boolean;
}

export const CLUSTER_COMMANDS: Record<string, Command> = {
  nodes: {
    summary: 'the nodes of the cluster: name, state (up|suspect|down), agents',
    usage: 'aios nodes [--json]',
    options: { ...COMMON_OPTS, ...JSON_OPT },
    positionals: 0,
    async run(v, _p, io) {
      const rows = await connect(resolveDataDir(v['data-dir'] as string | undefined)).request<NodeRow[]>('GET', '/v1/nodes');
      if (v.json) io.out(JSON.stringify(rows));
      else io.out(table([['NODE', 'STATE', 'AGENTS', 'LOAD', 'SEEN'], ...rows.map((r) => [`${r.name}${r.self ? ' *' : ''}`, r.state, String(r.agents), String(r.load), `${r.lastSeenMs} ms`])]));
      return 0;
    },
  },
};
