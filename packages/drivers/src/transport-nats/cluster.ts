// A node's membership in a cluster over NATS: its directory entry and heartbeat, its encrypted links to
// other nodes (handshake.ts, session.ts), request/reply between nodes and one-way frames. NATS carries only
// handshake frames (cookie-MAC'd, signed) and ciphertext: the broker is trusted for delivery, not content.
// Contract: a frame reaches the application only after it decrypted under an established link; a request to
// a node that goes down, or whose link closes, fails with EIO naming the node, never hangs.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection, type Subscription } from 'nats';
import { AiosError, limits } from '@aios/abi';
import { Directory, type AgentEntry, type NodeView } from './directory.ts';
import { cookieKey, Initiator, openHs, Responder, type HsFrame } from './handshake.ts';
import { keyIdOf, nodeIdentity, type NodeIdentity } from './identity.ts';
import { LinkSession } from './session.ts';
import { F_ERR, F_POST, F_REP, F_REQ, FLAG_BYTES, FrameBatch, readFrames, type Frame } from './frame.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const K_HS = 0x48;
const K_REFUSE = 0x52;
const K_DATA = 0x44;
/** Version of the data record layout (K_DATA | version | fromLen | from | epoch | seq | sealed frames). */
const WIRE_VERSION = 1;
const EMPTY = new Uint8Array(0);
const suffixOf = (node: string): Uint8Array => enc.encode(`>${node}`);
/** A POST header as JSON text; an empty header travels as nothing. */
const metaOf = (h: Record<string, unknown>): string => {
  for (const _ in h) return JSON.stringify(h);
  return '';
};

/** A security-relevant cluster event, for the node's audit log. */
export interface ClusterAuditEvent {
  action: 'LinkUp' | 'LinkRefused' | 'LinkFrameRejected' | 'NodeDown';
  node: string;
  result: 'ok' | 'denied';
  detail: Record<string, unknown>;
}

export interface ClusterOptions {
  url: string;
  node: string;
  cookie: string;
  /** Subject and bucket prefix (tests use a unique one). Default 'aios'. */
  prefix?: string;
  /** 32-byte identity seed (default: a fresh one per process). */
  seed?: Uint8Array;
  heartbeatMs?: number;
  suspectMs?: number;
  downMs?: number;
  rekeyMessages?: number;
  rekeyMs?: number;
  audit?: (e: ClusterAuditEvent) => void;
  /** Extra fields of this node's entry, read at each heartbeat. */
  describe?: () => { agents: number; load: number; services: string[] };
}

export type FrameHandler = (from: string, header: Record<string, unknown>, payload: Uint8Array) => void;
export type RequestHandler = (from: string, body: Record<string, unknown>) => Promise<unknown> | unknown;
/** A handler of byte requests (requestBytes): the body and the reply travel as raw bytes. */
export type BytesHandler = (from: string, body: Uint8Array) => Promise<Uint8Array> | Uint8Array;

interface Link {
  session: LinkSession | null;
  initiator: Initiator | null;
  responder: Responder | null;
  ready: Promise<void> | null;
  settle: ((e?: Error) => void) | null;
  incarnation: string | null;
  /** Frames waiting for this tick's record (sealed at the next microtask, or at once when LINK_BATCH_BYTES is reached). */
  out: FrameBatch;
  flushQueued: boolean;
}

interface Pending {
  node: string;
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Cluster {
  readonly node: string;
  readonly prefix: string;
  readonly identity: NodeIdentity;
  readonly incarnation = randomBytes(8).toString('hex');
  readonly directory: Directory;
  private nc!: NatsConnection;
  private sub!: Subscription;
  private readonly ck: Uint8Array;
  private readonly links = new Map<string, Link>();
  private readonly frames = new Map<string, FrameHandler>();
  private readonly handlers = new Map<string, { fn: RequestHandler; bytes: false } | { fn: BytesHandler; bytes: true }>();
  private readonly pending = new Map<number, Pending>();
  /** Record prefix of every data record this node sends: K_DATA | version | fromLen | from. */
  private readonly recordPrefix: Uint8Array;
  /** AAD suffix of records addressed to this node: '>' | this node's name. */
  private readonly selfSuffix: Uint8Array;
  private readonly suffixes = new Map<string, Uint8Array>();
  private readonly downListeners: Array<(node: string) => void> = [];
  private nextReq = 1;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private closed = false;
  /** Frames dropped because they did not authenticate, by reason. */
  readonly rejected = { auth: 0, cookie: 0, unknown: 0 };

  private constructor(private readonly opts: ClusterOptions) {
    if (!NAME_RE.test(opts.node)) throw new AiosError('EINVAL', 'node name must be 1-64 letters, digits, - or _', { arg: 'node', value: opts.node });
    if (typeof opts.cookie !== 'string' || opts.cookie.length < 8) throw new AiosError('EINVAL', 'cluster cookie must be at least 8 characters', { arg: 'cookie' });
    this.node = opts.node;
    const from = enc.encode(opts.node);
    this.recordPrefix = Uint8Array.from([K_DATA, WIRE_VERSION, from.length, ...from]);
    this.selfSuffix = suffixOf(opts.node);
    this.prefix = opts.prefix ?? 'aios';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(this.prefix)) throw new AiosError('EINVAL', 'cluster prefix must be 1-32 letters, digits, - or _', { arg: 'prefix' });
    this.identity = nodeIdentity(opts.seed);
    this.ck = cookieKey(opts.cookie);
    this.directory = new Directory({
      prefix: this.prefix, macKey: this.ck,
      suspectMs: opts.suspectMs ?? limits.CLUSTER_SUSPECT_MS, downMs: opts.downMs ?? limits.CLUSTER_DOWN_MS,
      onDown: (n) => this.nodeDown(n),
      onOwnAgentGone: (name) => {
        for (const fn of this.ownAgentGoneListeners) fn(name);
      },
      onChange: (n, e) => {
        const l = this.links.get(n);
        // A new incarnation of a node: the old link's keys and in-flight requests are gone with it.
        if (l !== undefined && l.incarnation !== null && l.incarnation !== e.incarnation) this.dropLink(n, 'node restarted');
      },
    });
  }

  /** Connects, opens the directory, subscribes to this node's subject and starts heartbeating. EIO when NATS is unreachable. */
  static async join(opts: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(opts);
    try {
      c.nc = await connect({ servers: opts.url, name: `aios-${opts.node}`, maxReconnectAttempts: -1 });
    } catch (e) {
      throw new AiosError('EIO', `cannot reach the cluster at ${opts.url}: ${(e as Error).message}`, { url: opts.url });
    }
    c.sub = c.nc.subscribe(c.subject(opts.node), { callback: (_err, m) => c.onWire(m.data) });
    await c.directory.open(c.nc);
    await c.beat();
    c.timer = setInterval(() => void c.beat().catch(() => undefined), opts.heartbeatMs ?? limits.CLUSTER_HEARTBEAT_MS);
    c.timer.unref?.();
    return c;
  }

  private subject(node: string): string {
    return `${this.prefix}.n.${node}`;
  }

  private async beat(): Promise<void> {
    if (this.closed) return;
    const d = this.opts.describe?.() ?? { agents: 0, load: 0, services: [] };
    await this.directory.heartbeat({ name: this.node, incarnation: this.incarnation, keyId: this.identity.keyId, ...d, startedAt: this.startedAt, at: Date.now() });
    this.directory.sweep(this.node);
  }

  nodes(): NodeView[] {
    return this.directory.list(this.node);
  }

  onDown(fn: (node: string) => void): void {
    this.downListeners.push(fn);
  }

  /** Called when an entry of this node's own agent leaves the directory (see DirectoryOptions.onOwnAgentGone). */
  onOwnAgentGone(fn: (name: string) => void): void {
    this.ownAgentGoneListeners.push(fn);
  }
  private readonly ownAgentGoneListeners: Array<(name: string) => void> = [];

  /** Registers the handler of one-way frames of a kind. */
  onFrame(kind: string, fn: FrameHandler): void {
    this.frames.set(kind, fn);
  }

  /** Registers the handler of requests for an op; what it returns (or throws as AiosError) is the reply. */
  handle(op: string, fn: RequestHandler): void {
    this.handlers.set(op, { fn, bytes: false });
  }

  /** Registers the handler of byte requests for an op (requestBytes): no JSON on either side. */
  handleBytes(op: string, fn: BytesHandler): void {
    this.handlers.set(op, { fn, bytes: true });
  }

  async putAgent(a: Omit<AgentEntry, 'node'>): Promise<void> {
    await this.directory.putAgent({ ...a, node: this.node });
  }

  async deleteAgent(name: string): Promise<void> {
    await this.directory.deleteAgent(this.node, name);
  }

  // ---- links ----

  private audit(e: ClusterAuditEvent): void {
    this.opts.audit?.(e);
  }

  private linkOf(node: string): Link {
    let l = this.links.get(node);
    if (l === undefined) {
      l = { session: null, initiator: null, responder: null, ready: null, settle: null, incarnation: null, out: new FrameBatch(), flushQueued: false };
      this.links.set(node, l);
    }
    return l;
  }

  /** Resolves once a link to `node` is established (handshaking if needed). EACCES refused, ETIMEDOUT, ENOENT unknown node. */
  async connect(node: string): Promise<void> {
    if (node === this.node) throw new AiosError('EINVAL', 'a node does not link to itself', { node });
    if (!NAME_RE.test(node)) throw new AiosError('EINVAL', 'bad node name', { node });
    const l = this.linkOf(node);
    if (l.session !== null) return;
    if (l.ready !== null) return l.ready;
    l.ready = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => done(new AiosError('ETIMEDOUT', `link handshake with node ${node} timed out`, { node })), limits.LINK_HANDSHAKE_TIMEOUT_MS);
      const done = (e?: Error): void => {
        clearTimeout(t);
        l.settle = null;
        l.ready = null;
        if (e) reject(e);
        else resolve();
      };
      l.settle = done;
    });
    l.initiator = new Initiator(this.identity, this.ck, this.node, node);
    this.publishRaw(node, K_HS, enc.encode(JSON.stringify(l.initiator.hs1)));
    return l.ready;
  }

  private publishRaw(node: string, kind: number, body: Uint8Array): void {
    const out = new Uint8Array(1 + body.length);
    out[0] = kind;
    out.set(body, 1);
    this.nc.publish(this.subject(node), out);
  }

  private refuse(to: string, reason: string): void {
    this.publishRaw(to, K_REFUSE, enc.encode(JSON.stringify({ from: this.node, to, reason })));
  }

  private onWire(data: Uint8Array): void {
    if (this.closed || data.length < 2) return;
    try {
      if (data[0] === K_DATA) this.onData(data);
      else if (data[0] === K_HS) this.onHandshake(JSON.parse(dec.decode(data.subarray(1))) as HsFrame);
      else if (data[0] === K_REFUSE) this.onRefuse(JSON.parse(dec.decode(data.subarray(1))) as { from: string; reason: string });
    } catch {
      this.rejected.unknown++;
    }
  }

  private onRefuse(r: { from: string; reason: string }): void {
    if (typeof r?.from !== 'string' || !NAME_RE.test(r.from)) return;
    const l = this.links.get(r.from);
    if (r.reason === 'no-session') {
      // The peer lost our link (it restarted): forget ours, the next send handshakes again.
      if (l?.session) this.dropLink(r.from, 'peer has no session');
      return;
    }
    if (l?.initiator === null || l === undefined) return;
    this.audit({ action: 'LinkRefused', node: r.from, result: 'denied', detail: { node: r.from, by: 'peer', reason: String(r.reason).slice(0, 64) } });
    l.initiator = null;
    l.settle?.(new AiosError('EACCES', `node ${r.from} refused the link: ${String(r.reason).slice(0, 64)}`, { node: r.from, reason: r.reason }));
  }

  private pinned(node: string, ed: Uint8Array, pq: Uint8Array): boolean {
    const e = this.directory.node(node);
    return e === null || e.keyId === keyIdOf(ed, pq);
  }

  private onHandshake(f: HsFrame): void {
    let b;
    try {
      b = openHs(this.ck, f);
    } catch (e) {
      // Another cookie: nothing in the frame is used. Audited, and the sender is told (it audits too).
      let from = 'unknown';
      try {
        const raw = JSON.parse(f.body) as { from?: unknown; t?: unknown };
        if (typeof raw.from === 'string' && NAME_RE.test(raw.from)) from = raw.from;
      } catch {
        /* keep unknown */
      }
      this.rejected.cookie++;
      this.audit({ action: 'LinkRefused', node: from, result: 'denied', detail: { node: from, by: 'self', reason: 'cookie', code: (e as AiosError).code } });
      if (from !== 'unknown') this.refuse(from, 'cookie');
      return;
    }
    if (b.to !== this.node || !NAME_RE.test(b.from)) return;
    const l = this.linkOf(b.from);
    try {
      if (b.t === 'hs1') {
        // Both sides started at once: the smaller name stays initiator.
        if (l.initiator !== null && this.node < b.from) return;
        l.initiator = null;
        const r = new Responder(this.identity, this.ck, f, b);
        if (!this.pinned(b.from, r.peerEd, r.peerPq)) throw new AiosError('EACCES', 'identity key differs from the directory', { reason: 'key' });
        l.responder = r;
        this.publishRaw(b.from, K_HS, enc.encode(JSON.stringify(r.hs2)));
      } else if (b.t === 'hs2' && l.initiator !== null) {
        const { hs3, keys } = l.initiator.finish(f, b);
        if (!this.pinned(b.from, keys.peerEd, keys.peerPq)) throw new AiosError('EACCES', 'identity key differs from the directory', { reason: 'key' });
        l.initiator = null;
        this.publishRaw(b.from, K_HS, enc.encode(JSON.stringify(hs3)));
        this.established(b.from, l, new LinkSession(keys.send, keys.recv, this.opts.rekeyMessages ?? limits.LINK_REKEY_MESSAGES, this.opts.rekeyMs ?? limits.LINK_REKEY_MS));
      } else if (b.t === 'hs3' && l.responder !== null) {
        const keys = l.responder.confirm(f);
        l.responder = null;
        this.established(b.from, l, new LinkSession(keys.send, keys.recv, this.opts.rekeyMessages ?? limits.LINK_REKEY_MESSAGES, this.opts.rekeyMs ?? limits.LINK_REKEY_MS));
      }
    } catch (e) {
      this.audit({ action: 'LinkRefused', node: b.from, result: 'denied', detail: { node: b.from, by: 'self', reason: (e as AiosError).detail?.reason ?? 'handshake', message: (e as Error).message } });
      l.initiator = null;
      l.responder = null;
      l.settle?.(e as Error);
    }
  }

  private established(node: string, l: Link, s: LinkSession): void {
    l.session = s;
    l.incarnation = this.directory.node(node)?.incarnation ?? null;
    this.audit({ action: 'LinkUp', node, result: 'ok', detail: { node, kem: 'X25519+ML-KEM-768', sig: 'Ed25519+ML-DSA-65', aead: 'ChaCha20-Poly1305' } });
    l.settle?.();
  }

  private dropLink(node: string, reason: string): void {
    const l = this.links.get(node);
    if (l === undefined) return;
    this.links.delete(node);
    l.settle?.(new AiosError('EIO', `link to node ${node} closed: ${reason}`, { node, reason }));
    for (const [id, p] of this.pending) {
      if (p.node !== node) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new AiosError('EIO', `node ${node} is ${reason}; request ${p.op} failed`, { node, op: p.op, reason }));
    }
  }

  private nodeDown(node: string): void {
    this.audit({ action: 'NodeDown', node, result: 'ok', detail: { node } });
    this.dropLink(node, 'down');
    for (const fn of this.downListeners) fn(node);
  }

  // ---- data records: 'D' | version | u8 len | from | u32 epoch | u64 seq | sealed frames (frame.ts) ----

  /**
   * Queues one frame for `node` on its established link; frames queued in one tick (or until LINK_BATCH_BYTES)
   * leave as one sealed record, in order. EIO when there is no link.
   */
  private enqueue(node: string, type: number, flags: number, stream: number, name: string, meta: string, body: string | Uint8Array): void {
    const l = this.links.get(node);
    if (l?.session == null) throw new AiosError('EIO', `no link to node ${node}`, { node });
    // A frame that would overflow the batch starts the next record (a string body's length is close enough).
    if (l.out.length > 0 && l.out.length + body.length > limits.LINK_BATCH_BYTES) this.flush(node, l);
    l.out.push(type, flags, stream, name, meta, body);
    if (l.out.length >= limits.LINK_BATCH_BYTES) this.flush(node, l);
    else if (!l.flushQueued) {
      l.flushQueued = true;
      queueMicrotask(() => this.flush(node, l));
    }
  }

  /** Seals what the link has queued into one record and publishes it. */
  private flush(node: string, l: Link): void {
    l.flushQueued = false;
    if (l.out.length === 0 || l.session === null || this.links.get(node) !== l || this.closed) return;
    const { bytes, frames } = l.out.take();
    let suffix = this.suffixes.get(node);
    if (suffix === undefined) {
      suffix = suffixOf(node);
      this.suffixes.set(node, suffix);
    }
    try {
      this.nc.publish(this.subject(node), l.session.seal(this.recordPrefix, suffix, bytes, frames));
    } catch {
      /* the connection is closing: requests fail on close, at-most-once frames are lost with the link */
    }
  }

  private onData(data: Uint8Array): void {
    if (data[1] !== WIRE_VERSION) {
      this.rejected.unknown++;
      return;
    }
    const n = data[2]!;
    const from = dec.decode(data.subarray(3, 3 + n));
    const l = this.links.get(from);
    if (l?.session == null) {
      this.rejected.auth++;
      if (NAME_RE.test(from)) this.refuse(from, 'no-session');
      return;
    }
    let pt: Buffer;
    try {
      pt = l.session.open(data, 3 + n, this.selfSuffix);
    } catch (e) {
      this.rejected.auth++;
      this.audit({ action: 'LinkFrameRejected', node: from, result: 'denied', detail: { node: from, reason: (e as AiosError).detail?.reason ?? 'auth' } });
      return;
    }
    try {
      readFrames(pt, (f) => {
        // One frame's failure (a throwing handler, bad JSON) never costs the record's other frames.
        try {
          this.dispatch(from, f);
        } catch {
          this.rejected.unknown++;
        }
      });
    } catch (e) {
      // Authentic but not a list of frames: the peer holds the link keys, so this is a bug or a hostile node.
      this.rejected.unknown++;
      this.audit({ action: 'LinkFrameRejected', node: from, result: 'denied', detail: { node: from, reason: 'malformed', message: (e as Error).message } });
    }
  }

  private dispatch(from: string, f: Frame): void {
    if (f.type === F_POST) {
      const fn = this.frames.get(f.name);
      if (fn !== undefined) fn(from, f.meta === '' ? {} : (JSON.parse(f.meta) as Record<string, unknown>), f.body);
      return;
    }
    if (f.type === F_REQ) return this.serve(from, f);
    if (f.type !== F_REP && f.type !== F_ERR) return;
    const p = this.pending.get(f.stream);
    if (p === undefined || p.node !== from) return;
    this.pending.delete(f.stream);
    clearTimeout(p.timer);
    if (f.type === F_REP) p.resolve(f.flags & FLAG_BYTES ? f.body : JSON.parse(f.body.toString('utf8')));
    else {
      const e = JSON.parse(f.body.toString('utf8')) as { code?: string; message?: string; detail?: Record<string, unknown> };
      p.reject(new AiosError((e?.code ?? 'EIO') as never, `node ${from}: ${e?.message ?? 'request failed'}`, { ...(e?.detail ?? {}), node: from }));
    }
  }

  /** Runs a request's handler; a synchronous handler answers in the same tick, an async one when it settles. */
  private serve(from: string, f: Frame): void {
    const id = f.stream;
    const reply = (v: unknown): void => {
      try {
        if (v instanceof Uint8Array) this.enqueue(from, F_REP, FLAG_BYTES, id, '', '', v);
        else this.enqueue(from, F_REP, 0, id, '', '', JSON.stringify(v ?? null));
      } catch (e) {
        fail(e);
      }
    };
    const fail = (e: unknown): void => {
      try {
        this.enqueue(from, F_ERR, 0, id, '', '', JSON.stringify(errorJson(e)));
      } catch {
        /* link gone: the caller's request fails on its side */
      }
    };
    const h = this.handlers.get(f.name);
    if (h === undefined) return fail(new AiosError('ENOSYS', `node ${this.node} has no op ${f.name}`, { op: f.name }));
    const bytes = (f.flags & FLAG_BYTES) !== 0;
    if (h.bytes !== bytes) return fail(new AiosError('EINVAL', `op ${f.name} takes ${h.bytes ? 'bytes' : 'JSON'}`, { op: f.name }));
    let v: unknown;
    try {
      v = h.bytes ? h.fn(from, f.body) : h.fn(from, (JSON.parse(f.body.toString('utf8')) ?? {}) as Record<string, unknown>);
    } catch (e) {
      return fail(e);
    }
    if (v !== null && typeof (v as Promise<unknown>)?.then === 'function') (v as Promise<unknown>).then(reply, fail);
    else reply(v);
  }

  /** Sends a one-way frame of `kind` to `node` (linking first). */
  async post(node: string, kind: string, header: Record<string, unknown>, payload?: Uint8Array): Promise<void> {
    this.checkPeer(node);
    await this.connect(node);
    this.enqueue(node, F_POST, FLAG_BYTES, 0, kind, metaOf(header), payload ?? EMPTY);
  }

  /** Synchronous post on an established link; false when there is none yet (the caller connects and retries). */
  postNow(node: string, kind: string, header: Record<string, unknown>, payload?: Uint8Array): boolean {
    if (this.links.get(node)?.session == null) return false;
    this.enqueue(node, F_POST, FLAG_BYTES, 0, kind, metaOf(header), payload ?? EMPTY);
    return true;
  }

  private checkPeer(node: string): void {
    if (this.closed) throw new AiosError('EIO', 'cluster connection closed', { node });
    if (this.directory.state(node) === 'down') throw new AiosError('EIO', `node ${node} is down`, { node, state: 'down' });
  }

  /** A request to `node`'s handler of `op`. EIO when the node goes down meanwhile, ETIMEDOUT past timeoutMs. */
  request<T = unknown>(node: string, op: string, body: Record<string, unknown>, timeoutMs = limits.CLUSTER_REQUEST_TIMEOUT_MS): Promise<T> {
    let text: string;
    try {
      text = JSON.stringify(body ?? {});
    } catch (e) {
      return Promise.reject(new AiosError('EINVAL', `request body of ${op} is not JSON: ${(e as Error).message}`, { op }));
    }
    return this.call<T>(node, op, 0, text, timeoutMs);
  }

  /** A request whose body and reply are raw bytes (the op is registered with handleBytes). Errors as request(). */
  requestBytes(node: string, op: string, body: Uint8Array, timeoutMs = limits.CLUSTER_REQUEST_TIMEOUT_MS): Promise<Uint8Array> {
    return this.call<Uint8Array>(node, op, FLAG_BYTES, body, timeoutMs);
  }

  private call<T>(node: string, op: string, flags: number, body: string | Uint8Array, timeoutMs: number): Promise<T> {
    try {
      this.checkPeer(node);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    // An established link sends in this tick; otherwise handshake first.
    if (this.links.get(node)?.session == null) return this.connect(node).then(() => this.call<T>(node, op, flags, body, timeoutMs));
    const id = this.nextReq;
    this.nextReq = this.nextReq >= 0xffffffff ? 1 : this.nextReq + 1;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AiosError('ETIMEDOUT', `node ${node} did not answer ${op} within ${timeoutMs} ms`, { node, op, timeoutMs }));
      }, timeoutMs);
      this.pending.set(id, { node, op, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.enqueue(node, F_REQ, flags, id, op, '', body);
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(e as Error);
      }
    });
  }

  /** Test hook: the raw connection (to inject tampered frames). */
  get connection(): NatsConnection {
    return this.nc;
  }

  linkEpoch(node: string): number | null {
    return this.links.get(node)?.session?.sendEpoch ?? null;
  }

  /** Leaves: stops heartbeating, fails in-flight requests, drains the connection. */
  async close(opts: { destroy?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const n of [...this.links.keys()]) this.dropLink(n, 'closed');
    this.directory.close();
    try {
      this.sub.unsubscribe();
      if (opts.destroy) await this.directory.destroy();
      else await this.directory.leave(this.node);
      await this.nc.drain();
    } catch {
      /* already closed */
    }
  }
}

function errorJson(e: unknown): { code: string; message: string; detail: Record<string, unknown> } {
  const x = e as { code?: unknown; message?: unknown; detail?: unknown };
  const code = typeof x?.code === 'string' && /^E[A-Z]+$/.test(x.code) ? x.code : 'EIO';
  return { code, message: String(x?.message ?? e).slice(0, 1000), detail: (x?.detail && typeof x.detail === 'object' ? x.detail : {}) as Record<string, unknown> };
}
