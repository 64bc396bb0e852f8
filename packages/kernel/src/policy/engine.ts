// The policy engine: a wrapper over Cedar (@cedar-policy/cedar-wasm) with the AIOS schema,
// whole-set validation, atomic replacement and a decision cache. Trusts Cedar's evaluator;
// deterministic (no clock, no I/O): decisions depend only on the policy set and the request.
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { AiosError } from '@aios/abi';
import { AIOS_SCHEMA, POLICY_ACTIONS, RESOURCE_TYPES, type PolicyResourceType } from './schema.ts';
import { annotationError } from './annotations.ts';

export type PolicyValue = string | number | boolean | readonly PolicyValue[] | { readonly [k: string]: PolicyValue };

export interface PolicyPrincipal {
  id: string | number;
  name: string;
  labels: readonly string[];
  trust: number;
  node: string;
}

export interface PolicyResource {
  type: PolicyResourceType;
  id: string | number;
  /** Entity attributes; for an Agent resource give name, labels, trust and node. */
  attrs?: Record<string, PolicyValue>;
}

export interface AuthorizeRequest {
  principal: PolicyPrincipal;
  /** A syscall name ('IPCSend') or an extra action ('DeviceOpen'). */
  action: string;
  resource: PolicyResource;
  context?: Record<string, PolicyValue>;
}

export interface PolicyDecision {
  decision: 'allow' | 'deny';
  /** Determining policies: the permits that allowed, or the forbids that denied (empty for default deny). */
  policyIds: string[];
  /** Policies whose evaluation errored (they are skipped, as Cedar does). */
  errors?: string[];
}

export interface ParsedPolicy {
  id: string;
  text: string;
  effect: 'permit' | 'forbid';
  annotations: Record<string, string>;
}

export type PolicyValidation = { ok: true; policies: ParsedPolicy[] } | { ok: false; errors: string[] };

export interface PolicyEngine {
  /** Parses and validates a whole policy set against the schema without installing it. */
  validate(policyText: string): PolicyValidation;
  authorize(req: AuthorizeRequest): PolicyDecision;
  /** Atomically replaces the policy set; a bad set is EINVAL (detail.errors) and the old set stays. */
  replace(policyText: string): void;
  /** The installed policies, in text order. */
  policies(): readonly ParsedPolicy[];
  /** Increments on every successful replace (cache generation). */
  readonly version: number;
  readonly stats: { hits: number; misses: number };
}

export interface PolicyEngineOptions {
  policies: string;
  /** Cedar schema text; default AIOS_SCHEMA. */
  schema?: string;
  /** Max cached decisions (default 50,000); the cache is cleared when full. */
  cacheSize?: number;
}

const detailed = (errs: readonly { message: string; help?: string | null }[]): string[] =>
  errs.map((e) => (e.help ? `${e.message} (${e.help})` : e.message));

/**
 * Process-wide on purpose (not per kernel): it names preparsed policy sets in the Cedar module's
 * registry, which is one per process, so two engines (of any kernels) must never share a set id.
 */
let engineCounter = 0;

/** Parses, validates and installs the set; EINVAL with detail.errors when the set is bad. */
export function createPolicyEngine(opts: PolicyEngineOptions): PolicyEngine {
  const schema = opts.schema ?? AIOS_SCHEMA;
  const schemaCheck = cedar.checkParseSchema(schema);
  if (schemaCheck.type !== 'success') {
    throw new AiosError('EINVAL', 'bad Cedar schema', { errors: detailed(schemaCheck.errors) });
  }
  const engineId = ++engineCounter;
  const cacheSize = opts.cacheSize ?? 50_000;
  const cache = new Map<string, PolicyDecision>();
  const stats = { hits: 0, misses: 0 };
  let installed: ParsedPolicy[] = [];
  let slot = 0; // two preparsed slots, alternated so replace is atomic
  let setId = '';
  let typeOnlyKey = false;
  let version = 0;
  const knownActions = new Set(POLICY_ACTIONS);

  function validate(policyText: string): PolicyValidation {
    if (typeof policyText !== 'string') return { ok: false, errors: ['policy text must be a string'] };
    const parts = cedar.policySetTextToParts(policyText);
    if (parts.type !== 'success') return { ok: false, errors: detailed(parts.errors) };
    if (parts.policy_templates.length > 0) return { ok: false, errors: ['policy templates are not supported'] };
    const errors: string[] = [];
    const parsed: ParsedPolicy[] = [];
    const ids = new Set<string>();
    parts.policies.forEach((text, i) => {
      const j = cedar.policyToJson(text);
      if (j.type !== 'success') {
        errors.push(...detailed(j.errors));
        return;
      }
      const annotations = { ...(j.json.annotations ?? {}) } as Record<string, string>;
      const id = annotations.id ?? `policy${i}`;
      if (ids.has(id)) errors.push(`duplicate policy id "${id}"`);
      ids.add(id);
      const annErr = annotationError(annotations);
      if (annErr) errors.push(`policy "${id}": ${annErr}`);
      parsed.push({ id, text, effect: j.json.effect, annotations });
    });
    if (errors.length) return { ok: false, errors };
    const staticPolicies = Object.fromEntries(parsed.map((p) => [p.id, p.text]));
    const v = cedar.validate({ schema, policies: { staticPolicies }, validationSettings: { mode: 'strict' } });
    if (v.type !== 'success') return { ok: false, errors: detailed(v.errors) };
    if (v.validationErrors.length) {
      return { ok: false, errors: v.validationErrors.map((e) => `policy "${e.policyId}": ${detailed([e.error])[0]}`) };
    }
    return { ok: true, policies: parsed };
  }

  function install(policyText: string): void {
    const v = validate(policyText);
    if (!v.ok) throw new AiosError('EINVAL', 'policy set refused', { errors: v.errors });
    const nextSlot = 1 - slot;
    const nextId = `aios-engine-${engineId}-slot-${nextSlot}`;
    const staticPolicies = Object.fromEntries(v.policies.map((p) => [p.id, p.text]));
    const pre = cedar.preparsePolicySet(nextId, { staticPolicies });
    if (pre.type !== 'success') throw new AiosError('EINVAL', 'policy set refused', { errors: detailed(pre.errors) });
    // Commit: from here on every decision uses the new set.
    slot = nextSlot;
    setId = nextId;
    installed = v.policies;
    typeOnlyKey = v.policies.every((p) => !dependsOnResourceOrContext(p.text));
    cache.clear();
    version++;
  }

  function authorize(req: AuthorizeRequest): PolicyDecision {
    const { principal, action, resource } = req;
    if (!knownActions.has(action)) throw new AiosError('EINVAL', `unknown policy action "${action}"`);
    if (!(RESOURCE_TYPES as readonly string[]).includes(resource?.type)) throw new AiosError('EINVAL', `unknown resource type "${String(resource?.type)}"`);
    const pkey = JSON.stringify([principal.id, principal.name, principal.labels, principal.trust, principal.node]);
    // Sound cache key: when no policy looks at the resource entity or the context, the decision is
    // a function of (principal, action, resource type); otherwise the whole request is the key.
    const key = typeOnlyKey
      ? `${pkey}|${action}|${resource.type}`
      : `${pkey}|${action}|${JSON.stringify([resource.type, resource.id, resource.attrs ?? null, req.context ?? null])}`;
    const hit = cache.get(key);
    if (hit) {
      stats.hits++;
      return hit;
    }
    stats.misses++;
    const pid = { type: 'Agent', id: String(principal.id) };
    const rid = { type: resource.type, id: String(resource.id) };
    const entities: cedar.EntityJson[] = [
      { uid: pid, attrs: { name: principal.name, labels: [...principal.labels], trust: principal.trust, node: principal.node }, parents: [] },
    ];
    if (!(resource.type === 'Agent' && String(resource.id) === pid.id)) {
      entities.push({ uid: rid, attrs: (resource.attrs ?? {}) as Record<string, cedar.CedarValueJson>, parents: [] });
    }
    const ans = cedar.statefulIsAuthorized({
      principal: pid, action: { type: 'Action', id: action }, resource: rid,
      context: (req.context ?? {}) as Record<string, cedar.CedarValueJson>, entities, preparsedPolicySetId: setId,
    });
    if (ans.type !== 'success') throw new AiosError('EINVAL', 'authorization request refused by Cedar', { errors: detailed(ans.errors) });
    const out: PolicyDecision = { decision: ans.response.decision, policyIds: [...ans.response.diagnostics.reason].sort() };
    if (ans.response.diagnostics.errors.length) out.errors = ans.response.diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    if (cache.size >= cacheSize) cache.clear();
    cache.set(key, out);
    return out;
  }

  install(opts.policies);
  return {
    validate,
    authorize,
    replace: install,
    policies: () => installed,
    get version() {
      return version;
    },
    stats,
  };
}

/** Conservative: true when the policy's scope names a resource entity or its conditions read resource or context. */
function dependsOnResourceOrContext(text: string): boolean {
  const j = cedar.policyToJson(text);
  if (j.type !== 'success') return true;
  const r = j.json.resource;
  if (r.op === '==' || r.op === 'in' || (r.op === 'is' && r.in !== undefined)) return true;
  const s = JSON.stringify(j.json.conditions);
  return s.includes('"Var":"resource"') || s.includes('"Var":"context"');
}
