// identityd's state: which identity each live agent holds, issued at spawn (or on first use), kept across
// restarts (an agent that comes back under the same lineage — same durable key, or same name under a parent of
// the same name — gets its identity back with a new certificate), new and linked on clone, re-certified on
// upgrade, revoked on exit. Seeds live unsealed only here; the vault persists them sealed.
// Trusts the nodekey port (the host) and the agent ids the kernel stamps.
import { AiosError, type IdentityCertificate, type IdentityCertificateBody, type IdentityInfo, type AgentAttestation } from '@aios/abi';
import { Vault, b64u, fromB64u, type IdentityRecord } from './vault.ts';

/** What the host tells identityd about an agent (nodekey device, tool agent). */
export interface AgentFacts {
  id: number;
  name: string;
  alive: boolean;
  parent: number | null;
  durableKey: string | null;
  version: string | null;
  measurement: string | null;
}

/** The node-key operations identityd uses (the nodekey device, or a fake in tests). */
export interface NodeKeyPort {
  issuer(): Promise<{ keyId: string; publicKey: string; epoch: number }>;
  keygen(seed: string): Promise<{ keyId: string; publicKey: string }>;
  sign(seed: string, data: string): Promise<string>;
  verify(publicKey: string, data: string, signature: string): Promise<boolean>;
  certify(body: IdentityCertificateBody): Promise<{ issuer: string; signature: string }>;
  agent(id: number): Promise<AgentFacts>;
  quote(nonce: string, identity: string, measurement: string): Promise<{ quote: unknown; nodePublicKey: string }>;
}

interface Held {
  rec: IdentityRecord;
  seed: Uint8Array | null;
  cert: IdentityCertificate;
  agent: number;
  name: string;
  revoked: boolean;
  measurement: string | null;
}

/** The largest data identityd signs in one request (bytes, before base64url). */
export const SIGN_MAX_BYTES = 32 * 1024;

/** Revoked identities kept in memory (older ones are read back from the vault, without the revoked mark). */
export const REVOKED_KEPT = 4096;

export class IdentityRegistry {
  private readonly byAgent = new Map<number, Held>();
  private readonly byId = new Map<string, Held>();
  private readonly issuing = new Map<number, Promise<Held>>();
  private readonly retired: string[] = [];

  constructor(private readonly vault: Vault, private readonly keys: NodeKeyPort, private readonly random: (n: number) => Uint8Array, private readonly now: () => number, private readonly epoch: number) {}

  /** The identity of a live agent, issued now if it has none. ESRCH for a dead or unknown agent. */
  forAgent(agent: number, opts: { parentIdentity?: string } = {}): Promise<Held> {
    const hit = this.byAgent.get(agent);
    if (hit) return Promise.resolve(hit);
    const pending = this.issuing.get(agent);
    if (pending) return pending;
    const p = this.issue(agent, opts.parentIdentity ?? null).finally(() => this.issuing.delete(agent));
    this.issuing.set(agent, p);
    return p;
  }

  private async issue(agent: number, cloneOf: string | null): Promise<Held> {
    const facts = await this.keys.agent(agent);
    if (!facts.alive) throw new AiosError('ESRCH', `agent ${agent} is not alive`, { agent });
    let lineage: string;
    if (cloneOf !== null) lineage = `${cloneOf}/clone/${this.epoch}.${agent}`;
    else if (facts.durableKey) lineage = `durable/${facts.durableKey}`;
    else {
      const parentName = facts.parent !== null ? await this.keys.agent(facts.parent).then((p) => p.name, () => '?') : 'node';
      lineage = `${parentName}/${facts.name}`;
    }
    let rec = await this.vault.byLineage(lineage);
    let seed = rec ? await this.vault.unseal(rec) : null;
    // An identity is held by one live agent at a time: a second one of the same lineage gets its own.
    if (rec && (seed === null || this.liveHolder(rec.id) !== null)) {
      lineage = `${lineage}#${this.epoch}.${agent}`;
      rec = null;
      seed = null;
    }
    if (!rec || !seed) {
      seed = this.random(32);
      const k = await this.keys.keygen(b64u(seed));
      rec = { id: k.keyId, publicKey: k.publicKey, lineage, parent: cloneOf, serial: 0, sealed: '' };
      rec.sealed = await this.vault.seal(rec.id, seed);
    }
    const held: Held = { rec, seed, agent, name: facts.name, revoked: false, measurement: facts.measurement, cert: await this.certify(rec, agent, facts.name, facts.measurement) };
    this.byAgent.set(agent, held);
    this.byId.set(rec.id, held);
    return held;
  }

  private liveHolder(id: string): Held | null {
    const h = this.byId.get(id);
    return h && !h.revoked ? h : null;
  }

  /** A new certificate (serial + 1), persisted with the record. */
  private async certify(rec: IdentityRecord, agent: number, name: string, measurement: string | null): Promise<IdentityCertificate> {
    rec.serial += 1;
    const iss = await this.keys.issuer();
    const body: IdentityCertificateBody = {
      v: 2, subject: rec.id, publicKey: rec.publicKey, agent, name, epoch: this.epoch, parent: rec.parent, measurement, serial: rec.serial, issuer: iss.keyId, issued: this.now(),
    };
    const s = await this.keys.certify(body);
    await this.vault.save(rec);
    return { ...body, issuer: s.issuer, signature: s.signature };
  }

  /** A clone gets a new identity linked to its parent's. */
  async onClone(parentAgent: number, cloneAgent: number): Promise<Held> {
    const parent = await this.forAgent(parentAgent).catch(() => null);
    // The clone may already hold a plain identity (its start came first): that one is retired.
    if (this.byAgent.get(cloneAgent)?.rec.parent === null) await this.onExit(cloneAgent);
    return this.forAgent(cloneAgent, parent ? { parentIdentity: parent.rec.id } : {});
  }

  /** An upgraded agent keeps its identity under a new certificate naming the new image. */
  async onUpgrade(agent: number): Promise<Held | null> {
    const h = this.byAgent.get(agent);
    if (!h) return null;
    const facts = await this.keys.agent(agent);
    h.measurement = facts.measurement;
    h.cert = await this.certify(h.rec, agent, facts.name, facts.measurement);
    return h;
  }

  /** The agent exited: its certificate is revoked and its seed dropped from memory (the sealed record stays). */
  async onExit(agent: number): Promise<Held | null> {
    await this.issuing.get(agent)?.catch(() => undefined);
    const h = this.byAgent.get(agent);
    if (!h) return null;
    this.byAgent.delete(agent);
    h.revoked = true;
    h.seed?.fill(0);
    h.seed = null;
    this.retired.push(h.rec.id);
    // Revoked identities stay verifiable (reason "revoked") for the last REVOKED_KEPT exits; older ones from the vault.
    while (this.retired.length > REVOKED_KEPT) {
      const old = this.retired.shift()!;
      if (this.byId.get(old)?.revoked) this.byId.delete(old);
    }
    return h;
  }

  async sign(agent: number, data: string): Promise<{ signature: string; identity: string }> {
    const bytes = fromB64u(data);
    if (bytes.length > SIGN_MAX_BYTES) throw new AiosError('EMSGSIZE', `at most ${SIGN_MAX_BYTES} bytes are signed at once`, { arg: 'data', limit: SIGN_MAX_BYTES, size: bytes.length });
    const h = await this.forAgent(agent);
    if (!h.seed) throw new AiosError('ESRCH', `agent ${agent} holds no live identity`, { agent });
    return { signature: await this.keys.sign(b64u(h.seed), data), identity: h.rec.id };
  }

  async verify(signature: string, data: string, identity: string): Promise<{ ok: boolean; reason?: string }> {
    if (typeof identity !== 'string' || !/^[0-9a-f]{64}$/.test(identity)) throw new AiosError('EINVAL', 'identity must be a 64-hex identity id', { arg: 'identity' });
    fromB64u(data);
    fromB64u(signature);
    const h = this.byId.get(identity);
    const rec = h?.rec ?? (await this.vault.load(identity));
    if (!rec) throw new AiosError('ENOENT', `no identity ${identity}`, { identity });
    const ok = await this.keys.verify(rec.publicKey, data, signature);
    if (!ok) return { ok: false, reason: 'bad signature' };
    return h?.revoked ? { ok: true, reason: 'revoked' } : { ok: true };
  }

  async attest(agent: number, nonce: string): Promise<AgentAttestation> {
    if (typeof nonce !== 'string' || !/^([0-9a-f]{2}){16,64}$/.test(nonce)) throw new AiosError('EINVAL', 'nonce must be 16..64 bytes of hex', { arg: 'nonce' });
    const h = await this.forAgent(agent);
    const facts = await this.keys.agent(agent);
    const measurement = facts.measurement ?? 'none';
    const q = await this.keys.quote(nonce, h.rec.id, measurement);
    return { identity: h.rec.id, agent, measurement, nonce, quote: q.quote, nodePublicKey: q.nodePublicKey };
  }

  async lookup(q: { agent?: number; identity?: string }): Promise<IdentityInfo> {
    let h: Held | undefined;
    if (typeof q.agent === 'number') h = this.byAgent.get(q.agent) ?? (await this.forAgent(q.agent).catch(() => undefined));
    else if (typeof q.identity === 'string') h = this.byId.get(q.identity);
    else throw new AiosError('EINVAL', 'lookup takes agent or identity', { arg: 'agent' });
    if (!h) throw new AiosError('ENOENT', 'no such identity', { ...(q.agent !== undefined ? { agent: q.agent } : { identity: q.identity }) });
    return info(h);
  }

  /** Counts for ctx.log and tests. */
  stats(): { live: number; known: number } {
    return { live: this.byAgent.size, known: this.byId.size };
  }
}

export function info(h: Held): IdentityInfo {
  return { id: h.rec.id, agent: h.agent, name: h.name, publicKey: h.rec.publicKey, parent: h.rec.parent, revoked: h.revoked, certificate: h.cert };
}
