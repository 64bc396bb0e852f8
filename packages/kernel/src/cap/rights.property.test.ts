// Property tests of rights, asked of the kernel through real syscalls: CapDerive, IpcSend with handles and
// AgentSpawn namespace grants must refuse (EPERM) any request for a right the source handle lacks, and must
// give exactly the rights asked otherwise (read back with ObjInfo and CapList). The test never narrows a mask
// itself: its model only predicts what the kernel must answer. Revocation reaches every descendant only.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ALL_RIGHTS, DEFAULT_RIGHTS, NR, Rights } from '@aios/abi';
import type { KernelPorts } from '@aios/abi';
import { KernelHost } from '../host.ts';
import { HandleTable } from './handles.ts';
import type { KObject } from './captree.ts';

/** A native image that does nothing and serves messages (it ignores them), so its handles stay put. */
const IDLE = `var __aios_agent = { entry: { info: { hasMain: false, hasOnMessage: true, name: 'idle' }, dispatch: function () { return Promise.resolve(undefined); } } };`;

function testPorts(): KernelPorts {
  let t = 0;
  let seed = 1;
  return {
    clock: { now: () => 1_700_000_000_000 + t, monotonic: () => (t += 0.001) },
    random: (n) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) & 255),
    timers: { setTimer: (ms, fn) => setTimeout(fn, ms), clearTimer: (id) => clearTimeout(id as NodeJS.Timeout) },
    defer: (fn) => setImmediate(fn),
    loader: { load: async () => ({ code: IDLE, key: 'idle', origin: 'rights.property.test' }) },
    offload: { pqc: async () => { throw new Error('no pqc in this test'); } },
  };
}

/** A kernel whose root agent makes the calls; the behaviour monitor is off (this test is a burst of denials). */
function kernel(): KernelHost {
  return new KernelHost(testPorts(), { behavior: false });
}

/** The code of an error the call threw, or 'ok'. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

async function outcomeAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

/** The rights the kernel reports for `handle` in `agent`'s table, by ObjInfo and by CapList (they must agree). */
function reported(host: KernelHost, agent: number | 'root', handle: number): number {
  const a = agent === 'root' ? host.kernel.root : host.find(agent);
  const info = host.kernel.syscall(a, NR.ObjInfo!, [handle]) as { rights: number };
  const listed = (host.kernel.syscall(a, NR.CapList!, []) as Array<{ handle: number; rights: number }>).find((c) => c.handle === handle);
  expect(listed?.rights).toBe(info.rights);
  return info.rights;
}

// Any mask, or one drawn inside an object's default rights (else almost every request would widen and the
// granting path would go untested). Which answer is right is decided by the model, never by the generator.
const mask = fc.oneof(fc.integer({ min: 0, max: ALL_RIGHTS }), fc.integer({ min: 0, max: ALL_RIGHTS }).map((m) => m & DEFAULT_RIGHTS.object));
/** Counts both answers, so a run that only ever saw refusals (or only grants) fails instead of passing. */
function tally(): { seen: Record<string, number>; note(o: string): void; check(): void } {
  const seen: Record<string, number> = {};
  return { seen, note: (o) => void (seen[o] = (seen[o] ?? 0) + 1), check: () => { expect(seen.ok ?? 0).toBeGreaterThan(0); expect(seen.EPERM ?? 0).toBeGreaterThan(0); } };
}

describe('cap - derivation through the kernel', () => {
  it('cap - CapDerive refuses any right the parent lacks (EPERM) and gives exactly the rights asked', () => {
    const host = kernel();
    const t = tally();
    try {
      fc.assert(fc.property(fc.array(mask, { minLength: 1, maxLength: 30 }), (masks) => {
        let h = host.call('ObjCreate', 'rights-test') as number;
        let held: number = DEFAULT_RIGHTS.object;
        expect(reported(host, 'root', h)).toBe(held);
        for (const m of masks) {
          const widens = (m & ~held) !== 0;
          const canDerive = (held & Rights.DERIVE) !== 0;
          let child = 0;
          const got = outcome(() => (child = host.call('CapDerive', h, m) as number));
          expect(got).toBe(widens || !canDerive ? 'EPERM' : 'ok');
          t.note(got);
          if (got !== 'ok') continue;
          expect(reported(host, 'root', child)).toBe(m);
          h = child;
          held = m;
        }
      }), { numRuns: 100 });
      t.check();
    } finally {
      host.shutdown();
    }
  });

  it('cap - IpcSend with handles refuses wider rights (EPERM) and the receiver holds exactly the rights sent', async () => {
    const host = kernel();
    const t = tally();
    try {
      const rx = await host.spawn('idle', { name: 'rx', domain: 'native', quotas: { mailboxDepth: 65_536 } });
      const rxHandle = host.handleFor(rx);
      await fc.assert(fc.asyncProperty(mask, mask, async (own, ask) => {
        const base = host.call('ObjCreate', 'rights-test') as number;
        // `own` is what the sender holds: derived from the object's default rights (the kernel refuses more).
        const held = own & DEFAULT_RIGHTS.object;
        const h = host.call('CapDerive', base, held) as number;
        expect(reported(host, 'root', h)).toBe(held);
        const before = new Set((host.kernel.syscall(host.find(rx), NR.CapList!, []) as Array<{ handle: number }>).map((c) => c.handle));
        const got = outcome(() => host.call('IPCSend', rxHandle, new Uint8Array(1), { handles: [h], handleRights: [ask] }));
        const canTransfer = (held & Rights.TRANSFER) !== 0;
        expect(got).toBe((ask & ~held) !== 0 || !canTransfer ? 'EPERM' : 'ok');
        t.note(got);
        const added = (host.kernel.syscall(host.find(rx), NR.CapList!, []) as Array<{ handle: number }>).filter((c) => !before.has(c.handle));
        if (got !== 'ok') {
          expect(added).toEqual([]);
          return;
        }
        expect(added.length).toBe(1);
        expect(reported(host, rx, added[0]!.handle)).toBe(ask);
      }), { numRuns: 150 });
      t.check();
    } finally {
      host.shutdown();
    }
  });

  it('cap - a spawn namespace grant refuses wider rights (EPERM) and the child holds exactly the rights granted', async () => {
    const host = kernel();
    const t = tally();
    try {
      await fc.assert(fc.asyncProperty(mask, mask, async (own, ask) => {
        const base = host.call('ObjCreate', 'rights-test') as number;
        const held = own & DEFAULT_RIGHTS.object;
        const h = host.call('CapDerive', base, held) as number;
        let child = 0;
        const got = await outcomeAsync(async () => (child = await host.spawn('idle', { name: 'child', domain: 'native', namespace: { obj: { handle: h, rights: ask } } })));
        const canTransfer = (held & Rights.TRANSFER) !== 0;
        expect(got).toBe((ask & ~held) !== 0 || !canTransfer ? 'EPERM' : 'ok');
        t.note(got);
        if (got !== 'ok') return;
        const granted = host.kernel.syscall(host.find(child), NR.NsLookup!, ['obj']) as number;
        expect(reported(host, child, granted)).toBe(ask);
        host.kill(child);
      }), { numRuns: 80 });
      t.check();
    } finally {
      host.shutdown();
    }
  });
});

const obj: KObject = { type: 'agent', label: 'agent:1' };

describe('cap - revocation', () => {
  it('cap - revoking a node reaches all and only its descendants', () => {
    fc.assert(fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), fc.nat(), (parents, pick) => {
      const dropped: number[] = [];
      const table = new HandleTable({ dropHandle: (x) => dropped.push(x) });
      const handles = [table.insert(obj, ALL_RIGHTS, null)];
      const parentOf = new Map<number, number>();
      for (const p of parents) {
        const par = handles[p % handles.length]!;
        const h = table.insert(obj, ALL_RIGHTS, table.get(par)!.node);
        parentOf.set(h, par);
        handles.push(h);
      }
      const target = handles[pick % handles.length]!;
      const isDesc = (h: number): boolean => { for (let x = parentOf.get(h); x !== undefined; x = parentOf.get(x)) if (x === target) return true; return false; };
      const n = table.get(target)!.node.revokeDescendants();
      const expected = handles.filter(isDesc);
      expect(n).toBe(expected.length);
      expect(new Set(dropped)).toEqual(new Set(expected));
      for (const h of handles) {
        if (expected.includes(h)) expect(() => table.lookup(h, null, 0, () => 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
        else expect(table.lookup(h, null, 0, () => 0).revoked).toBe(false);
      }
    }));
  });
});
