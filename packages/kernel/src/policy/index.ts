// Public surface of the policy engine (Cedar) and the policy-derived quotas and scheduling.
export { createPolicyEngine } from './engine.ts';
export type {
  PolicyEngine, PolicyEngineOptions, AuthorizeRequest, PolicyDecision, PolicyPrincipal, PolicyResource, PolicyValue,
  ParsedPolicy, PolicyValidation,
} from './engine.ts';
export { resourcePolicy, schedulingPolicy } from './quota.ts';
export type { SchedulingPolicy } from './quota.ts';
export { AIOS_SCHEMA, DEFAULT_POLICIES, POLICY_ACTIONS, PRIVILEGED_ACTIONS, EXTRA_ACTIONS, RESOURCE_TYPES } from './schema.ts';
export type { PolicyResourceType } from './schema.ts';
