// semantic-ipcd's view of the other nodes of a cluster: the remote agents with intents that networkd hands over
// (op 'cluster', a RemoteDirectory), each given a local routing id (REMOTE_ID_BASE and up, never a local agent id)
// so the one IntentRouter scores local and remote intents alike. Pure: no syscalls. Trusts networkd's snapshot
// as the directory (cookie-MAC'd entries); checks its shape.

import { AiosError, limits, type ClusterNodeState, type IntentManifest, type RemoteDirectory } from '@aios/abi';

/** Routing ids of remote agents start here (local agent ids are small kernel ids). */
export const REMOTE_ID_BASE = 2 ** 40;

export interface RemoteTarget {
  /** Routing id in this semantic-ipcd (router and match lists). */
  rid: number;
  node: string;
  name: string;
  /** Its id on its own node. */
  id: number;
  intents: Map<string, IntentManifest>;
  load: number;
  /** The manifests as registered (a change re-registers). */
  sig: string;
}

export interface RemoteChange {
  /** Targets whose intents must be (re)registered in the router. */
  register: RemoteTarget[];
  /** Routing ids to unregister. */
  unregister: number[];
}

const NODE_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function isRemote(id: number): boolean {
  return id >= REMOTE_ID_BASE;
}

/** Checks networkd's snapshot (EINVAL naming the field); intents keep name, description and examples only. */
export function readDirectory(raw: unknown): RemoteDirectory {
  const o = raw as Partial<RemoteDirectory> | null;
  if (typeof o !== 'object' || o === null || typeof o.node !== 'string' || !NODE_RE.test(o.node)) throw new AiosError('EINVAL', 'cluster needs node', { arg: 'node' });
  if (typeof o.version !== 'string' || !Array.isArray(o.nodes) || !Array.isArray(o.agents)) throw new AiosError('EINVAL', 'cluster needs version, nodes and agents', { arg: 'agents' });
  const nodes = o.nodes.filter((n) => typeof n?.name === 'string' && NODE_RE.test(n.name) && ['up', 'suspect', 'down'].includes(n.state))
    .map((n) => ({ name: n.name, state: n.state, load: Number.isFinite(n.load) ? n.load : 0 }));
  const agents: RemoteDirectory['agents'] = [];
  for (const a of o.agents) {
    if (typeof a?.node !== 'string' || !NODE_RE.test(a.node) || a.node === o.node || typeof a.name !== 'string' || a.name === '' || !Number.isSafeInteger(a.id) || !Array.isArray(a.intents)) continue;
    const intents: IntentManifest[] = [];
    for (const i of a.intents) {
      if (typeof i?.name !== 'string' || i.name === '' || i.name.length > 128 || i.name.startsWith('__')) continue;
      const examples = Array.isArray(i.examples) ? i.examples.filter((x): x is string => typeof x === 'string').slice(0, 8) : undefined;
      intents.push({ name: i.name, ...(typeof i.description === 'string' ? { description: i.description } : {}), ...(examples !== undefined ? { examples } : {}) });
    }
    if (intents.length > 0) agents.push({ node: a.node, name: a.name, id: a.id, intents, load: Number.isFinite(a.load) ? a.load : 0 });
  }
  return { node: o.node, version: o.version, nodes, agents };
}

export class RemoteTargets {
  /** This node's name (null until networkd's first snapshot: not in a cluster). */
  self: string | null = null;
  version = '';
  private readonly byAddress = new Map<string, RemoteTarget>();
  private readonly byRid = new Map<number, RemoteTarget>();
  private readonly nodes = new Map<string, { state: ClusterNodeState; load: number }>();
  private nextRid = REMOTE_ID_BASE;
  /** Nodes a forward recently failed to reach, until when (avoid()). */
  private readonly avoided = new Map<string, number>();

  get size(): number {
    return this.byRid.size;
  }

  get(rid: number): RemoteTarget | undefined {
    return this.byRid.get(rid);
  }

  /** Replaces the view with a snapshot; says what the router must register and unregister. */
  apply(d: RemoteDirectory, log: (...a: unknown[]) => void = () => undefined): RemoteChange {
    this.self = d.node;
    this.version = d.version;
    this.nodes.clear();
    for (const n of d.nodes) this.nodes.set(n.name, { state: n.state, load: n.load });
    const out: RemoteChange = { register: [], unregister: [] };
    const seen = new Set<string>();
    let pairs = 0;
    for (const a of d.agents) {
      const st = this.nodes.get(a.node)?.state;
      if (st === undefined || st === 'down') continue;
      if (pairs + a.intents.length > limits.CLUSTER_REMOTE_INTENTS_MAX) {
        log(`more than ${limits.CLUSTER_REMOTE_INTENTS_MAX} remote intents: ${a.name}@${a.node} left out`);
        continue;
      }
      pairs += a.intents.length;
      const address = `${a.name}@${a.node}`;
      seen.add(address);
      const sig = JSON.stringify([a.id, a.intents]);
      let t = this.byAddress.get(address);
      if (t !== undefined && t.sig === sig) {
        t.load = a.load;
        continue;
      }
      if (t !== undefined) out.unregister.push(t.rid);
      else {
        t = { rid: this.nextRid++, node: a.node, name: a.name, id: a.id, intents: new Map(), load: a.load, sig };
        this.byAddress.set(address, t);
        this.byRid.set(t.rid, t);
      }
      t.id = a.id;
      t.load = a.load;
      t.sig = sig;
      t.intents = new Map(a.intents.map((i) => [i.name, i]));
      out.register.push(t);
    }
    for (const [address, t] of this.byAddress) {
      if (seen.has(address)) continue;
      this.byAddress.delete(address);
      this.byRid.delete(t.rid);
      out.unregister.push(t.rid);
    }
    return out;
  }

  /** Remote targets serving the exact intent name, in failover order (order()). */
  serving(intent: string, now: number): RemoteTarget[] {
    return this.order([...this.byRid.values()].filter((t) => t.intents.has(intent)), now);
  }

  /**
   * Failover order of remote instances: nodes `up` before `suspect` before recently unreachable (avoid()), then the
   * agent's load, the node's load, the node's name, the agent's name (equal candidates always come out the same
   * way). Down nodes are left out.
   */
  order(ts: RemoteTarget[], now: number): RemoteTarget[] {
    const state = (t: RemoteTarget): number => (this.avoiding(t.node, now) ? 2 : this.nodes.get(t.node)?.state === 'up' ? 0 : 1);
    return ts
      .filter((t) => { const s = this.nodes.get(t.node)?.state; return s === 'up' || s === 'suspect'; })
      .sort((x, y) => state(x) - state(y) || x.load - y.load || (this.nodes.get(x.node)?.load ?? 0) - (this.nodes.get(y.node)?.load ?? 0)
        || cmp(x.node, y.node) || cmp(x.name, y.name));
  }

  /**
   * A node a forward could not reach: ordered after every other node for `forMs` (the directory marks it down, or it
   * answers again), so the next asks go to live replicas at once instead of waiting on it.
   */
  avoid(node: string, now: number, forMs: number = limits.CLUSTER_DOWN_MS): void {
    this.avoided.set(node, now + forMs);
  }

  private avoiding(node: string, now: number): boolean {
    const until = this.avoided.get(node);
    if (until === undefined) return false;
    if (now < until) return true;
    this.avoided.delete(node);
    return false;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
