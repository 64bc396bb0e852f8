// Property tests of rights: derivation never widens, and revocation reaches
// every descendant, in every owner's table, and nothing else.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ALL_RIGHTS, DEFAULT_RIGHTS } from '@aios/abi';
import { HandleTable } from './handles.ts';
import type { KObject } from './captree.ts';

const obj: KObject = { type: 'agent', label: 'agent:1' };

describe('cap - derivation', () => {
  it('cap - a derived handle never has a right its parent lacks; asking for more is EPERM-worthy', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: ALL_RIGHTS }), { minLength: 1, maxLength: 30 }), (masks) => {
      const table = new HandleTable({ dropHandle: () => {} });
      let h = table.insert(obj, DEFAULT_RIGHTS.agent, null);
      for (const m of masks) {
        const parent = table.get(h)!.node;
        const narrowed = m & parent.rights;
        h = table.insert(obj, narrowed, parent);
        expect(table.get(h)!.node.rights & ~parent.rights).toBe(0);
        if ((m & ~parent.rights) !== 0) expect(m & ~parent.rights).not.toBe(0);
      }
    }));
  });

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
