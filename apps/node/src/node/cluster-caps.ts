// Handles across nodes as hybrid-signed capability tokens (the kernel's aioscap1 format, signed Ed25519 +
// ML-DSA-65 with the node's token key). Issuing side: a handle sent to a remote agent becomes a grant (a node
// of the derivation tree under the sender's handle) and a token naming the object, the narrowed rights, the
// expiry, the receiver ('NAME@NODE') and a nonce; every later use over the link names the token id and is
// checked again here; revoking the grant (through the sender's handle or an ancestor) pushes the revocation to
// the holder. Receiving side: a token is installed only when it verifies (signature under the issuing node's
// key fetched over its link, the sender of the frame is that issuer and a live member, audience is the
// receiver here, not expired, not revoked, never installed before). Trusts the cluster layer's link auth.
import { randomBytes } from 'node:crypto';
import { AiosError, Rights, limits, type ErrorCode } from '@aios/abi';
import {
  MemoryUseCounter, TokenVerifyCache, deriveRemoteGrant, mintToken, verifyToken,
  type CapNode, type KernelHost, type RemotePort, type RemoteTransfer,
} from '@aios/kernel';
import { decodePublicKey, encodePublicKey, fromBase64Url, toBase64Url, type HybridPublicKey } from '@aios/trust';
import type { Cluster } from '@aios/drivers/transport-nats';

type AgentRec = NonNullable<ReturnType<KernelHost['kernel']['agents']['get']>>;

/** What a received capability can do on the holder's node: sends go over the link; it can be derived and passed on locally. */
export const REMOTE_CAP_RIGHTS = Rights.SEND | Rights.INSPECT | Rights.DERIVE | Rights.TRANSFER;
/** Longest encoded token accepted (the kernel's TOKEN_MAX_CHARS). */
const TOKEN_MAX_CHARS = 8192;

interface Issued {
  node: CapNode;
  holder: string;
  exp: number;
  slot: number;
  target: AgentRec;
}

interface Held {
  issuer: string;
  record: AgentRec;
  nodes: CapNode[];
  exp: number;
}

/** A verified token, ready to be installed for the receiver. */
export interface AcceptedCap {
  id: string;
  issuer: string;
  /** '#ID@NODE' of the agent on the issuing node. */
  address: string;
  rights: number;
  exp: number;
}

export class ClusterCaps {
  private readonly issued = new Map<string, Issued>();
  private readonly slots = new Map<number, string>();
  private nextSlot = 1;
  private readonly held = new Map<string, Held>();
  /** Revoked token ids -> until when to remember them (their expiry). */
  private readonly revoked = new Map<string, number>();
  private readonly keys = new Map<string, { incarnation: string; key: HybridPublicKey }>();
  private readonly uses = new MemoryUseCounter();
  private readonly cache = new TokenVerifyCache(4096);
  private readonly owner = { dropHandle: (slot: number): void => this.grantRevoked(slot) };

  constructor(
    private readonly host: KernelHost,
    private readonly cluster: Cluster,
    /** A port for a record of `address` whose sends carry the capability `cap` (cluster.ts). */
    private readonly makePort: (address: string, node: string, cap: string) => RemotePort,
  ) {
    cluster.handle('tokenKey', () => {
      const t = host.kernel.tokens;
      if (t === null) throw new AiosError('ENOSYS', `node ${cluster.node} has no token key`);
      return { key: toBase64Url(encodePublicKey(t.issuer.key.publicKey)) };
    });
    cluster.onFrame('caprevoke', (from, h) => this.onRevoke(from, h));
  }

  /** Whether this node can sign tokens (its kernel has a token key). */
  get enabled(): boolean {
    return this.host.kernel.tokens !== null;
  }

  private audit(agent: number, action: string, object: string | null, result: 'ok' | ErrorCode, detail: Record<string, unknown>): void {
    const k = this.host.kernel;
    k.audit.append(k.now(), agent, action, object, result, detail);
  }

  // ---- issuing side ----

  /**
   * Grants and signs one token per transfer for `audience` ('NAME@NODE' of the receiver) held by `holder`.
   * All or nothing; EQUOTA past REMOTE_CAPS_NODE_MAX live tokens, ENOSYS without a token key.
   */
  issue(sender: number, transfers: readonly RemoteTransfer[], audience: string, holder: string): string[] {
    const k = this.host.kernel;
    const t = k.tokens;
    if (t === null) throw new AiosError('ENOSYS', 'this node has no token key: handles cannot leave it');
    const now = k.now();
    if (this.issued.size + transfers.length > limits.REMOTE_CAPS_NODE_MAX) this.sweep(now);
    if (this.issued.size + transfers.length > limits.REMOTE_CAPS_NODE_MAX) {
      throw new AiosError('EQUOTA', `the node holds ${limits.REMOTE_CAPS_NODE_MAX} live capabilities sent to other nodes`, { resource: 'remoteCaps', limit: limits.REMOTE_CAPS_NODE_MAX, used: this.issued.size });
    }
    const made: string[] = [];
    const tokens: string[] = [];
    try {
      for (const tr of transfers) {
        const exp = Math.min(tr.parent.expires ?? Infinity, now + limits.REMOTE_CAP_TTL_MS);
        // Signing costs an ML-DSA-65 signature (a few ms) on this thread, once per handle sent.
        const m = mintToken({ object: tr.parent.label, rights: tr.rights, expires: exp, audience, maxUses: 1, nonce: randomBytes(16) }, t.issuer.key);
        const slot = this.nextSlot++;
        const node = deriveRemoteGrant(tr.parent, tr.parent.object, tr.rights, this.owner, slot, exp);
        this.issued.set(m.id, { node, holder, exp, slot, target: tr.parent.object as AgentRec });
        this.slots.set(slot, m.id);
        made.push(m.id);
        tokens.push(m.token);
        this.audit(sender, 'ClusterCapIssue', tr.parent.label, 'ok', { token: m.id, rights: tr.rights, audience, expires: exp });
      }
    } catch (e) {
      for (const id of made) this.forgetIssued(id);
      throw e;
    }
    return tokens;
  }

  private forgetIssued(id: string): void {
    const rec = this.issued.get(id);
    if (rec === undefined) return;
    this.issued.delete(id);
    this.slots.delete(rec.slot);
    rec.node.detach();
  }

  /** Forgets tokens that can no longer be used (expired or revoked) and revoked ids past their expiry. */
  private sweep(now: number): void {
    for (const [id, rec] of this.issued) if (rec.node.revoked || now >= rec.exp) this.forgetIssued(id);
    for (const [id, exp] of this.revoked) {
      if (now >= exp) {
        this.revoked.delete(id);
        this.uses.forget(id);
      }
    }
    for (const [id, h] of this.held) {
      if (now >= h.exp) {
        this.held.delete(id);
        this.uses.forget(id);
        if (h.record.alive) this.host.kernel.exitAgent(h.record, 1, 'capability expired');
      }
    }
  }

  /** The grant was revoked here (the sender's handle or an ancestor): the holder is told at once. */
  private grantRevoked(slot: number): void {
    const id = this.slots.get(slot);
    if (id === undefined) return;
    const rec = this.issued.get(id)!;
    this.forgetIssued(id);
    this.audit(0, 'ClusterCapRevoke', rec.node.label, 'ok', { token: id, holder: rec.holder });
    this.push(rec.holder, id, 'EPERM', 'revoked', rec.exp);
  }

  private push(node: string, id: string, code: ErrorCode, reason: string, exp?: number): void {
    const h = { id, code, reason, ...(exp !== undefined && Number.isFinite(exp) ? { exp } : {}) };
    try {
      if (!this.cluster.postNow(node, 'caprevoke', h)) void this.cluster.post(node, 'caprevoke', h).catch(() => undefined);
    } catch {
      /* the holder is down: its records go with it */
    }
  }

  /**
   * A use arriving over the link from `from`, naming token `id`: the local agent it reaches, or an AiosError
   * (unknown or revoked EPERM, another node EACCES, expired EPERM, no SEND EPERM, gone ESRCH). A refusal
   * is audited and pushed back to the holder as a revocation.
   */
  checkUse(from: string, id: string): AgentRec {
    const rec = this.issued.get(id);
    const refuse = (code: ErrorCode, reason: string): never => {
      this.audit(0, 'ClusterCapRefused', rec?.node.label ?? null, code, { token: id.slice(0, 64), node: from, reason, use: true });
      if (rec === undefined || rec.holder === from) this.push(from, id, code, reason);
      throw new AiosError(code, `capability ${id.slice(0, 16)} refused: ${reason}`, { token: id, reason, node: from });
    };
    if (rec === undefined) return refuse('EPERM', 'unknown or revoked');
    if (rec.holder !== from) return refuse('EACCES', `issued to node ${rec.holder}`);
    if (rec.node.revoked) return refuse('EPERM', 'revoked');
    if (this.host.kernel.now() >= rec.exp) {
      this.forgetIssued(id);
      return refuse('EPERM', 'expired');
    }
    if ((rec.node.rights & Rights.SEND) === 0) return refuse('EPERM', 'the capability lacks SEND');
    if (!rec.target.alive) {
      this.forgetIssued(id);
      return refuse('ESRCH', 'the agent has exited');
    }
    return rec.target;
  }

  // ---- receiving side ----

  /** The issuing node's token key, fetched over its (authenticated) link once per incarnation. */
  private async keyOf(node: string): Promise<HybridPublicKey> {
    const entry = this.cluster.directory.node(node);
    if (entry === null || this.cluster.directory.state(node) === 'down') throw new AiosError('EPERM', `node ${node} is not a live cluster member`, { node, reason: 'issuer' });
    const c = this.keys.get(node);
    if (c !== undefined && c.incarnation === entry.incarnation) return c.key;
    const r = await this.cluster.request<{ key?: unknown }>(node, 'tokenKey', {}, limits.LINK_HANDSHAKE_TIMEOUT_MS);
    if (typeof r?.key !== 'string' || r.key.length > 4096) throw new AiosError('EPERM', `node ${node} sent no usable token key`, { node, reason: 'issuer' });
    const key = decodePublicKey(fromBase64Url(r.key));
    this.keys.set(node, { incarnation: entry.incarnation, key });
    return key;
  }

  /**
   * Verifies the tokens a message from `from` carries for `audience` ('NAME@NODE' of the receiver here).
   * Throws (and audits) on the first bad one: EMSGSIZE too many or too long, EINVAL malformed, EPERM bad
   * signature / another issuer / expired / revoked / already installed, EACCES another audience.
   */
  async accept(from: string, audience: string, tokens: unknown): Promise<AcceptedCap[]> {
    const refuse = (code: ErrorCode, reason: string): never => {
      this.audit(0, 'ClusterCapRefused', null, code, { node: from, audience, reason });
      throw new AiosError(code, `capability from node ${from} refused: ${reason}`, { node: from, reason });
    };
    if (!Array.isArray(tokens) || tokens.length === 0) return refuse('EINVAL', 'caps must be a non-empty list');
    if (tokens.length > limits.IPC_MAX_HANDLES_PER_MESSAGE) return refuse('EMSGSIZE', `more than ${limits.IPC_MAX_HANDLES_PER_MESSAGE} handles`);
    for (const t of tokens) {
      if (typeof t !== 'string') return refuse('EINVAL', 'a token is not a string');
      if (t.length > TOKEN_MAX_CHARS) return refuse('EMSGSIZE', `a token is longer than ${TOKEN_MAX_CHARS} characters`);
    }
    let key: HybridPublicKey;
    try {
      key = await this.keyOf(from);
    } catch (e) {
      return refuse('EPERM', `no key for issuer ${from}: ${(e as Error).message}`);
    }
    const k = this.host.kernel;
    const now = k.now();
    return (tokens as string[]).map((t) => {
      const g = verifyToken(t, {
        now, audience, issuerPublicKey: key, isRevoked: (id) => this.revoked.has(id), uses: this.uses, cache: this.cache,
        audit: (ev) => {
          if (ev.result !== 'ok') this.audit(0, 'ClusterCapRefused', ev.object ?? null, ev.result, { node: from, audience, reason: ev.reason, token: ev.tokenId });
        },
      });
      if (!/^agent:\d{1,15}$/.test(g.object)) return refuse('EINVAL', `object ${g.object.slice(0, 64)} is not an agent`);
      return { id: g.id, issuer: from, address: `#${g.object.slice(6)}@${from}`, rights: g.rights, exp: g.claims.exp };
    });
  }

  /** Installs verified capabilities as handles of `target` (records whose sends carry the token id); returns the handles. */
  install(target: AgentRec, caps: readonly AcceptedCap[]): number[] {
    const k = this.host.kernel;
    const handles: number[] = [];
    if (this.held.size > 0 && this.held.size % 1024 === 0) this.sweep(k.now());
    for (const c of caps) {
      const record = k.attachRemote(c.address, this.makePort(c.address, c.issuer, c.id));
      const h = k.insertHandle(target, record, c.rights & REMOTE_CAP_RIGHTS, null, c.exp);
      const held: Held = { issuer: c.issuer, record, nodes: [target.handles.get(h)!.node], exp: c.exp };
      this.held.set(c.id, held);
      handles.push(h);
      this.audit(target.id, 'ClusterCapInstall', record.label, 'ok', { token: c.id, address: c.address, rights: c.rights & REMOTE_CAP_RIGHTS, expires: c.exp });
      // Revoked while the message waited for its mailbox: the handle is a tombstone from the start.
      if (this.revoked.has(c.id)) this.revokeHeld(c.id, 'EPERM');
    }
    return handles;
  }

  private revokeHeld(id: string, code: string): void {
    const h = this.held.get(id);
    if (h === undefined) return;
    this.held.delete(id);
    // A revocation makes the handle (and what was derived from it here) a tombstone: EPERM, as a local
    // revocation; the issuer's agent gone or its node down leaves the handle and ends the record: ESRCH.
    if (code !== 'ESRCH') {
      for (const n of h.nodes) {
        n.revokeDescendants();
        if (!n.revoked) n.revoke();
      }
    }
    if (h.record.alive) this.host.kernel.exitAgent(h.record, 1, code === 'ESRCH' ? 'the agent has exited' : 'capability revoked by its issuing node');
  }

  /** A revocation (or refusal) pushed by the issuing node: the handle's next use fails here (EPERM). */
  private onRevoke(from: string, h: Record<string, unknown>): void {
    const id = typeof h.id === 'string' && /^[0-9a-f]{64}$/.test(h.id) ? h.id : null;
    if (id === null) return;
    const held = this.held.get(id);
    if (held !== undefined && held.issuer !== from) return; // only the issuer revokes what it issued
    const k = this.host.kernel;
    const exp = Number.isSafeInteger(h.exp) ? Number(h.exp) : k.now() + limits.REMOTE_CAP_TTL_MS;
    if (this.revoked.size >= limits.REMOTE_CAPS_REVOKED_MAX) this.sweep(k.now());
    if (this.revoked.size < limits.REMOTE_CAPS_REVOKED_MAX) this.revoked.set(id, held?.exp ?? exp);
    if (held === undefined) return;
    this.audit(0, 'ClusterCapRevoked', held.record.label, 'ok', { token: id, node: from, reason: String(h.reason ?? '').slice(0, 64) });
    this.revokeHeld(id, String(h.code));
  }

  /** A node went down: capabilities it issued end (ESRCH on use), those issued to it are forgotten. */
  onDown(node: string): void {
    for (const [id, h] of this.held) if (h.issuer === node) this.revokeHeld(id, 'ESRCH');
    for (const [id, rec] of this.issued) if (rec.holder === node) this.forgetIssued(id);
    this.keys.delete(node);
  }

  /** Ids of the live tokens issued to `holder` (tests, diagnostics). */
  issuedTo(holder: string): string[] {
    return [...this.issued].filter(([, r]) => r.holder === holder).map(([id]) => id);
  }

  /** For tests and `aios` status: live capabilities issued and held. */
  stats(): { issued: number; held: number; revoked: number } {
    return { issued: this.issued.size, held: this.held.size, revoked: this.revoked.size };
  }
}
