// Node-side security wiring: identity, persistent audit, Cedar policy hook and attestation, installed
// in two phases around the KernelHost (the policy hook must be in the kernel config at construction):
//   const security = await prepareSecurity({ dataDir, ports });        // before the kernel
//   config.policy = (req) => security.authorize(req);                 // reads the CURRENT policy set
//   const host = new KernelHost(ports, config, domains);
//   await security.attach(host, { config });                           // audit sink, registers, routes
//   ... at shutdown, after host.shutdown(): await security.close();
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { AiosError } from '@aios/abi';
import type { FsyncPolicy } from '@aios/drivers/audit-file';
import type { KernelHost, OffloadPort, PolicyHook, PolicyRequest } from '@aios/kernel';
import { encodePublicKey, measure, toBase64Url, type MeasurementRegisters, type Quote, type SignedCheckpoint } from '@aios/trust';
import { NodeIdentity, type AgentIdentity } from './identity.ts';
import { NodePolicy, POLICY_FILE, type HookDecision } from './policy.ts';
import { PersistentAudit } from './audit.ts';
import { REG, makeQuote, measureBoot } from './attest.ts';
import { registerSecurity, unregisterSecurity } from './registry.ts';
import { openNodeState, type NodeState } from '../node/node-state.ts';

export interface SecurityPorts {
  random(bytes: number): Uint8Array;
  clock: { now(): number };
  offload?: OffloadPort;
}

export interface SecurityOptions {
  dataDir: string;
  /** The node's ports (random, clock, offload); default node:crypto, Date.now, inline signing. */
  ports?: SecurityPorts;
  /** Encrypts the node key at rest (default $AIOS_PASSPHRASE). */
  passphrase?: string;
  /** principal.node in Cedar requests (default 'local'). */
  node?: string;
  /** Trust score of an agent (0..10, default 5; >= 8 passes the default privileged policy). */
  trustOf?: (agent: number) => number;
  /** Audit file durability (default 'checkpoint'). */
  fsync?: FsyncPolicy;
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /**
   * Boot even though the audit log does not match its anchor in kernel.db (shorter, rewritten, checkpoints
   * gone, anchor missing). The mismatch is recorded in the log (AuditRollbackAccepted) and re-anchored.
   */
  acceptAuditRollback?: boolean;
  /** The node state store (kernel.db's node_state); default: opened here on <dataDir>/kernel.db and closed by close(). */
  state?: NodeState;
}

export interface AttachOptions {
  /** The node config, measured into register 1 (functions dropped, drivers by name). */
  config?: unknown;
  /** Files of the service images to measure into register 3. */
  serviceImages?: readonly string[];
}

const defaultPorts: SecurityPorts = { random: (n) => new Uint8Array(randomBytes(n)), clock: { now: () => Date.now() } };

export class NodeSecurity {
  private host: KernelHost | null = null;
  private auditLog: PersistentAudit | null = null;
  private regs: MeasurementRegisters | null = null;
  private closed = false;
  /** The kernel's policy hook, bound: reads the current policy set on every call. */
  readonly policyHook: PolicyHook = (req) => this.policy.authorize(req);

  private constructor(
    readonly dataDir: string, readonly identity: NodeIdentity, readonly policy: NodePolicy, private readonly ports: SecurityPorts,
    private readonly opts: SecurityOptions, private readonly state: NodeState, private readonly ownsState: boolean,
  ) {}

  /** Phase 1: node state (kernel.db), node key (created at first boot), key history, policy set. */
  static async prepare(opts: SecurityOptions): Promise<NodeSecurity> {
    const ports = opts.ports ?? defaultPorts;
    await fs.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const passphrase = opts.passphrase ?? (process.env.AIOS_PASSPHRASE || undefined);
    const state = opts.state ?? openNodeState(opts.dataDir);
    try {
      const identity = await NodeIdentity.open(opts.dataDir, { passphrase, random: (n) => ports.random(n), now: () => ports.clock.now() });
      const policy = await NodePolicy.open(opts.dataDir, { node: opts.node, trustOf: opts.trustOf, state });
      return new NodeSecurity(opts.dataDir, identity, policy, ports, opts, state, opts.state === undefined);
    } catch (e) {
      if (opts.state === undefined) state.close();
      throw e;
    }
  }

  /** The policy hook's function (use as config.policy = (req) => security.authorize(req)). */
  authorize(req: PolicyRequest): HookDecision {
    return this.policy.authorize(req);
  }

  /** Phase 2: resumes the audit chain and feeds it from the kernel, measures the node, serves the routes. */
  async attach(host: KernelHost, opts: AttachOptions = {}): Promise<this> {
    if (this.host) throw new AiosError('EBUSY', 'security is already attached to a host');
    const offload = this.ports.offload;
    this.auditLog = await PersistentAudit.open({
      dataDir: this.dataDir, identity: this.identity, clock: this.ports.clock, state: this.state,
      ...(this.opts.acceptAuditRollback ? { acceptRollback: true } : {}),
      ...(offload ? { pqc: (op, args) => offload.pqc(op, args) } : {}),
      ...(this.opts.fsync ? { fsync: this.opts.fsync } : {}),
      ...(this.opts.checkpointEvery !== undefined ? { checkpointEvery: this.opts.checkpointEvery } : {}),
      ...(this.opts.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: this.opts.checkpointIntervalMs } : {}),
    }).catch((e: unknown) => {
      // Refused (tampered or rolled-back log): nothing stays open behind the error.
      this.closed = true;
      if (this.ownsState) this.state.close();
      throw e;
    });
    this.regs = measureBoot({
      config: opts.config, policyText: this.policy.policyText, policyVersion: this.policy.version,
      serviceImages: opts.serviceImages, nodeKeyId: this.identity.key.keyId,
    });
    const anchor = this.auditLog.anchorReport;
    if (anchor) {
      const what = anchor.ok ? `audit log verified against its anchor at boot (seq ${anchor.logSeq}, anchored ${anchor.anchoredSeq ?? 0})` : `audit anchor mismatch ACCEPTED at boot (${anchor.status}: log seq ${anchor.logSeq}, anchored ${anchor.anchoredSeq ?? '-'})`;
      this.regs.extend(REG.audit, measure(`${anchor.status}:${anchor.logSeq}:${anchor.anchoredSeq ?? -1}:${this.auditLog.chain.rootHex()}`), what);
    }
    this.host = host;
    this.policy.bindAgents((id) => host.kernel.agents.get(id));
    this.auditLog.attach(host.kernel.audit);
    registerSecurity(host, this);
    const offline = this.policy.offlineChange;
    if (offline) this.record('PolicyChangedOffline', `policy:${POLICY_FILE}`, 'ok', { from: offline.from, to: offline.to });
    if (anchor && !anchor.ok) {
      // The override is itself audited, and a checkpoint makes it (and the new anchor) durable at once.
      this.record('AuditRollbackAccepted', 'audit', 'ok', { status: anchor.status, anchoredSeq: anchor.anchoredSeq ?? null, logSeq: anchor.logSeq, checkpoints: anchor.checkpoints, reason: anchor.reason ?? '' });
      this.auditLog.chain.checkpoint();
      await this.auditLog.chain.flush();
    }
    return this;
  }

  get audit(): PersistentAudit {
    if (!this.auditLog) throw new AiosError('ENOSYS', 'security is not attached to a host yet');
    return this.auditLog;
  }

  get registers(): MeasurementRegisters {
    if (!this.regs) throw new AiosError('ENOSYS', 'security is not attached to a host yet');
    return this.regs;
  }

  get latestCheckpoint(): SignedCheckpoint | null {
    return this.auditLog?.latestCheckpoint ?? null;
  }

  /** An agent's identity (by id or name) with its node-signed certificate. ESRCH for no such agent. */
  agentIdentity(ref: number | string): AgentIdentity {
    if (!this.host) throw new AiosError('ENOSYS', 'security is not attached to a host yet');
    const a = this.host.find(ref);
    return this.identity.agentIdentity(a.id, a.name);
  }

  /** Public node identity: current key, key history, whether the key is encrypted at rest. */
  describe(): Record<string, unknown> {
    return this.identity.describe();
  }

  private record(syscall: string, object: string, result: string, detail: Record<string, unknown>): void {
    const k = this.host?.kernel;
    if (k && !this.closed) k.audit.append(this.ports.clock.now(), k.root.id, syscall, object, result, detail);
  }

  /** Validates, persists atomically and swaps the policy set; audited and measured. EINVAL (detail.errors) for a bad set. */
  async applyPolicy(text: string): Promise<{ version: number; policies: number; sha256: string }> {
    try {
      const r = await this.policy.apply(text);
      this.regs?.extend(REG.policy, measure(text), `policy set v${r.version}`);
      this.record('PolicyApply', `policy:v${r.version}`, 'ok', { sha256: r.sha256, policies: r.policies });
      return r;
    } catch (e) {
      const err = e as AiosError;
      this.record('PolicyApply', 'policy', err.code ?? 'EIO', { errors: ((err.detail?.errors as string[] | undefined) ?? []).length });
      throw e;
    }
  }

  /** Rotates the node key: last checkpoint by the old key, endorsement, the chain continues under the new key. */
  async rotateKey(): Promise<{ oldKeyId: string; newKeyId: string; atSeq: number }> {
    const r = await this.audit.rotate();
    this.regs?.extend(REG.identity, measure(r.newKeyId), `node key ${r.newKeyId} (rotated at ${r.atSeq})`);
    this.record('IdentityRotate', `key:${r.newKeyId.slice(0, 16)}`, 'ok', { oldKeyId: r.oldKeyId, newKeyId: r.newKeyId, atSeq: r.atSeq });
    return r;
  }

  /** A quote over the registers and the nonce (default: 32 fresh random bytes), with the node public key. */
  quote(nonce?: Uint8Array): { quote: Quote; publicKey: string } {
    const n = nonce ?? this.ports.random(32);
    const q = makeQuote(n, this.identity.key, this.registers, this.ports.clock.now());
    return { quote: q, publicKey: toBase64Url(encodePublicKey(this.identity.key.publicKey)) };
  }

  /** Final checkpoint and flush. Call after host.shutdown(); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.host) unregisterSecurity(this.host);
    try {
      await this.auditLog?.close();
    } finally {
      if (this.ownsState) this.state.close();
    }
  }
}

/** Phase 1 (before the KernelHost exists). */
export function prepareSecurity(opts: SecurityOptions): Promise<NodeSecurity> {
  return NodeSecurity.prepare(opts);
}

/**
 * Both phases at once, for a host whose config.policy already calls a late-bound hook
 * (e.g. `let sec; config.policy = (r) => sec ? sec.authorize(r) : DENY`). Prefer prepare + attach.
 */
export async function installSecurity(
  node: { host: KernelHost; dataDir: string; ports?: SecurityPorts }, opts: Omit<SecurityOptions, 'dataDir' | 'ports'> & AttachOptions = {},
): Promise<NodeSecurity> {
  const { config, serviceImages, ...rest } = opts;
  const s = await NodeSecurity.prepare({ ...rest, dataDir: node.dataDir, ...(node.ports ? { ports: node.ports } : {}) });
  return s.attach(node.host, { config, serviceImages });
}

export type SecurityHandle = NodeSecurity;
export { securityOf } from './registry.ts';
export { NodeIdentity, verifyAgentCertificate } from './identity.ts';
export type { AgentIdentity, AgentCertificate } from './identity.ts';
export { NodePolicy, NODE_POLICIES, POLICY_FILE, validatePolicyText } from './policy.ts';
export type { HookDecision } from './policy.ts';
export { verifyAuditFolder, buildProof, verifyProofBundle, tailRecords, grepRecords, readAuditFiles } from './audit-store.ts';
export type { ProofBundle, FolderVerifyReport } from './audit-store.ts';
export { trustedKeys, verifyKeyHistory } from './history.ts';
