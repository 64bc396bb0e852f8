// The node's policy: the Cedar engine over <dataDir>/policies.cedar, answering the kernel's policy hook.
// Maps hook requests (principal, syscall, kernel object) to Cedar entities; decisions are cached by
// the engine and the cache is cleared on every apply. Trusts the kernel for who the principal is.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AiosError, PRIVILEGES, Rights, limits, trustScore, type CodeProvenance } from '@aios/abi';
import {
  createPolicyEngine, resourcePolicy, schedulingPolicy, DEFAULT_POLICIES, POLICY_ACTIONS,
  type AuthorizeRequest, type CedarDecision, type PolicyEngine, type PolicyRequest, type PolicyResource, type PolicyValidation, type PolicyValue,
  type SchedulingPolicy, type SpawnDefaultsHook,
} from '@aios/kernel';
import { sha256, toHex, utf8 } from '@aios/trust';
import type { Quotas } from '@aios/abi';
import { writeFileAtomic } from './keystore.ts';
import type { NodeState } from '../node/node-state.ts';

/** node_state key of the sha256 of the policy set last written to policies.cedar. */
export const POLICY_HASH_KEY = 'policy.sha256';

export const POLICY_FILE = 'policies.cedar';
/** Principal labels with this prefix are made by the node from the agent's granted privileges. */
export const PRIVILEGE_LABEL = 'priv:';
/**
 * Trust score of an agent when no behavioural analysis gives one, on the one scale (abi trustScore, 0..10:
 * TRUST_PRIVILEGED 8 and above passes the privileged rule, below TRUST_LOW 5 is low trust).
 */
export const DEFAULT_TRUST = 5;

/**
 * The node's default policy set: the kernel's DEFAULT_POLICIES (unprivileged syscalls allowed;
 * privileged ones only for "system" agents or trust >= 8) plus: a privileged action is allowed to an
 * agent its spawner granted the matching privilege (the kernel has checked the right already).
 */
export const NODE_POLICIES = `${DEFAULT_POLICIES.trim()}

@id("node-granted-spawn")
permit(principal, action == Action::"AgentSpawn", resource) when { principal.labels.contains("priv:spawn") };

@id("node-granted-frame")
permit(principal, action == Action::"FrameAlloc", resource) when { principal.labels.contains("priv:frame") };

@id("node-granted-map")
permit(principal, action == Action::"PageMap", resource) when { principal.labels.contains("priv:map") };

@id("node-granted-supervise")
permit(principal, action == Action::"AgentSupervisorRegister", resource) when { principal.labels.contains("priv:supervise") };

@id("node-device-use")
permit(principal, action == Action::"DeviceOpen", resource);

@id("node-low-trust-spawn")
forbid(principal, action == Action::"AgentSpawn", resource)
when { principal.trust < ${limits.TRUST_UNTRUSTED} && !principal.labels.contains("system") && !principal.labels.contains("priv:service") };

@id("node-low-trust-export")
forbid(principal, action in [Action::"CapExport", Action::"TokenRedeem"], resource)
when { principal.trust < ${limits.TRUST_UNTRUSTED} && !principal.labels.contains("system") && !principal.labels.contains("priv:service") };

@id("node-granted-admin")
permit(principal, action in [Action::"AgentKill", Action::"AgentList", Action::"ManifestList", Action::"DeviceOpen", Action::"TokenRedeem"], resource)
when { principal.labels.contains("priv:admin") };
`;

/** The hook's answer (the kernel's PolicyDecision shape). */
export interface HookDecision {
  allow: boolean;
  policyIds: string[];
}

/** What the mapper needs from a live agent (the kernel's Agent, structurally). */
export interface AgentView {
  name: string;
  labels: readonly string[];
  selfNode: { rights: number };
}

export interface NodePolicyOptions {
  /** Node name for principal.node (default 'local'). */
  node?: string;
  /** Trust score per agent id (default DEFAULT_TRUST). */
  trustOf?: (agent: number) => number;
  /**
   * Where the hash of the written policy set is recorded (kernel.db). With it, a policies.cedar that
   * disappears after a set was written is EIO at open instead of a silent reset to the defaults.
   */
  state?: NodeState;
}

/**
 * Hook actions that are not syscall names, and the schema action that decides them:
 * HandleTransfer (handles sent along with a message) is decided as IPCSend.
 */
export const ACTION_ALIASES: Readonly<Record<string, string>> = { HandleTransfer: 'IPCSend', DeviceCall: 'DeviceOpen', LlmComplete: 'DeviceOpen', LlmStreamOpen: 'DeviceOpen' };

const PRIV_ENTRIES = Object.entries(PRIVILEGES) as Array<[string, number]>;
const KNOWN_ACTIONS = new Set(POLICY_ACTIONS);

export function policyDigest(text: string): string {
  return toHex(sha256(utf8(text)));
}

export class NodePolicy {
  private text: string;
  private agentOf: (id: number) => AgentView | undefined = () => undefined;
  private readonly labelCache = new WeakMap<AgentView, string[]>();

  /** Set when the file's hash at open differed from the recorded one (edited while the node was down). */
  offlineChange: { from: string; to: string } | null = null;

  private constructor(readonly file: string, private readonly engine: PolicyEngine, text: string, private readonly opts: NodePolicyOptions) {
    this.text = text;
  }

  /**
   * Loads <dataDir>/policies.cedar, writing NODE_POLICIES on first boot (no file and no recorded hash).
   * A missing file once a set was recorded is EIO (restore it or write the wanted set there); a file
   * edited offline is accepted and reported in offlineChange. A bad stored set is EINVAL (detail.errors).
   */
  static async open(dataDir: string, opts: NodePolicyOptions = {}): Promise<NodePolicy> {
    const file = join(dataDir, POLICY_FILE);
    const recorded = opts.state?.get(POLICY_HASH_KEY);
    let text: string;
    let change: { from: string; to: string } | null = null;
    try {
      text = await fs.readFile(file, 'utf8');
      const now = policyDigest(text);
      if (recorded !== undefined && recorded !== now) change = { from: recorded, to: now };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new AiosError('EIO', `cannot read ${file}`, undefined, { cause: e });
      if (recorded !== undefined) {
        throw new AiosError('EIO', `the policy file ${file} is missing, but a policy set (sha256 ${recorded.slice(0, 16)}..) was applied on this node; restore the file, or write the policy set you want there, then boot again`, { file, recordedSha256: recorded });
      }
      text = NODE_POLICIES;
      await writeFileAtomic(file, text);
    }
    let engine: PolicyEngine;
    try {
      engine = createPolicyEngine({ policies: text });
    } catch (e) {
      const errors = (e as AiosError).detail?.errors as string[] | undefined;
      throw new AiosError('EINVAL', `${file} is refused: ${(errors ?? [(e as Error).message]).join('; ')}`, { file, errors: errors ?? [] });
    }
    opts.state?.set(POLICY_HASH_KEY, policyDigest(text));
    const p = new NodePolicy(file, engine, text, opts);
    p.offlineChange = change;
    return p;
  }

  /** Lets the mapper see live agents (their labels and granted privileges). */
  bindAgents(agentOf: (id: number) => AgentView | undefined): void {
    this.agentOf = agentOf;
  }

  private provenanceOf: ((id: number) => CodeProvenance) | null = null;

  /** Where each agent's code comes from (the image gate: signed or not), for principal.trust. */
  bindProvenance(of: (id: number) => CodeProvenance): void {
    this.provenanceOf = of;
  }

  get version(): number {
    return this.engine.version;
  }

  get stats(): { hits: number; misses: number } {
    return this.engine.stats;
  }

  /** The kernel's policy hook. Never throws: an unknown action or an evaluation error is a deny. */
  authorize(req: PolicyRequest): HookDecision {
    if (!KNOWN_ACTIONS.has(ACTION_ALIASES[req.action] ?? req.action)) return { allow: false, policyIds: ['unknown-action'] };
    let d: CedarDecision;
    try {
      d = this.engine.authorize(this.toCedar(req));
    } catch {
      return { allow: false, policyIds: ['policy-error'] };
    }
    if (d.decision === 'allow') return { allow: true, policyIds: d.policyIds };
    return { allow: false, policyIds: d.policyIds.length ? d.policyIds : ['default-deny'] };
  }

  /** The Cedar request for a hook request (exposed for tests and tools). */
  toCedar(req: PolicyRequest): AuthorizeRequest {
    const node = this.opts.node ?? 'local';
    const trust = (id: number) => this.opts.trustOf?.(id) ?? DEFAULT_TRUST;
    const p = req.principal;
    const agent = this.agentOf(p.id);
    const labels = agent ? this.principalLabels(agent) : p.labels.filter((l) => !l.startsWith(PRIVILEGE_LABEL));
    const r = req.resource;
    const attrs = (r.attrs ?? {}) as Record<string, unknown>;
    let resource: PolicyResource;
    switch (r.type) {
      case 'agent': {
        const target = /^\d+$/.test(r.id) ? this.agentOf(Number(r.id)) : undefined;
        const name = target?.name ?? (typeof attrs.name === 'string' ? attrs.name : r.id);
        const tl = target ? target.labels.filter((l) => !l.startsWith(PRIVILEGE_LABEL)) : [];
        // A live agent is the entity of its id (so a request about oneself names the principal);
        // the child of a spawn is named by its requested name.
        const id = target ? r.id : `name:${r.id}`;
        resource = { type: 'Agent', id, attrs: { name, labels: tl, trust: target ? trust(Number(r.id)) : DEFAULT_TRUST, node } };
        break;
      }
      case 'memory': case 'frame': case 'arena':
        resource = { type: 'Memory', id: `${r.type}:${r.id}`, attrs: {} };
        break;
      case 'device': case 'stream':
        resource = { type: 'Device', id: `${r.type}:${r.id}`, attrs: { name: r.id } };
        break;
      default: // topics, subscriptions and anything newer: a namespace path
        resource = { type: 'Namespace', id: `${r.type}:${r.id}`, attrs: { path: r.id } };
    }
    const context: Record<string, PolicyValue> = {};
    if (typeof attrs.rights === 'number' && Number.isSafeInteger(attrs.rights)) context.rights = attrs.rights;
    if (typeof attrs.count === 'number' && Number.isSafeInteger(attrs.count)) context.bytes = attrs.count * limits.PAGE_SIZE;
    // AgentSpawn of a { path } image, as the node's image gate filled it in (image-gate.ts): context.image.
    const img = attrs.image as { signed?: unknown; signer?: unknown; path?: unknown } | undefined;
    if (img && typeof img === 'object' && typeof img.signed === 'boolean' && typeof img.signer === 'string' && typeof img.path === 'string') context.image = { signed: img.signed, signer: img.signer, path: img.path };
    // The one trust score (abi trustScore): provenance (native service, signed image, other) x behaviour (0..1).
    const provenance = this.provenanceOf?.(p.id) ?? (p.domain === 'native' ? 'system' : 'unsigned');
    const principalTrust = p.trust !== undefined ? trustScore(p.trust, provenance) : trust(p.id);
    return { principal: { id: p.id, name: p.name, labels, trust: principalTrust, node }, action: ACTION_ALIASES[req.action] ?? req.action, resource, context };
  }

  /** The agent's own labels (minus forged "priv:" ones) plus "priv:<name>" per privilege it was granted. */
  private principalLabels(a: AgentView): string[] {
    let l = this.labelCache.get(a);
    if (!l) {
      l = a.labels.filter((x) => !x.startsWith(PRIVILEGE_LABEL));
      for (const [name, bit] of PRIV_ENTRIES) if ((a.selfNode.rights & bit) !== 0) l.push(PRIVILEGE_LABEL + name);
      l.sort();
      this.labelCache.set(a, l);
    }
    return l;
  }

  validate(text: string): PolicyValidation {
    return this.engine.validate(text);
  }

  /**
   * Replaces the policy set: validated whole against the schema first (a bad set is EINVAL with
   * detail.errors and nothing changes), then the file is replaced atomically (temp + rename), then
   * the engine swaps sets (its decision cache is cleared).
   */
  async apply(text: string): Promise<{ version: number; policies: number; sha256: string }> {
    if (typeof text !== 'string') throw new AiosError('EINVAL', 'policy text must be a string');
    const v = this.engine.validate(text);
    if (!v.ok) throw new AiosError('EINVAL', `policy set refused (${v.errors.length} error(s)): ${v.errors.join('; ')}`, { errors: v.errors });
    await writeFileAtomic(this.file, text);
    this.opts.state?.set(POLICY_HASH_KEY, policyDigest(text));
    this.engine.replace(text);
    this.text = text;
    return { version: this.engine.version, policies: v.policies.length, sha256: policyDigest(text) };
  }

  show(): { version: number; sha256: string; file: string; text: string; policies: Array<{ id: string; effect: string; annotations: Record<string, string> }> } {
    return {
      version: this.engine.version, sha256: policyDigest(this.text), file: this.file, text: this.text,
      policies: this.engine.policies().map((p) => ({ id: p.id, effect: p.effect, annotations: p.annotations })),
    };
  }

  get policyText(): string {
    return this.text;
  }

  /**
   * The kernel's spawnDefaults hook: @quota, @nice and @hints of the policy set for the child's labels, applied at
   * spawn where the spawner set nothing. Children of supervisors other than the root (initd's services,
   * agentsupervisor's specs) are governed by their units and specs instead. rootId: the kernel root's agent id (asked at each spawn).
   */
  spawnDefaultsHook(rootId: () => number): SpawnDefaultsHook {
    return (req) => {
      if (req.parent !== rootId() && (req.parentRights & Rights.SUPERVISE) !== 0) return null;
      const trust = trustScore(req.trust, 'unsigned');
      const sched = this.schedFor(req.labels, trust);
      return { quotas: this.quotasFor(req.labels, trust), nice: sched.nice, hints: sched.hints };
    };
  }

  /** Default quotas for agents with these labels (resource policies: @quota annotations). */
  quotasFor(labels: readonly string[], trust = DEFAULT_TRUST): Quotas {
    return resourcePolicy(this.engine, labels, trust);
  }

  /** Scheduling defaults for agents with these labels (@nice / @hints annotations). */
  schedFor(labels: readonly string[], trust = DEFAULT_TRUST): SchedulingPolicy {
    return schedulingPolicy(this.engine, labels, trust);
  }
}

/** Validates a policy text offline (no node): a fresh engine over the AIOS schema. */
export function validatePolicyText(text: string): { ok: true; policies: number } | { ok: false; errors: string[] } {
  try {
    const e = createPolicyEngine({ policies: text });
    return { ok: true, policies: e.policies().length };
  } catch (err) {
    const errors = (err as AiosError).detail?.errors as string[] | undefined;
    return { ok: false, errors: errors ?? [(err as Error).message] };
  }
}
