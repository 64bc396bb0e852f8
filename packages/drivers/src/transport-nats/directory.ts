// The cluster directory in two JetStream KV buckets: `<prefix>-nodes` (one entry per node, refreshed every
// heartbeat) and `<prefix>-agents` (one entry per agent, key `<node>.<name in base64url>`). Every value is
// MAC'd under the cookie key, so entries written by a node with another cookie (or by the broker) are ignored.
// A node's state comes from how long ago this node last saw its entry change: up, suspect, down. Down nodes'
// entries are deleted (and the buckets' max age removes what nobody deletes).
import { timingSafeEqual } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { KV, KvEntry, NatsConnection, QueuedIterator } from 'nats';

export type NodeState = 'up' | 'suspect' | 'down';

/** What a node publishes about itself. */
export interface NodeEntry {
  name: string;
  /** Random per process: a restarted node is a new incarnation (links to the old one are dropped). */
  incarnation: string;
  keyId: string;
  agents: number;
  load: number;
  services: string[];
  startedAt: number;
  at: number;
}

/** One agent as the directory lists it. */
export interface AgentEntry {
  node: string;
  name: string;
  id: number;
  /** Intents the agent serves (opaque here; semantic routing reads them). */
  intents?: unknown[];
  load?: number;
}

export interface NodeView extends NodeEntry {
  state: NodeState;
  /** ms since this node last saw the entry refreshed. */
  lastSeenMs: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

export function agentKey(node: string, name: string): string {
  return `${node}.${b64url(name)}`;
}

export interface DirectoryOptions {
  prefix: string;
  macKey: Uint8Array;
  suspectMs: number;
  downMs: number;
  now?: () => number;
  onDown?: (node: string) => void;
  onChange?: (node: string, entry: NodeEntry) => void;
  /**
   * An entry of this node's own agent left the bucket: its own delete, or another node's sweep that took this node
   * for down while it was only slow. The node publishes the agent again if it still runs.
   */
  onOwnAgentGone?: (name: string) => void;
}

export class Directory {
  private nodesKv!: KV;
  private agentsKv!: KV;
  private readonly nodes = new Map<string, { entry: NodeEntry; seen: number; down: boolean }>();
  /** name@node -> entry */
  private readonly agents = new Map<string, AgentEntry>();
  private readonly watches: QueuedIterator<KvEntry>[] = [];
  private readonly now: () => number;
  /** Entries ignored because their MAC failed (another cookie or tampering). */
  forged = 0;
  /** This node's name (learnt at the first sweep): its own entry's deletion is not another node going down. */
  private self: string | null = null;
  /** Bumped whenever the agents change (an entry put or deleted, a node's entries dropped): readers diff by it. */
  version = 0;

  constructor(private readonly opts: DirectoryOptions) {
    this.now = opts.now ?? Date.now;
  }

  async open(nc: NatsConnection): Promise<void> {
    const js = nc.jetstream();
    const ttl = this.opts.downMs * 2;
    this.nodesKv = await js.views.kv(`${this.opts.prefix}-nodes`, { history: 1, ttl });
    this.agentsKv = await js.views.kv(`${this.opts.prefix}-agents`, { history: 1, ttl: 0 });
    const wn = await this.nodesKv.watch();
    const wa = await this.agentsKv.watch();
    this.watches.push(wn, wa);
    void this.pump(wn, (e) => this.onNode(e));
    void this.pump(wa, (e) => this.onAgent(e));
  }

  private async pump(it: QueuedIterator<KvEntry>, fn: (e: KvEntry) => void): Promise<void> {
    try {
      for await (const e of it) fn(e);
    } catch {
      /* closed */
    }
  }

  private seal(v: unknown): Uint8Array {
    const body = JSON.stringify(v);
    const mac = Buffer.from(hmac(sha256, this.opts.macKey, enc.encode(body))).toString('base64');
    return enc.encode(JSON.stringify({ body, mac }));
  }

  private unseal<T>(bytes: Uint8Array): T | null {
    try {
      const { body, mac } = JSON.parse(dec.decode(bytes)) as { body: string; mac: string };
      const want = hmac(sha256, this.opts.macKey, enc.encode(body));
      const got = Buffer.from(mac, 'base64');
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        this.forged++;
        return null;
      }
      return JSON.parse(body) as T;
    } catch {
      this.forged++;
      return null;
    }
  }

  private onNode(e: KvEntry): void {
    if (e.operation !== 'PUT') {
      // A clean leave removes the node; a node found down stays listed as down (its KV entries are gone).
      // Another node purging one that went stale here too is a down, not a leave (whoever sweeps first).
      const n = this.nodes.get(e.key);
      if (n === undefined || n.down) return;
      if (this.now() - n.seen >= this.opts.suspectMs) return this.markDown(e.key, n);
      // A clean leave: it is gone, so its agents leave lookups and requests in flight to it fail at once.
      this.nodes.delete(e.key);
      this.markDown(e.key, n);
      return;
    }
    const entry = this.unseal<NodeEntry>(e.value);
    if (entry === null || entry.name !== e.key) return;
    this.nodes.set(e.key, { entry, seen: this.now(), down: false });
    this.opts.onChange?.(e.key, entry);
  }

  private onAgent(e: KvEntry): void {
    const dot = e.key.indexOf('.');
    const node = e.key.slice(0, dot);
    const name = Buffer.from(e.key.slice(dot + 1), 'base64url').toString('utf8');
    if (e.operation !== 'PUT') {
      if (this.agents.delete(`${name}@${node}`)) this.version++;
      if (node === this.self) this.opts.onOwnAgentGone?.(name);
      return;
    }
    const a = this.unseal<AgentEntry>(e.value);
    if (a === null || a.node !== node || a.name !== name) return;
    this.agents.set(`${name}@${node}`, a);
    this.version++;
  }

  /** Publishes this node's entry (the heartbeat). */
  async heartbeat(entry: NodeEntry): Promise<void> {
    await this.nodesKv.put(entry.name, this.seal(entry));
  }

  async putAgent(a: AgentEntry): Promise<void> {
    await this.agentsKv.put(agentKey(a.node, a.name), this.seal(a));
  }

  async deleteAgent(node: string, name: string): Promise<void> {
    await this.agentsKv.delete(agentKey(node, name));
  }

  /** Recomputes states; a node newly down is marked, its entries deleted and onDown called. */
  sweep(self: string): void {
    this.self = self;
    const t = this.now();
    for (const [name, n] of this.nodes) {
      if (name === self || n.down) continue;
      if (t - n.seen >= this.opts.downMs) {
        this.markDown(name, n);
        void this.purge(name);
      }
    }
  }

  private markDown(name: string, n: { down: boolean }): void {
    n.down = true;
    for (const [k, a] of this.agents) if (a.node === name) this.agents.delete(k);
    this.version++;
    if (name !== this.self) this.opts.onDown?.(name);
  }

  private async purge(node: string): Promise<void> {
    try {
      await this.nodesKv.delete(node);
      const keys = await this.agentsKv.keys(`${node}.>`);
      const list: string[] = [];
      for await (const k of keys) list.push(k);
      for (const k of list) await this.agentsKv.delete(k);
    } catch {
      /* best effort: the nodes bucket's max age removes the entry anyway */
    }
  }

  state(name: string): NodeState | null {
    const n = this.nodes.get(name);
    if (n === undefined) return null;
    if (n.down) return 'down';
    const age = this.now() - n.seen;
    return age >= this.opts.downMs ? 'down' : age >= this.opts.suspectMs ? 'suspect' : 'up';
  }

  list(self: string): NodeView[] {
    const t = this.now();
    const out: NodeView[] = [];
    for (const [name, n] of this.nodes) {
      const state = name === self ? 'up' : this.state(name)!;
      out.push({ ...n.entry, agents: state === 'down' ? 0 : n.entry.agents, state, lastSeenMs: t - n.seen });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  node(name: string): NodeEntry | null {
    return this.nodes.get(name)?.entry ?? null;
  }

  /** An agent by `name@node`, or null (also for agents of a node that is down). */
  agent(address: string): AgentEntry | null {
    const a = this.agents.get(address);
    if (a === undefined) return null;
    const st = this.state(a.node);
    return st === null || st === 'down' ? null : a;
  }

  /** Agents of nodes that are not down (this node's own included). */
  allAgents(): AgentEntry[] {
    return [...this.agents.values()].filter((a) => {
      const st = this.state(a.node);
      return st === 'up' || st === 'suspect';
    });
  }

  /** Removes this node's entries (a clean leave). */
  async leave(node: string): Promise<void> {
    await this.purge(node);
  }

  /** Removes the buckets (tests and benchmarks that own their prefix). */
  async destroy(): Promise<void> {
    await this.nodesKv.destroy().catch(() => false);
    await this.agentsKv.destroy().catch(() => false);
  }

  close(): void {
    for (const w of this.watches) w.stop();
  }
}

export { dec, enc };
