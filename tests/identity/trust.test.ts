// Trust that acts: one score (abi trustScore, 0..10) from provenance and behaviour; it reaches Cedar's
// principal.trust (the privileged rule at 8 can fire, the low-trust forbids below 3 fire), caps the scheduler
// weight of a low-trust agent, and keeps semantic routing on trusted replicas when there is one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rights, limits, trustScore } from '@aios/abi';
import { createTestHost } from '@aios/testkit';
import { NodePolicy } from '../../apps/node/src/security/policy.ts';
import { leastLoaded } from '../../packages/services/src/semantic-ipcd/protocol.ts';

describe('trust - the scale', () => {
  it('trust - unsigned code tops out below the privileged bar; signed and system code reach it; misbehaviour brings any down', () => {
    expect(trustScore(1, 'unsigned')).toBe(7);
    expect(trustScore(1, 'unsigned')).toBeLessThan(limits.TRUST_PRIVILEGED);
    expect(trustScore(1, 'signed')).toBe(limits.TRUST_MAX);
    expect(trustScore(1, 'system')).toBe(limits.TRUST_MAX);
    expect(trustScore(0.8, 'signed')).toBe(limits.TRUST_PRIVILEGED);
    expect(trustScore(0.79, 'signed')).toBeLessThan(limits.TRUST_PRIVILEGED);
    expect(trustScore(0.4, 'unsigned')).toBeLessThan(limits.TRUST_UNTRUSTED);
    expect(trustScore(Number.NaN, 'system')).toBe(0);
    expect(trustScore(7, 'unsigned')).toBe(7);
  });
});

describe('trust - Cedar', () => {
  it('trust - principal.trust decides: signed code passes the privileged rule, a misbehaving agent is refused spawn and export', async () => {
    const policy = await NodePolicy.open(mkdtempSync(join(tmpdir(), 'aios-trust-')), {});
    let prov: 'signed' | 'unsigned' = 'unsigned';
    policy.bindProvenance(() => prov);
    let rights = 0;
    policy.bindAgents((id) => (id === 4242 ? { name: 'x', labels: [], selfNode: { rights } } : undefined));
    const spawn = (trust: number, labels: string[] = []) =>
      policy.authorize({ principal: { id: 4242, name: 'x', labels, domain: 'wasm', trust }, action: 'AgentSpawn', resource: { type: 'agent', id: 'child' } });
    // Unsigned, well behaved, no spawn privilege: 7 < 8, refused.
    expect(policy.toCedar({ principal: { id: 4242, name: 'x', labels: [], domain: 'wasm', trust: 1 }, action: 'AgentSpawn', resource: { type: 'agent', id: 'c' } }).principal.trust).toBe(7);
    expect(spawn(1).allow).toBe(false);
    // Signed by a trusted key and well behaved: 10 >= 8, the privileged rule fires.
    prov = 'signed';
    expect(spawn(1)).toEqual({ allow: true, policyIds: ['default-privileged-system'] });
    // The same signed agent after anomalous windows (behaviour 0.7 -> 7): no longer privileged.
    expect(spawn(0.7).allow).toBe(false);
    // An agent granted spawn whose behaviour collapsed (score 2): the low-trust forbid overrides the grant.
    prov = 'unsigned';
    rights = Rights.SPAWN;
    expect(spawn(1).allow).toBe(true);
    const low = spawn(0.3);
    expect(low.allow).toBe(false);
    expect(low.policyIds).toContain('node-low-trust-spawn');
    const exp = policy.authorize({ principal: { id: 4242, name: 'x', labels: [], domain: 'wasm', trust: 0.3 }, action: 'CapExport', resource: { type: 'memory', id: 'm' } });
    expect(exp.allow).toBe(false);
    expect(exp.policyIds).toContain('node-low-trust-export');
  });
});

describe('trust - routing', () => {
  it('trust - semantic routing skips a low-trust replica while a trusted one serves, and falls back to it otherwise', () => {
    const lowButIdle = { agent: 1, mailbox: 0, inflight: 0, trust: 2 };
    const trustedBusy = { agent: 2, mailbox: 5, inflight: 3, trust: 7 };
    expect(leastLoaded([lowButIdle, trustedBusy])!.agent).toBe(2);
    expect(leastLoaded([lowButIdle])!.agent).toBe(1);
    expect(leastLoaded([{ agent: 3, mailbox: 1, inflight: 0 }, { agent: 4, mailbox: 0, inflight: 0 }])!.agent).toBe(4);
  });
});

describe('trust - scheduler', () => {
  it('trust - a low-trust agent runs with a capped weight, lifted when its trust recovers', async () => {
    const host = createTestHost({ config: { behavior: {} } });
    const id = await host.spawn({ source: `
      import { defineAgent } from '@aios/runtime';
      import * as k from '@aios/runtime/kernel';
      export default defineAgent({ name: 'w', async main(ctx) {
        for (let i = 0; i < 2; i++) { await k.ipcWait(30000); ctx.log('weight ' + k.agentInfo(k.selfHandle()).weight); }
      } });` }, { domain: 'wasm' });
    const a = host.kernel.agents.get(id)!;
    const logged = async (n: number) => {
      for (let i = 0; i < 500 && host.logs(id).filter((l) => l.startsWith('weight')).length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return host.logs(id).filter((l) => l.startsWith('weight'))[n - 1];
    };
    // The behaviour monitor's trust fell to 0.5: unsigned score 3 < TRUST_LOW.
    a.behavior.trust = 0.5;
    a.behavior.trustMoved = true; // as the monitor signals when a window moves trust
    host.send(id, 'go');
    expect(await logged(1)).toBe(`weight ${limits.TRUST_LOW_WEIGHT_MAX}`);
    a.behavior.trust = 1;
    a.behavior.trustMoved = true;
    host.send(id, 'go');
    expect(await logged(2)).toBe('weight 1024');
    await host.waitExit(id);
    host.shutdown();
  });
});
