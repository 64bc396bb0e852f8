import { describe, it, expect } from 'vitest';
import { createPolicyEngine, resourcePolicy, schedulingPolicy, DEFAULT_POLICIES, PRIVILEGED_ACTIONS } from './index.ts';
import type { PolicyPrincipal } from './index.ts';

const worker: PolicyPrincipal = { id: 7, name: 'worker', labels: ['user'], trust: 2, node: 'n1' };
const initd: PolicyPrincipal = { id: 1, name: 'initd', labels: ['system'], trust: 10, node: 'n1' };
const agentRes = { type: 'Agent' as const, id: 9, attrs: { name: 'peer', labels: [], trust: 1, node: 'n1' } };

describe('policy - Cedar engine', () => {
  it('policy - default set: unprivileged syscalls allowed, privileged ones denied by default', () => {
    const e = createPolicyEngine({ policies: DEFAULT_POLICIES });
    expect(e.authorize({ principal: worker, action: 'IPCSend', resource: agentRes })).toEqual({ decision: 'allow', policyIds: ['default-unprivileged'] });
    for (const a of PRIVILEGED_ACTIONS) {
      expect(e.authorize({ principal: worker, action: a, resource: agentRes })).toEqual({ decision: 'deny', policyIds: [] });
    }
    expect(e.authorize({ principal: initd, action: 'AgentSpawn', resource: agentRes })).toEqual({ decision: 'allow', policyIds: ['default-privileged-system'] });
  });

  it('policy - a forbid denies and is named', () => {
    const e = createPolicyEngine({
      policies: `${DEFAULT_POLICIES}
        @id("no-untrusted-devices") forbid(principal, action == Action::"DeviceOpen", resource is Device) when { principal.trust < 5 };
        @id("no-gpu-for-interns") forbid(principal, action == Action::"DeviceOpen", resource) when { principal.labels.contains("intern") };`,
    });
    const intern = { ...initd, labels: ['system', 'intern'], trust: 3 };
    const d = e.authorize({ principal: intern, action: 'DeviceOpen', resource: { type: 'Device', id: 'gpu0', attrs: { kind: 'gpu' } } });
    expect(d).toEqual({ decision: 'deny', policyIds: ['no-gpu-for-interns', 'no-untrusted-devices'] });
  });

  it('policy - a bad set is refused whole with the Cedar errors, and the old set stays', () => {
    const e = createPolicyEngine({ policies: DEFAULT_POLICIES });
    const cases = [
      'permit(principal, action, resource',                                                           // syntax
      `${DEFAULT_POLICIES} permit(principal, action == Action::"IPCSend", resource) when { principal.karma > 1 };`, // unknown attribute
      `permit(principal, action == Action::"NoSuchCall", resource);`,                                  // unknown action
      `@id("a") permit(principal, action, resource); @id("a") forbid(principal, action, resource);`, // duplicate id
      `@id("q") @quota("memBytes=lots") permit(principal, action == Action::"QuotaQuery", resource);`, // bad annotation
      `@id("n") @nice("99") permit(principal, action == Action::"SchedQuery", resource);`,
    ];
    for (const bad of cases) {
      const v = e.validate(bad);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.errors.length).toBeGreaterThan(0);
      let err: unknown;
      try {
        e.replace(bad);
      } catch (x) {
        err = x;
      }
      expect(err).toMatchObject({ code: 'EINVAL', detail: { errors: expect.any(Array) } });
    }
    expect(e.version).toBe(1);
    expect(e.authorize({ principal: worker, action: 'IPCSend', resource: agentRes }).decision).toBe('allow');
    expect(() => createPolicyEngine({ policies: 'nonsense' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('policy - decisions are cached and the cache is invalidated by replace', () => {
    const e = createPolicyEngine({ policies: DEFAULT_POLICIES });
    const req = { principal: worker, action: 'IPCSend', resource: agentRes };
    e.authorize(req);
    e.authorize(req);
    e.authorize({ ...req, resource: { ...agentRes, id: 10 } }); // same type: same key when the set ignores the resource
    expect(e.stats).toEqual({ hits: 2, misses: 1 });
    e.replace(`@id("lockdown") forbid(principal, action, resource);`);
    expect(e.authorize(req)).toEqual({ decision: 'deny', policyIds: ['lockdown'] });
    expect(e.stats.misses).toBe(2);
    expect(e.version).toBe(2);
  });

  it('policy - the cache keys on the resource and context when a policy reads them', () => {
    const e = createPolicyEngine({
      policies: `@id("small-msgs") permit(principal, action == Action::"IPCSend", resource) when { context has bytes && context.bytes < 1024 };
                 @id("own-memory") permit(principal, action == Action::"MemMap", resource is Memory) when { resource has owner && resource.owner == principal.name };`,
    });
    const send = (bytes: number) => e.authorize({ principal: worker, action: 'IPCSend', resource: agentRes, context: { bytes } }).decision;
    expect(send(10)).toBe('allow');
    expect(send(5000)).toBe('deny');
    const map = (owner: string) => e.authorize({ principal: worker, action: 'MemMap', resource: { type: 'Memory', id: 3, attrs: { owner } } }).decision;
    expect(map('worker')).toBe('allow');
    expect(map('someone-else')).toBe('deny');
  });

  it('policy - unknown actions and resource types are EINVAL', () => {
    const e = createPolicyEngine({ policies: DEFAULT_POLICIES });
    expect(() => e.authorize({ principal: worker, action: 'Format', resource: agentRes })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => e.authorize({ principal: worker, action: 'IPCSend', resource: { type: 'Disk' as never, id: 1 } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('policy - quotas and scheduling come from annotated policies through the same engine', () => {
    const e = createPolicyEngine({ policies: DEFAULT_POLICIES });
    expect(resourcePolicy(e, ['user'])).toEqual({ memBytes: 67108864, frames: 256, spawns: 16, spawnDepth: 4, mailboxDepth: 256 });
    expect(resourcePolicy(e, ['system']).memBytes).toBe(1073741824);
    expect(schedulingPolicy(e, ['user'])).toEqual({ nice: 0, hints: ['batch'] });
    expect(schedulingPolicy(e, ['llm', 'interactive'])).toEqual({ nice: -5, hints: ['batch', 'llm-bound', 'interactive'] });
    e.replace(`@id("tiny") @quota("memBytes=1024") permit(principal, action == Action::"QuotaQuery", resource);`);
    expect(resourcePolicy(e, ['system'])).toEqual({ memBytes: 1024 });
    expect(schedulingPolicy(e, ['user'])).toEqual({ nice: 0, hints: [] });
  });
});
