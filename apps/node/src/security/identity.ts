// Node and agent identities. The node key (hybrid Ed25519 + ML-DSA-65) comes from the seed in the
// data folder; an agent's key pair is HKDF-SHA256(node seed, "<boot epoch>:<agent id>"), its id is the
// hash of its public key, and the node signs its certificate. Trusts the keystore and the clock given.
import { promises as fs } from 'node:fs';
import { hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import {
  canonicalJson, decodePublicKey, encodePublicKey, fromBase64Url, hybridKeygen, hybridSign, hybridVerify, keyId,
  toBase64Url, utf8, type HybridKeyPair, type HybridPublicKey,
} from '@aios/trust';
import { identityDir, loadOrCreateSeed, writeFileAtomic } from './keystore.ts';
import { keyRecord, readKeyHistory, recoverRotation, rotateKeyOnDisk, verifyKeyHistory, writeKeyHistory, type KeyHistory } from './history.ts';

export const EPOCH_FILE = 'epoch';
const AGENT_SALT = utf8('AIOS-AGENT-KEY-v1');

export interface AgentCertificate {
  v: 1;
  /** The agent's identity id: hex SHA-256 of its encoded public key. */
  subject: string;
  agent: number;
  name: string;
  /** Boot epoch of the node (agent ids restart at every boot; the epoch keeps identities apart). */
  epoch: number;
  publicKey: string;
  /** Key id of the node key that signed. */
  issuer: string;
  issued: number;
  /** base64url hybrid signature of the issuer over certificateMessage(). */
  signature: string;
}

export interface AgentIdentity {
  agent: number;
  name: string;
  id: string;
  publicKey: string;
  certificate: AgentCertificate;
}

export interface NodeIdentityOptions {
  passphrase?: string;
  random: (n: number) => Uint8Array;
  now: () => number;
  /** Count this open as a boot (increments the epoch). Offline tools pass false. */
  boot?: boolean;
}

export function certificateMessage(c: Omit<AgentCertificate, 'signature'>): Uint8Array {
  const { v, subject, agent, name, epoch, publicKey, issuer, issued } = c;
  return utf8('AIOS-AGENT-CERT-v1\n' + canonicalJson({ v, subject, agent, name, epoch, publicKey, issuer, issued }));
}

/** True only if the certificate is signed by this node key and its subject is the hash of its key. */
export function verifyAgentCertificate(cert: AgentCertificate, nodePublicKey: HybridPublicKey): boolean {
  try {
    const pub = decodePublicKey(fromBase64Url(cert.publicKey));
    if (keyId(pub) !== cert.subject) return false;
    return hybridVerify(nodePublicKey, certificateMessage(cert), fromBase64Url(cert.signature));
  } catch {
    return false;
  }
}

export class NodeIdentity {
  private current: HybridKeyPair;
  private readonly agents = new Map<number, AgentIdentity>();

  private constructor(
    readonly dataDir: string,
    key: HybridKeyPair,
    private hist: KeyHistory,
    readonly epoch: number,
    readonly encrypted: boolean,
    private readonly opts: NodeIdentityOptions,
  ) {
    this.current = key;
  }

  /** Loads (or on first boot creates) the node key and its history; EIO if they disagree. */
  static async open(dataDir: string, opts: NodeIdentityOptions): Promise<NodeIdentity> {
    await recoverRotation(dataDir, opts.passphrase);
    const { seed, encrypted } = await loadOrCreateSeed(dataDir, opts.passphrase, opts.random);
    const key = hybridKeygen(seed);
    let hist = await readKeyHistory(dataDir);
    if (!hist) {
      hist = { v: 1, keys: [keyRecord(key, opts.now(), 0, null)] };
      await writeKeyHistory(dataDir, hist);
    }
    const check = verifyKeyHistory(hist);
    if (!check.ok) throw new AiosError('EIO', `key history fails verification: ${check.reason}`);
    if (hist.keys[hist.keys.length - 1]!.keyId !== key.keyId) throw new AiosError('EIO', 'the node key is not the last key of the key history');
    const epochFile = join(identityDir(dataDir), EPOCH_FILE);
    let epoch = Number((await fs.readFile(epochFile, 'utf8').catch(() => '0')).trim()) || 0;
    if (opts.boot !== false) {
      epoch++;
      await writeFileAtomic(epochFile, `${epoch}\n`);
    }
    return new NodeIdentity(dataDir, key, hist, epoch, encrypted, opts);
  }

  get key(): HybridKeyPair {
    return this.current;
  }

  get history(): KeyHistory {
    return this.hist;
  }

  /** The deterministic key pair of an agent of this boot (same node seed, epoch and id: same keys). */
  agentKey(agentId: number): HybridKeyPair {
    const info = utf8(`${this.epoch}:${agentId}`);
    return hybridKeygen(new Uint8Array(hkdfSync('sha256', this.current.secretKey.seed, AGENT_SALT, info, 32)));
  }

  /** The agent's identity and node-signed certificate (made on first request, then cached). */
  agentIdentity(agentId: number, name: string): AgentIdentity {
    const hit = this.agents.get(agentId);
    if (hit && hit.certificate.issuer === this.current.keyId) return hit;
    const k = this.agentKey(agentId);
    const body = {
      v: 1 as const, subject: k.keyId, agent: agentId, name, epoch: this.epoch,
      publicKey: toBase64Url(encodePublicKey(k.publicKey)), issuer: this.current.keyId, issued: this.opts.now(),
    };
    const certificate: AgentCertificate = { ...body, signature: toBase64Url(hybridSign(this.current.secretKey, certificateMessage(body))) };
    const id: AgentIdentity = { agent: agentId, name, id: k.keyId, publicKey: body.publicKey, certificate };
    if (this.agents.size >= 4096) this.agents.clear();
    this.agents.set(agentId, id);
    return id;
  }

  /** Public description for GET /v1/identity. */
  describe(): Record<string, unknown> {
    return {
      keyId: this.current.keyId,
      algorithm: 'hybrid Ed25519 + ML-DSA-65',
      publicKey: toBase64Url(encodePublicKey(this.current.publicKey)),
      encrypted: this.encrypted,
      epoch: this.epoch,
      keys: this.hist.keys,
    };
  }

  /** Rotates the node key (the old key endorses the new one); the new key takes over at audit size atSeq. */
  async rotate(atSeq: number): Promise<{ old: HybridKeyPair; next: HybridKeyPair }> {
    const old = this.current;
    const next = await rotateKeyOnDisk(this.dataDir, old, atSeq, this.opts.now(), this.opts.passphrase, this.opts.random);
    this.current = next;
    this.hist = (await readKeyHistory(this.dataDir))!;
    this.agents.clear();
    return { old, next };
  }
}
