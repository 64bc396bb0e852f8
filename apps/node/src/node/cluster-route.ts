// Which remote nodes a cross-node ask tries, in order (pure). A node qualifies when it is not down and lists an
// agent serving the intent (by exact name), or, for a text ask, any agent with intents (its own semantic-ipcd
// scores the text there). Order: fewest in-flight load of the matching agents, then the node's load, then name,
// so equal candidates always come out the same way. The local node is never listed (it was asked first).
import type { AgentEntry, NodeView } from '@aios/drivers/transport-nats';

export interface RouteRequest {
  intent?: string;
  text?: string;
}

/** The names of an entry's intents (entries carry manifests `{ name, ... }`). */
export function intentNames(a: AgentEntry): string[] {
  const out: string[] = [];
  for (const i of a.intents ?? []) {
    const n = typeof i === 'string' ? i : (i as { name?: unknown } | null)?.name;
    if (typeof n === 'string') out.push(n);
  }
  return out;
}

export function remoteCandidates(agents: AgentEntry[], nodes: NodeView[], self: string, req: RouteRequest): string[] {
  const live = new Map(nodes.filter((n) => n.name !== self && n.state !== 'down').map((n) => [n.name, n]));
  const best = new Map<string, number>();
  for (const a of agents) {
    if (!live.has(a.node)) continue;
    const names = intentNames(a);
    const match = req.intent !== undefined ? names.includes(req.intent) : names.length > 0;
    if (!match) continue;
    const load = a.load ?? 0;
    best.set(a.node, Math.min(best.get(a.node) ?? Infinity, load));
  }
  return [...best.keys()].sort((x, y) => {
    const nx = live.get(x)!;
    const ny = live.get(y)!;
    // up before suspect, then the agents' load, then the node's load, then the name.
    const sx = nx.state === 'up' ? 0 : 1;
    const sy = ny.state === 'up' ? 0 : 1;
    return sx - sy || best.get(x)! - best.get(y)! || nx.load - ny.load || (x < y ? -1 : x > y ? 1 : 0);
  });
}
