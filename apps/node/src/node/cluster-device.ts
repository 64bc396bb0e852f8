// The node's cluster membership as a `transport` device on the bus: initd passes it to networkd, which serves
// agents with it (packages/services/src/networkd). Methods (kernel DEVICE_METHODS.transport): nodes, lookup,
// spawn, askRemote. askRemote tries the nodes remoteCandidates() orders; a node that is down, unreachable, times
// out or has no route there is skipped for the next (replica failover); the first answer wins, and an answer
// that is an error (the handler's) is the ask's error. ENOROUTE only when no node had a match.
// remotes and forward serve semantic-ipcd through networkd: the other nodes' intents, and one routed request to
// another node's semantic-ipcd (cluster-intents.ts answers it there).
import {
  AiosError, limits, type ClusterAgentRow, type ClusterAskResult, type ClusterNodeRow, type Driver, type DriverInfo, type IntentManifest, type RemoteDirectory,
  type RemoteForward, type RemoteReply,
} from '@aios/abi';
import type { ClusterNode } from './cluster.ts';
import { intentNames, remoteCandidates } from './cluster-route.ts';

/** What a node answers to a remote 'ask' (transport failures stay distinct from the handler's errors). */
export type RemoteAskReply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; detail?: Record<string, unknown> } };

/** Extra wait for a remote ask beyond its target timeout (the link round trip and the remote semantic-ipcd). */
const REMOTE_GRACE_MS = 3_000;

export class TransportDevice implements Driver {
  readonly info: DriverInfo;
  constructor(private readonly node: ClusterNode) {
    this.info = { name: `cluster:${node.name}`, version: '1.0.0', kind: 'transport', description: `node ${node.name} in a NATS cluster (encrypted links, KV directory)` };
  }

  nodes(): ClusterNodeRow[] {
    return this.node.nodes().map((n) => ({ name: n.name, state: n.state, agents: n.agents, load: n.load, services: n.services, self: n.name === this.node.name }));
  }

  lookup(q: { address?: string; intent?: string } = {}): ClusterAgentRow[] {
    const rows: ClusterAgentRow[] = [];
    for (const a of this.node.cluster.directory.allAgents()) {
      const address = `${a.name}@${a.node}`;
      if (q.address !== undefined && address !== q.address) continue;
      const intents = intentNames(a);
      if (q.intent !== undefined && !intents.includes(q.intent)) continue;
      if (this.node.cluster.directory.state(a.node) === 'down') continue;
      rows.push({ address, node: a.node, name: a.name, id: a.id, intents, load: a.load ?? 0 });
    }
    return rows;
  }

  spawn(req: { node: string; source?: string; path?: string; name?: string }): Promise<{ id: number; node: string; address: string }> {
    if (req.node === this.node.name) throw new AiosError('EINVAL', 'remote spawn names another node (spawn locally with agentSpawn)', { node: req.node });
    const known = this.node.nodes().find((n) => n.name === req.node);
    if (known === undefined || known.state === 'down') throw new AiosError('ENOENT', `no live node ${req.node} in the cluster`, { node: req.node });
    return this.node.spawnOn(req.node, { ...(req.source !== undefined ? { source: req.source } : {}), ...(req.path !== undefined ? { path: req.path } : {}) }, req.name);
  }

  /**
   * The other nodes' agents with intents (manifests as published: name, description, up to 8 examples), and the live
   * nodes' states and loads; null when nothing changed since `since` (the version of an earlier answer).
   */
  /**
   * The other nodes' intents, or null when nothing changed since `since`. With `waitMs`, an unchanged view is
   * waited on here (a host timer looks every CLUSTER_REMOTES_POLL_MS) for at most that long, so networkd's
   * long poll costs one DeviceCall (and one audit record) per change or per wait, not one per look.
   */
  remotes(q: { since?: string; waitMs?: number } = {}): RemoteDirectory | null | Promise<RemoteDirectory | null> {
    const now = this.remoteView(q.since);
    const waitMs = Math.min(Number.isInteger(q.waitMs) ? Number(q.waitMs) : 0, limits.CLUSTER_REMOTES_WAIT_MAX_MS);
    if (now !== null || waitMs <= 0) return now;
    return new Promise((resolve) => {
      const end = Date.now() + waitMs;
      const timer = setInterval(() => {
        const view = this.remoteView(q.since);
        if (view === null && Date.now() < end) return;
        clearInterval(timer);
        resolve(view);
      }, limits.CLUSTER_REMOTES_POLL_MS);
      timer.unref?.();
    });
  }

  private remoteView(since: string | undefined): RemoteDirectory | null {
    const dir = this.node.cluster.directory;
    const nodes = this.node.nodes().filter((n) => n.name !== this.node.name && n.state !== 'down').map((n) => ({ name: n.name, state: n.state, load: n.load }));
    const version = `${dir.version}|${nodes.map((n) => `${n.name}:${n.state}:${n.load}`).join(',')}`;
    if (since === version) return null;
    const agents: RemoteDirectory['agents'] = [];
    for (const a of dir.allAgents()) {
      if (a.node === this.node.name || !Array.isArray(a.intents) || a.intents.length === 0) continue;
      agents.push({ node: a.node, name: a.name, id: a.id, intents: a.intents as IntentManifest[], load: a.load ?? 0 });
    }
    return { node: this.node.name, version, nodes, agents };
  }

  /**
   * One routed request to another node's semantic-ipcd: resolves with what it answered (the handler's result or
   * error); rejects only when the node cannot be reached (ENOENT: not a live node; EIO: down or refused; ETIMEDOUT).
   */
  forward(f: RemoteForward): Promise<RemoteReply> {
    if (f.node === this.node.name) throw new AiosError('EINVAL', 'forward names another node', { node: f.node });
    const known = this.node.nodes().find((n) => n.name === f.node);
    if (known === undefined || known.state === 'down') throw new AiosError('ENOENT', `no live node ${f.node} in the cluster`, { node: f.node });
    const { node, ...body } = f;
    return this.node.cluster.request<RemoteReply>(node, 'intent', body as Record<string, unknown>, f.timeoutMs + limits.CLUSTER_FORWARD_GRACE_MS);
  }

  async askRemote(req: { text?: string; intent?: string; payload?: unknown; timeoutMs?: number }): Promise<ClusterAskResult> {
    const order = remoteCandidates(this.node.cluster.directory.allAgents(), this.node.nodes(), this.node.name, req);
    const failedOver: string[] = [];
    const noRoute: string[] = [];
    for (const node of order) {
      let reply: RemoteAskReply;
      try {
        reply = await this.node.cluster.request<RemoteAskReply>(node, 'ask', { ...req }, (req.timeoutMs ?? 10_000) + REMOTE_GRACE_MS);
      } catch {
        failedOver.push(node); // down, unreachable, refused or timed out: the next replica
        continue;
      }
      if (reply.ok) return { node, result: reply.result, failedOver };
      if (reply.error.code === 'ENOROUTE' || reply.error.code === 'ESRCH') {
        noRoute.push(node); // the directory was behind that node's registry: try the next one
        continue;
      }
      throw new AiosError(reply.error.code as never, reply.error.message, { ...(reply.error.detail ?? {}), node });
    }
    throw new AiosError('ENOROUTE', 'no node in the cluster serves the request', { intent: req.intent, tried: order, failedOver, noRoute });
  }
}
