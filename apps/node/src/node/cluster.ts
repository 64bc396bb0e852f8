// The node's side of the cluster: joins over NATS (transport-nats), publishes its named agents in the
// directory, resolves 'NAME@NODE' for AgentOpen (kernel ipc/remote.ts) and carries agent messages across
// links with credit-based flow control: a node may have LINK_CREDIT_WINDOW messages in flight to one remote
// agent; the receiving node returns a credit when it has put a message into the target's mailbox, and holds
// messages (no credit) while that mailbox is full, so a sender sees EAGAIN as it would locally. Per-sender
// order holds: one link is ordered, and each node delivers a link's messages to a target in arrival order.
// Trusts the cluster layer's authentication (only frames from linked nodes with the cookie arrive here).
import type { KernelHost, RemotePort, RemoteTransfer } from '@aios/kernel';
import { AiosError, limits, type AgentImage, type Message } from '@aios/abi';
import { LinkQueue } from './link-queue.ts';
import { ClusterCaps, type AcceptedCap } from './cluster-caps.ts';
import { Cluster, resolveCookie, type ClusterOptions, type NodeView } from '@aios/drivers/transport-nats';

export interface ClusterNodeConfig {
  /** nats://HOST:PORT (--cluster, AIOS_CLUSTER_URL). */
  url: string;
  /** This node's name (--node, AIOS_NODE_NAME). */
  node: string;
  /** --cookie; else AIOS_CLUSTER_COOKIE, else ~/.aios/cluster.cookie. */
  cookie?: string;
  prefix?: string;
  heartbeatMs?: number;
  suspectMs?: number;
  downMs?: number;
  /** Credit window per remote agent (default LINK_CREDIT_WINDOW). */
  window?: number;
}

interface Outbound {
  credits: number;
  port: RemotePort;
}

interface Inbound {
  from: string;
  fromAddr: string;
  to: string;
  data: Uint8Array;
  tag: string;
  /** Capabilities the message carries: null none; 'pending' while verifying (the target's queue waits); 'refused' dropped. */
  caps: AcceptedCap[] | 'pending' | 'refused' | null;
}

/** Boot's cluster settings: the CLI flags, and (programmatic boot) the prefix and heartbeat timings. */
export interface ClusterFlags {
  cluster?: string;
  node?: string;
  cookie?: string;
  prefix?: string;
  heartbeatMs?: number;
  suspectMs?: number;
  downMs?: number;
}

const joined = new WeakMap<KernelHost, ClusterNode>();

/** The cluster membership of a host's node, or null when it is not in a cluster. */
export function clusterOf(host: KernelHost): ClusterNode | null {
  return joined.get(host) ?? null;
}

/** Cluster settings from flags, else AIOS_CLUSTER_URL / AIOS_NODE_NAME / AIOS_CLUSTER_COOKIE; null when not clustered. */
export function clusterConfig(flags: ClusterFlags, env: NodeJS.ProcessEnv = process.env): ClusterNodeConfig | null {
  const url = flags.cluster ?? env.AIOS_CLUSTER_URL;
  if (url === undefined || url === '') return null;
  if (!/^nats:\/\/[^\s/]+(:\d+)?\/?$/.test(url)) throw new AiosError('EINVAL', '--cluster must be nats://HOST:PORT', { arg: 'cluster', value: url });
  const node = flags.node ?? env.AIOS_NODE_NAME;
  if (node === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(node)) throw new AiosError('EINVAL', 'a clustered node needs --node NAME (1-64 letters, digits, - or _; or AIOS_NODE_NAME)', { arg: 'node' });
  // AIOS_CLUSTER_PREFIX names the subjects and KV buckets (default 'aios'): separate clusters on one server.
  const prefix = flags.prefix ?? env.AIOS_CLUSTER_PREFIX;
  return {
    url, node, ...(flags.cookie !== undefined ? { cookie: flags.cookie } : {}), ...(prefix ? { prefix } : {}),
    ...(flags.heartbeatMs !== undefined ? { heartbeatMs: flags.heartbeatMs } : {}), ...(flags.suspectMs !== undefined ? { suspectMs: flags.suspectMs } : {}),
    ...(flags.downMs !== undefined ? { downMs: flags.downMs } : {}),
  };
}

export class ClusterNode {
  private readonly outbound = new Map<string, Outbound>();
  /** Per remote node: the trust-ordered outbound queue of the link. */
  private readonly links = new Map<string, { queue: LinkQueue<{ h: Record<string, unknown>; data: Uint8Array; address: string }>; flush(): void }>();
  /** Messages from other nodes waiting for room in a local mailbox, in arrival order per target. */
  private readonly held = new Map<number, Inbound[]>();
  /** Addresses of remote senders seen on links (so replies to them resolve without a directory entry). */
  private readonly senders = new Set<string>();
  private published = new Map<string, string>();
  /** Credits owed, by node then remote sender address, until this tick's microtask sends them. */
  private readonly credits = new Map<string, Map<string, number>>();
  private creditQueued = false;
  private retry: NodeJS.Timeout | null = null;
  private sync: NodeJS.Timeout | null = null;
  /** Handles sent to and received from other nodes as capability tokens (cluster-caps.ts). */
  caps!: ClusterCaps;

  private constructor(readonly host: KernelHost, readonly cluster: Cluster, private readonly window: number) {}

  static async join(host: KernelHost, cfg: ClusterNodeConfig): Promise<ClusterNode> {
    const { cookie } = resolveCookie(cfg.cookie);
    const k = host.kernel;
    const opts: ClusterOptions = {
      url: cfg.url, node: cfg.node, cookie, ...(cfg.prefix !== undefined ? { prefix: cfg.prefix } : {}),
      ...(cfg.heartbeatMs !== undefined ? { heartbeatMs: cfg.heartbeatMs } : {}),
      ...(cfg.suspectMs !== undefined ? { suspectMs: cfg.suspectMs } : {}),
      ...(cfg.downMs !== undefined ? { downMs: cfg.downMs } : {}),
      // Every link decision is one audit record of the node (agent 0: the kernel itself).
      audit: (e) => k.audit.append(k.now(), k.root.id, `Cluster${e.action}`, `node:${e.node}`, e.result, e.detail),
      describe: () => ({ agents: localAgents(host).length, load: k.agents.size, services: [...host.defaultServices.keys()] }),
    };
    const cluster = await Cluster.join(opts);
    const n = new ClusterNode(host, cluster, cfg.window ?? limits.LINK_CREDIT_WINDOW);
    n.wire();
    joined.set(host, n);
    await n.publishAgents();
    n.sync = setInterval(() => void n.publishAgents().catch(() => undefined), cfg.heartbeatMs ?? limits.CLUSTER_HEARTBEAT_MS);
    n.sync.unref?.();
    return n;
  }

  get name(): string {
    return this.cluster.node;
  }

  nodes(): NodeView[] {
    return this.cluster.nodes();
  }

  private wire(): void {
    const k = this.host.kernel;
    this.caps = new ClusterCaps(this.host, this.cluster, (address, node, cap) => this.makePort(address, node, cap));
    k.remoteSpawner = { node: this.name, spawn: (node, image, opts) => this.spawnRemote(node, image, opts) };
    k.remoteResolver = (address) => {
      const at = address.lastIndexOf('@');
      const node = address.slice(at + 1);
      if (node === this.name) return null;
      if (this.cluster.directory.agent(address) === null && !this.senders.has(address)) return null;
      return this.port(address, node);
    };
    this.cluster.onFrame('msg', (from, h, payload) => this.onMsg(from, h, payload));
    this.cluster.onFrame('credit', (from, h) => {
      const o = this.outbound.get(String(h.addr));
      if (o !== undefined && String(h.addr).endsWith(`@${from}`)) o.credits = Math.min(this.window, o.credits + Number(h.n));
    });
    // Another node's sweep may purge this node's entries when it took a slow node for down: the next publish puts
    // back what still runs here.
    this.cluster.onOwnAgentGone((name) => this.published.delete(name));
    this.cluster.onDown((node) => {
      for (const a of [...this.outbound.keys()]) if (a.endsWith(`@${node}`)) this.outbound.delete(a);
      this.links.get(node)?.queue.clear();
      this.links.delete(node);
      for (const a of [...this.senders]) if (a.endsWith(`@${node}`)) this.senders.delete(a);
      k.dropRemotes((addr) => addr.endsWith(`@${node}`), `node ${node} is down`);
      this.caps.onDown(node);
    });
    // Remote spawn: the image is a path on the target node or source text; the spawned agent is local there.
    this.cluster.handle('spawn', async (_from, body) => {
      const image = typeof body.source === 'string' ? body.source : typeof body.path === 'string' ? { path: body.path } : null;
      if (image === null) throw new AiosError('EINVAL', 'spawn needs source or path', { arg: 'image' });
      const id = await this.host.spawn(image, { ...(typeof body.name === 'string' ? { name: body.name } : {}), ...(body.config !== undefined ? { config: body.config } : {}) });
      const name = this.host.kernel.agents.get(id)?.name ?? String(id);
      await this.publishAgents();
      return { id, node: this.name, address: `${name}@${this.name}` };
    });
    // Cross-node ask (cluster-device.ts askRemote): this node's semantic-ipcd routes it among local agents only;
    // the answer (or its error) comes back as a result, so a link failure stays distinct from the handler's error.
    this.cluster.handle('ask', async (_from, body) => {
      const svc = this.host.defaultServices.get('semantic-ipcd');
      if (svc === undefined) return { ok: false, error: { code: 'ENOROUTE', message: `node ${this.name} runs no semantic-ipcd` } };
      const timeoutMs = Number.isInteger(body.timeoutMs) ? Number(body.timeoutMs) : 10_000;
      const req = { op: 'ask', scope: 'local', ...(typeof body.text === 'string' ? { text: body.text } : {}), ...(typeof body.intent === 'string' ? { intent: body.intent } : {}), ...(body.payload !== undefined ? { payload: body.payload } : {}), timeoutMs };
      try {
        return { ok: true, result: await this.host.request(svc, req, timeoutMs + 2_000) };
      } catch (e) {
        const err = e as AiosError;
        return { ok: false, error: { code: typeof err.code === 'string' ? err.code : 'EIO', message: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) } };
      }
    });
  }

  /** The outbound queue of the link to `node` (trust-ordered, link-queue.ts) and its flush. */
  private linkOut(node: string): { queue: LinkQueue<{ h: Record<string, unknown>; data: Uint8Array; address: string }>; flush(): void } {
    let l = this.links.get(node);
    if (l !== undefined) return l;
    const k = this.host.kernel;
    const queue = new LinkQueue<{ h: Record<string, unknown>; data: Uint8Array; address: string }>((sender) => {
      const a = k.agents.get(Number(sender));
      if (a === undefined || a === k.root) return 1;
      return a.quarantined ? null : a.behavior.trust;
    }, limits.LINK_QUEUE_MAX, (m) => {
      // A quarantined sender's message is dropped: its credit comes back (the remote never saw it).
      const o = this.outbound.get(m.address);
      if (o !== undefined) o.credits = Math.min(this.window, o.credits + 1);
    });
    let connecting = false;
    const flush = (): void => {
      for (let p = queue.peek(); p !== null; p = queue.peek()) {
        if (!this.cluster.postNow(node, 'msg', p.item.h, p.item.data)) break;
        queue.shift(p.sender);
      }
      if (queue.length > 0 && !connecting) {
        connecting = true;
        this.cluster.connect(node).then(() => {
          connecting = false;
          flush();
        }, () => {
          // Refused or unreachable: what was queued is lost with the link (the sender saw its sends succeed,
          // as a message to an agent that then dies); credits come back so the handles are not stuck.
          connecting = false;
          queue.clear();
          for (const [addr, o] of this.outbound) if (addr.endsWith(`@${node}`)) o.credits = this.window;
        });
      }
    };
    l = { queue, flush };
    this.links.set(node, l);
    return l;
  }

  private port(address: string, node: string): RemotePort {
    const o = this.outbound.get(address);
    if (o !== undefined) return o.port;
    return this.makePort(address, node, null);
  }

  /**
   * A port to `address` on `node`; with `cap`, sends name that capability (a record reached through a received
   * handle). Ports of one address share its credit. Handles sent through a port leave as tokens (cluster-caps.ts).
   */
  private makePort(address: string, node: string, cap: string | null): RemotePort {
    const name = address.slice(0, address.lastIndexOf('@'));
    const entry = (): Outbound => {
      let o = this.outbound.get(address);
      if (o === undefined) {
        o = { credits: this.window, port };
        this.outbound.set(address, o);
      }
      return o;
    };
    const port: RemotePort = {
      address,
      carriesHandles: this.caps.enabled,
      canSend: () => (this.outbound.get(address)?.credits ?? (this.cluster.directory.state(node) === 'down' ? 0 : this.window)) > 0,
      send: (msg: Message, transfers?: readonly RemoteTransfer[]) => {
        const k = this.host.kernel;
        const sender = k.agents.get(msg.from);
        const fromName = sender === undefined || sender === k.root ? `#${msg.from}` : uniqueName(this.host, sender.id, sender.name);
        // Signed before anything is counted: a refusal (EQUOTA) leaves the credit and the link untouched.
        const tokens = transfers !== undefined && transfers.length > 0 ? this.caps.issue(msg.from, transfers, address, node) : null;
        const o = entry();
        o.credits--;
        const h: Record<string, unknown> = { to: name, from: `${fromName}@${this.name}`, tag: msg.tag, ...(cap !== null ? { cap } : {}), ...(tokens !== null ? { caps: tokens } : {}) };
        const link = this.linkOut(node);
        if (!link.queue.push(String(msg.from), { h, data: msg.data, address })) o.credits++;
        link.flush();
      },
    };
    if (cap === null) entry();
    return port;
  }

  private onMsg(from: string, h: Record<string, unknown>, payload: Uint8Array): void {
    const fromAddr = String(h.from);
    if (!fromAddr.endsWith(`@${from}`)) return; // a node speaks only for its own agents
    let target: number | null;
    if (h.cap !== undefined) {
      // A use of a capability this node issued: checked again (cluster-caps.ts checkUse); a refusal drops it.
      try {
        target = this.caps.checkUse(from, String(h.cap)).id;
      } catch {
        target = null;
      }
    } else target = findLocal(this.host, String(h.to));
    if (target === null) {
      this.credit(from, `${String(h.to)}@${this.name}`, 1);
      return;
    }
    this.senders.add(fromAddr);
    const q = this.held.get(target);
    const m: Inbound = { from, fromAddr, to: String(h.to), data: Uint8Array.from(payload), tag: typeof h.tag === 'string' ? h.tag : 'data', caps: h.caps === undefined ? null : 'pending' };
    if (m.caps === 'pending') {
      // Verifying may fetch the issuer's key over the link: the target's later messages wait behind this one.
      this.caps.accept(from, `${m.to}@${this.name}`, h.caps).then((caps) => {
        m.caps = caps;
      }, () => {
        m.caps = 'refused';
      }).finally(() => this.scheduleRetry());
    }
    if (q !== undefined) q.push(m);
    else if (!this.tryDeliver(target, m)) {
      this.held.set(target, [m]);
      this.scheduleRetry();
    }
  }

  /** Puts one message in a local mailbox (as from the sender's local record) and returns its credit; false when full. */
  private tryDeliver(target: number, m: Inbound): boolean {
    const k = this.host.kernel;
    if (m.caps === 'pending') return false;
    const a = k.agents.get(target);
    if (a === undefined || !a.alive || m.caps === 'refused') {
      this.credit(m.from, `${m.to}@${this.name}`, 1);
      return true;
    }
    if (a.ipcWaiters.length === 0 && a.mailbox.full) return false;
    let proxy;
    try {
      proxy = k.openRemote(m.fromAddr);
    } catch {
      this.credit(m.from, `${m.to}@${this.name}`, 1);
      return true;
    }
    if (m.caps !== null) k.deliver(a, { from: proxy.id, data: m.data, handles: this.caps.install(a, m.caps), tag: m.tag });
    else if (m.tag === 'data') k.deliverData(a, proxy.id, m.data);
    else k.deliver(a, { from: proxy.id, data: m.data, handles: [], tag: m.tag });
    this.credit(m.from, `${m.to}@${this.name}`, 1);
    return true;
  }

  /**
   * Returns credit to a remote sender. Credits of one tick are summed per (node, address) and leave as one frame
   * at the next microtask, inside the link's sealed record with whatever else goes to that node (piggybacked).
   */
  private credit(node: string, addr: string, n: number): void {
    let m = this.credits.get(node);
    if (m === undefined) {
      m = new Map();
      this.credits.set(node, m);
    }
    m.set(addr, (m.get(addr) ?? 0) + n);
    if (this.creditQueued) return;
    this.creditQueued = true;
    queueMicrotask(() => {
      this.creditQueued = false;
      const owed = [...this.credits];
      this.credits.clear();
      for (const [to, byAddr] of owed) {
        for (const [a, k] of byAddr) if (!this.cluster.postNow(to, 'credit', { addr: a, n: k })) void this.cluster.post(to, 'credit', { addr: a, n: k }).catch(() => undefined);
      }
    });
  }

  private scheduleRetry(): void {
    if (this.retry !== null) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      for (const [target, q] of this.held) {
        while (q.length > 0 && this.tryDeliver(target, q[0]!)) q.shift();
        if (q.length === 0) this.held.delete(target);
      }
      if (this.held.size > 0) this.scheduleRetry();
    }, 5);
  }

  /** Publishes this node's named agents with their intents' manifests (diffed against what was published). */
  async publishAgents(): Promise<void> {
    const manifests = new Map<number, unknown[]>();
    for (const { agent, manifest } of this.host.kernel.manifests() as Array<{ agent: number; manifest: { intents?: Array<{ name: string; description?: string; examples?: string[] }> } }>) {
      const intents = (manifest.intents ?? []).filter((i) => typeof i?.name === 'string' && !i.name.startsWith('__'))
        .map((i) => ({ name: i.name, ...(i.description !== undefined ? { description: i.description } : {}), ...(i.examples !== undefined ? { examples: i.examples.slice(0, 8) } : {}) }));
      if (intents.length > 0) manifests.set(agent, intents);
    }
    const now = new Map<string, string>();
    const entries = new Map<string, { name: string; id: number; intents?: unknown[] }>();
    for (const a of localAgents(this.host)) {
      if (now.has(a.name)) continue;
      const intents = manifests.get(a.id);
      const e = { name: a.name, id: a.id, ...(intents !== undefined ? { intents } : {}) };
      entries.set(a.name, e);
      now.set(a.name, JSON.stringify(e));
    }
    for (const [name, sig] of now) if (this.published.get(name) !== sig) await this.cluster.putAgent(entries.get(name)!);
    for (const name of this.published.keys()) if (!now.has(name)) await this.cluster.deleteAgent(name);
    this.published = now;
  }

  /** AgentSpawn with opts.node (kernel RemoteSpawner): ENOENT for a node the directory does not list. */
  private async spawnRemote(node: string, image: AgentImage, opts: { name?: string; config?: unknown }): Promise<string> {
    if (this.cluster.directory.node(node) === null) throw new AiosError('ENOENT', `no node ${node} in the cluster`, { node });
    if (!('source' in image)) throw new AiosError('EINVAL', 'a remote spawn takes a { source } image', { arg: 'image' });
    const r = await this.cluster.request<{ address: string }>(node, 'spawn', { source: image.source, ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.config !== undefined ? { config: opts.config } : {}) });
    if (typeof r?.address !== 'string' || !r.address.endsWith(`@${node}`)) throw new AiosError('EIO', `node ${node} answered the spawn without an address`, { node });
    // Known before the directory watch catches up, so AgentOpen/the handle resolve at once.
    this.senders.add(r.address);
    return r.address;
  }

  /** Spawns an image on another node (remote spawn); returns its id there and its address. */
  spawnOn(node: string, image: { source?: string; path?: string }, name?: string): Promise<{ id: number; node: string; address: string }> {
    return this.cluster.request(node, 'spawn', { ...image, ...(name !== undefined ? { name } : {}) });
  }

  async close(opts: { destroy?: boolean } = {}): Promise<void> {
    if (this.sync) clearInterval(this.sync);
    if (this.retry) clearTimeout(this.retry);
    this.host.kernel.remoteResolver = null;
    this.host.kernel.remoteSpawner = null;
    joined.delete(this.host);
    await this.cluster.close(opts);
  }
}

/** Live local agents with a name (remote records and the root excluded). */
function localAgents(host: KernelHost): Array<{ id: number; name: string }> {
  const out: Array<{ id: number; name: string }> = [];
  for (const a of host.kernel.agents.values()) if (a.alive && a.remote === null && a !== host.kernel.root && a.name) out.push({ id: a.id, name: a.name });
  return out;
}

function findLocal(host: KernelHost, name: string): number | null {
  if (/^#\d+$/.test(name)) {
    const a = host.kernel.agents.get(Number(name.slice(1)));
    return a !== undefined && a.alive && a.remote === null ? a.id : null;
  }
  let best: number | null = null;
  for (const a of host.kernel.agents.values()) if (a.alive && a.remote === null && a.name === name && (best === null || a.id < best)) best = a.id;
  return best;
}

/** The address part for a sender: its name when it is the first live agent of that name, else #id. */
function uniqueName(host: KernelHost, id: number, name: string): string {
  return name && findLocal(host, name) === id && !name.includes('@') ? name : `#${id}`;
}
