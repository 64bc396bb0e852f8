// The host's view of a kernel: what the node process (CLI, HTTP API, tests) does
// on behalf of the root agent. Every call goes through the same syscall path
// as agents' calls, as the root agent, so it is checked and audited alike.

import {
  ALL_RIGHTS, AiosError, Rights, SYSCALL_BY_NAME, limits, parseReply, replyResult, type AgentImage, type AgentInfo, type ExitNotice, type Message,
  type OpName, type OpRequest, type OpResult, type Protocol, type SpawnOptions,
} from '@aios/abi';

import type { Agent } from './objects/agent.ts';
import { Kernel, type KernelConfig } from './kernel.ts';
import type { KernelPorts } from './ports.ts';
import { createNativeDomain } from './domain/native.ts';
import type { ExecutionDomain } from './domain/types.ts';

/** What the journal keeps of a durable agent. */
interface DurableRecord {
  image: AgentImage;
  opts: HostSpawnOptions;
  restart: string;
}

/** Spawn options of the host: devices and services to place in the agent's namespace, by name. */
export interface HostSpawnOptions extends SpawnOptions {
  /** Devices on the bus to grant (USE), placed under their names. */
  devices?: string[];
  /** Service agents to grant SEND to, as name -> agent id. */
  services?: Record<string, number>;
}

export interface ExitStatus {
  id: number;
  code: number;
  reason: string;
}

export class KernelHost {
  readonly kernel: Kernel;
  private readonly exitWaiters = new Map<number, Array<(s: ExitStatus) => void>>();
  /** Service agents placed (SEND only) in the namespace of every agent the host spawns, by name. */
  readonly defaultServices = new Map<string, number>();

  constructor(ports: KernelPorts, config: KernelConfig = {}, domains: ExecutionDomain[] = []) {
    this.kernel = new Kernel(ports, config);
    this.kernel.registerDomain(createNativeDomain());
    for (const d of domains) this.kernel.registerDomain(d);
    this.kernel.subscribeHost('agent.*.exit', (e) => {
      const id = e.data.id as number;
      this.onDurableExit(id, e.data.code as number, e.data.reason as string);
      const ws = this.exitWaiters.get(id);
      if (!ws) return;
      this.exitWaiters.delete(id);
      for (const w of ws) w({ id, code: e.data.code as number, reason: e.data.reason as string });
    });
  }

  private get root(): Agent {
    return this.kernel.root;
  }

  /** Calls a syscall as the root agent. */
  call(name: string, ...args: unknown[]): unknown {
    const nr = SYSCALL_BY_NAME.get(name)?.nr;
    if (nr === undefined) throw new AiosError('ENOSYS', `no syscall ${name}`);
    return this.kernel.syscall(this.root, nr, args);
  }

  /** Spawns an agent as a child of the root; resolves with its id once it has loaded. */
  async spawn(image: AgentImage | string, opts: HostSpawnOptions = {}): Promise<number> {
    opts = { ...opts };
    if (opts.durable) return this.spawnDurable(image, opts);
    delete opts.restart;
    const img: AgentImage = typeof image === 'string' ? (looksLikeSource(image) ? { source: image } : { path: image }) : image;
    // Devices the node grants by default land in the agent's namespace (no global names).
    const k = this.kernel;
    const ns = { ...(opts.namespace ?? {}) };
    if (k.modelHandle !== 0 && ns.model === undefined) ns.model = k.modelHandle;
    for (const name of opts.devices ?? []) {
      const d = k.devices.get(name);
      if (!d) throw new AiosError('ENOENT', `no device ${name} on the bus`, { device: name });
      ns[name] = d.handle;
    }
    // Services granted by default (memoryd, semantic-ipcd, ...) unless the caller names its own.
    const services = { ...Object.fromEntries(this.defaultServices), ...(opts.services ?? {}) };
    for (const [name, id] of Object.entries(services)) {
      if (ns[name] !== undefined) continue;
      const svc = this.kernel.agents.get(id);
      if (svc === undefined || !svc.alive) continue;
      ns[name] = { handle: this.handleFor(id), rights: Rights.SEND | Rights.TRANSFER };
    }
    delete (opts as { devices?: unknown }).devices;
    delete (opts as { services?: unknown }).services;
    const ticket = this.call('AgentSpawn', img, { ...opts, namespace: ns }) as number;
    const handle = await new Promise<unknown>((resolve, reject) => {
      this.kernel.tickets.onSettle(this.root.id, ticket, () => {
        try {
          resolve(this.kernel.tickets.take(this.root.id, ticket));
        } catch (e) {
          reject(e);
        }
      });
    });
    const node = this.root.handles.get(handle as number)!.node;
    return (node.object as Agent).id;
  }

  // ---- durable agents -------------------------------------------------------------

  private readonly restarts = new Map<string, number[]>();
  /** Journal records of the durable agents this host runs, by key (read once, not at every exit). */
  private readonly durable = new Map<string, DurableRecord>();

  /**
   * Spawns a durable agent: its record is journaled before the spawn returns, and its
   * unread messages from then on, so it comes back after a crash (see recover()).
   */
  private async spawnDurable(image: AgentImage | string, opts: HostSpawnOptions): Promise<number> {
    const journal = this.kernel.ports.journal;
    if (!journal) throw new AiosError('ENOSYS', 'this node has no journal: durable agents need a data folder');
    const img: AgentImage = typeof image === 'string' ? (looksLikeSource(image) ? { source: image } : { path: image }) : image;
    const restart = opts.restart ?? 'permanent';
    if (!['permanent', 'transient', 'temporary'].includes(restart)) throw new AiosError('EINVAL', "opts.restart must be 'permanent', 'transient' or 'temporary'", { arg: 'opts.restart' });
    const key = `d-${Buffer.from(this.kernel.ports.random(8)).toString('hex')}`;
    const { durable: _d, restart: _r, namespace: _n, ...plain } = opts;
    void _d; void _r; void _n;
    const id = await this.spawn(img, plain);
    const rec: DurableRecord = { image: img, opts: plain, restart };
    journal.saveAgent(key, JSON.stringify({ key, ...rec }));
    this.durable.set(key, rec);
    this.kernel.makeDurable(this.find(id), key);
    return id;
  }

  /** Starts one journaled agent again and hands it its unread messages. */
  private async revive(key: string, rec: DurableRecord, pending = this.kernel.ports.journal!.pendingMessages(key)): Promise<number> {
    this.durable.set(key, rec);
    const id = await this.spawn(rec.image, rec.opts);
    const a = this.find(id);
    this.kernel.makeDurable(a, key);
    this.kernel.redeliver(a, pending);
    return id;
  }

  /**
   * At boot: brings back the durable agents of the journal per their restart type
   * (permanent and transient ones were running when the node stopped or crashed;
   * temporary ones are dropped). Returns the recovered agents' ids.
   */
  async recover(): Promise<Array<{ key: string; id: number; name: string; pending: number }>> {
    const journal = this.kernel.ports.journal;
    if (!journal) return [];
    const out: Array<{ key: string; id: number; name: string; pending: number }> = [];
    for (const { key, record } of journal.loadAgents()) {
      const rec = JSON.parse(record) as DurableRecord;
      if (rec.restart === 'temporary') {
        journal.removeAgent(key);
        continue;
      }
      const pending = journal.pendingMessages(key);
      try {
        const id = await this.revive(key, rec, pending);
        out.push({ key, id, name: this.find(id).name, pending: pending.length });
      } catch {
        /* an image that no longer loads stays in the journal for the operator */
      }
    }
    return out;
  }

  /** A durable agent exited: keep, drop or restart it, with OTP's restart types and intensity (3 in 5 s). */
  private onDurableExit(id: number, code: number, reason: string): void {
    const a = this.kernel.agents.get(id);
    const key = a?.durableKey;
    const journal = this.kernel.ports.journal;
    if (!a || !key || !journal) return;
    const parsed = this.durable.get(key);
    if (!parsed) return;
    const drop = (): void => {
      journal.removeAgent(key);
      this.durable.delete(key);
    };
    const crashed = reason.startsWith('trap:') || (code !== 0 && !reason.startsWith('killed by'));
    if (reason === 'node shutdown') {
      if (parsed.restart !== 'permanent') drop();
      return;
    }
    const again = !this.kernel.stopped && !reason.startsWith('killed by') && (parsed.restart === 'permanent' || (parsed.restart === 'transient' && crashed));
    if (!again) {
      drop();
      return;
    }
    const now = this.kernel.now();
    const recent = (this.restarts.get(key) ?? []).filter((t) => now - t < 5_000);
    if (recent.length >= 3) return; // gave up for this run; the record stays for the next boot
    recent.push(now);
    this.restarts.set(key, recent);
    void this.revive(key, parsed).catch(() => undefined);
  }

  /** The root's handle to an agent, by id or name. Root is privileged: it can name any live agent. */
  handleFor(agent: number | string): number {
    const a = this.find(agent);
    for (const [h, e] of this.root.handles.entriesList()) if (e.node.object === a && e.node.parent === null) return h;
    return this.kernel.insertHandle(this.root, a, ALL_RIGHTS, null);
  }

  find(agent: number | string): Agent {
    const a = typeof agent === 'number' ? this.kernel.agents.get(agent) : [...this.kernel.agents.values()].find((x) => x.name === agent && x.alive);
    if (a === undefined || a === this.root) throw new AiosError('ESRCH', `no agent ${String(agent)}`, { agent });
    return a;
  }

  send(agent: number | string, data: Uint8Array | string, tag?: string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.call('IPCSend', this.handleFor(agent), bytes, tag ? { tag } : undefined);
  }

  kill(agent: number | string, reason?: string): void {
    this.call('AgentKill', this.handleFor(agent), reason);
  }

  ps(): AgentInfo[] {
    return (this.call('AgentList') as AgentInfo[]).filter((a) => a.id !== this.root.id);
  }

  /** Releases a quarantined or throttled agent (the operator's decision). */
  release(agent: number | string): void {
    const a = this.find(agent);
    this.kernel.release(a);
  }

  /**
   * Log lines of an agent by id or name. A name resolves among live agents first, then among the exited ones
   * still kept (the most recent of that name), so `aios logs NAME` works after the agent has exited.
   */
  logs(agent: number | string): string[] {
    if (typeof agent === 'number') return [...this.find(agent).logs];
    const live = [...this.kernel.agents.values()].find((x) => x.name === agent && x.alive);
    if (live !== undefined && live !== this.root) return [...live.logs];
    let last: Agent | undefined;
    for (const x of this.kernel.agents.values()) if (x.name === agent && x !== this.root && (last === undefined || x.id > last.id)) last = x;
    if (last === undefined) throw new AiosError('ESRCH', `no agent ${agent}`, { agent });
    return [...last.logs];
  }

  /** Resolves when the agent exits (at once if it already has). */
  waitExit(agent: number): Promise<ExitStatus> {
    const a = this.kernel.agents.get(agent);
    if (a === undefined) return Promise.reject(new AiosError('ESRCH', `no agent ${agent}`));
    if (!a.alive) return Promise.resolve({ id: a.id, code: a.exitCode ?? 0, reason: a.exitReason ?? '' });
    return new Promise((resolve) => {
      const list = this.exitWaiters.get(agent) ?? [];
      list.push(resolve);
      this.exitWaiters.set(agent, list);
    });
  }

  /** Notices (exit, trap) and messages sent to the root, oldest first; taking them empties the inbox. */
  takeInbox(): Array<{ from: number; tag: string; text: string; notice?: ExitNotice }> {
    return this.kernel.rootInbox.splice(0).map((m) => {
      const text = new TextDecoder().decode(m.data);
      return m.tag === 'exit' || m.tag === 'trap' ? { from: m.from, tag: m.tag, text, notice: JSON.parse(text) as ExitNotice } : { from: m.from, tag: m.tag, text };
    });
  }

  /**
   * Calls one op of a service's protocol table (@aios/abi protocols) from the host: the one envelope { id, op,
   * ...args } with a SEND-only reply handle to the root, resolved with the reply carrying the same id (REPLY_TAG).
   * Rejects with the service's AiosError (its cause chain rebuilt), ETIMEDOUT, or the send's error. The untyped
   * form `request(agent, { op, ...args })` sends the same envelope for callers that name the op at run time.
   */
  request<P extends Protocol, K extends OpName<P>>(protocol: P, agent: number | string, op: K, args: OpRequest<P, K>, timeoutMs?: number): Promise<OpResult<P, K>>;
  request<T = unknown>(agent: number | string, body: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  request(...a: unknown[]): Promise<unknown> {
    if (typeof a[0] === 'object' && a[0] !== null && 'ops' in a[0]) {
      return this.requestEnvelope(a[1] as number | string, { ...(a[3] as object), op: a[2] as string }, (a[4] as number | undefined) ?? limits.HOST_REQUEST_TIMEOUT_MS);
    }
    return this.requestEnvelope(a[0] as number | string, a[1] as Record<string, unknown>, (a[2] as number | undefined) ?? limits.HOST_REQUEST_TIMEOUT_MS);
  }

  private requestEnvelope(agent: number | string, body: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const id = `host-${++this.requestSeq}`;
    const k = this.kernel;
    return new Promise<unknown>((resolve, reject) => {
      const listener = (msg: Message): void => {
        // Matched by id (host ids are unique); the tag is not checked so agents answering with a plain send still work.
        const reply = parseReply(new TextDecoder().decode(msg.data));
        if (reply === null || reply.id !== id) return;
        cleanup();
        try {
          resolve(replyResult(reply));
        } catch (e) {
          reject(e);
        }
      };
      // The timers port, not setTimeout: the kernel package keeps time only through its ports.
      const timer = k.ports.timers.setTimer(timeoutMs, () => {
        cleanup();
        reject(new AiosError('ETIMEDOUT', `no reply from ${String(agent)} within ${timeoutMs} ms`, { agent, timeoutMs }));
      });
      const cleanup = (): void => {
        k.ports.timers.clearTimer(timer);
        k.rootListeners.delete(listener);
      };
      k.rootListeners.add(listener);
      try {
        // One SEND-only reply handle to the root serves every request (each receiver gets a derived copy).
        this.replyHandle ??= this.call('CapDerive', this.root.selfHandle, Rights.SEND | Rights.TRANSFER) as number;
        this.call('IPCSend', this.handleFor(agent), new TextEncoder().encode(JSON.stringify({ ...body, id })), { handles: [this.replyHandle] });
      } catch (e) {
        cleanup();
        reject(e);
      }
    });
  }
  private requestSeq = 0;
  private replyHandle: number | undefined;

  shutdown(reason?: string): void {
    this.kernel.shutdown(reason);
  }
}

/** A string with a newline or an import/export statement is module text; anything else is a path. */
export function looksLikeSource(s: string): boolean {
  return s.includes('\n') || /\b(import|export)\b/.test(s);
}
