// Tests of the syscall crossing itself (prelude trap <-> raw.ts/codec.ts): exact values both ways on the plain and
// the JSON paths, bytes of views and shared buffers, results the host builds directly, errors and blocking calls,
// and agent code that patches prototypes or changes values between reads. Images are plain scripts (no runtime).

import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import type { Gate } from '../../packages/kernel/src/domain/types.ts';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import { LIMITS, ports } from './testkit.ts';

/** An image whose main runs `body` (with T = __aios_trap) and returns what it returns (as a hook result, JSON). */
function image(body: string): string {
  return `var __aios_agent = { entry: { info: { hasMain: true }, dispatch: function (kind) {
    var T = __aios_trap;
    return (function () { ${body} })();
  } } };`;
}

async function run(body: string, gate: Gate): Promise<unknown> {
  const inst = createWasmDomain(ports()).instantiate(image(body), gate, LIMITS);
  try {
    return await inst.dispatch('main');
  } finally {
    inst.dispose();
  }
}

describe('wasm boundary', () => {
  it('wasm boundary - plain arguments keep exact values; bytes of views and shared buffers are copied', async () => {
    const seen: unknown[][] = [];
    await run(
      `var big = new Uint8Array([9, 1, 2, 3, 9]), sab = new Uint8Array(new SharedArrayBuffer(3)); sab[0] = 7;
       T(1, [NaN, -0, Infinity, -Infinity]);
       T(1, [true, null, undefined, false]);
       T(1, [big.subarray(1, 4), big, new Uint8Array(0), sab]);
       T(1, [1, undefined, undefined]);
       T(1, [1, 2, 3, 4, 5]);
       T(1, ['x', new Uint8Array([5]), { a: [undefined, NaN] }]);
       return null;`,
      (nr, args) => {
        seen.push(args);
        return undefined;
      },
    );
    expect(seen[0]).toEqual([NaN, -0, Infinity, -Infinity]);
    expect(Object.is(seen[0]![1], -0)).toBe(true);
    expect(seen[1]).toEqual([true, null, undefined, false]);
    expect(seen[2]!.map((b) => Array.from(b as Uint8Array))).toEqual([[1, 2, 3], [9, 1, 2, 3, 9], [], [7, 0, 0]]);
    expect(seen[2]!.every((b) => b instanceof Uint8Array)).toBe(true);
    expect(seen[3]).toEqual([1]); // trailing undefined arguments are not sent
    expect(seen[4]).toEqual([1, 2, 3, 4, 5]);
    expect(seen[5]![0]).toBe('x');
    expect(Array.from(seen[5]![1] as Uint8Array)).toEqual([5]);
    expect(seen[5]![2]).toEqual({ a: [undefined, NaN] });
  });

  it('wasm boundary - results the host builds keep their values, strings JSON-only included', async () => {
    const odd = 'a\u0000b\ud800c';
    const values: Record<number, unknown> = {
      1: { from: 3, tag: 'data', data: new Uint8Array([1, 2]), handles: [], trace: undefined },
      2: [1, undefined, NaN, -Infinity, null, true, 'é✓'],
      3: odd,
      4: { s: odd, inner: [new Uint8Array([4])] },
      5: new Uint8Array([6, 7]),
      6: false,
      7: { __proto__: { polluted: true }, ok: 1 },
    };
    const out = (await run(
      `var r1 = T(1, []), r2 = T(2, []), r3 = T(3, []), r4 = T(4, []), r5 = T(5, []), r6 = T(6, []), r7 = T(7, []);
       return {
         m: [r1.from, r1.tag, r1.data instanceof Uint8Array, Array.prototype.slice.call(r1.data), r1.handles.length, 'trace' in r1],
         a: [r2.length, r2[1] === undefined && 1 in r2, r2[2] !== r2[2], r2[3] === -Infinity, r2[4], r2[5], r2[6]],
         s: [r3 === ${JSON.stringify(odd)}, r4.s === ${JSON.stringify(odd)}, r4.inner[0] instanceof Uint8Array && r4.inner[0][0]],
         b: [r5 instanceof Uint8Array, r5[0], r5[1]],
         f: r6,
         p: [Object.getPrototypeOf(r7) === Object.prototype, r7.ok, ({}).polluted === undefined],
       };`,
      (nr) => values[nr],
    )) as Record<string, unknown>;
    expect(out['m']).toEqual([3, 'data', true, [1, 2], 0, false]);
    expect(out['a']).toEqual([7, true, true, true, null, true, 'é✓']);
    expect(out['s']).toEqual([true, true, 4]);
    expect(out['b']).toEqual([true, 6, 7]);
    expect(out['f']).toBe(false);
    expect(out['p']).toEqual([true, 1, true]);
  });

  it('wasm boundary - patched prototypes and changing getters cannot change what the host receives', async () => {
    const seen: unknown[][] = [];
    const out = await run(
      `var TA = Object.getPrototypeOf(Uint8Array.prototype), n = 0, u1 = new Uint8Array([1, 2, 3]), u2 = new Uint8Array([4]), u3 = new Uint8Array([5, 6]);
       Object.defineProperty(TA, 'buffer', { get: function () { return new ArrayBuffer(99); } });
       Object.defineProperty(TA, 'byteLength', { get: function () { return 1; } });
       Array.prototype.push = function () { throw new Error('push'); };
       Array.prototype[Symbol.iterator] = function () { throw new Error('iterator'); };
       Function.prototype.apply = function () { throw new Error('apply'); };
       T(1, [u1]);
       T(1, [u2, { k: u3 }]);
       var args = [];
       Object.defineProperty(args, 0, { get: function () { return n++ === 0 ? 1 : { valueOf: function () { throw new Error('read twice'); } }; } });
       T(1, args);
       return n;`,
      (nr, args) => {
        seen.push(args);
        return undefined;
      },
    );
    expect(Array.from(seen[0]![0] as Uint8Array)).toEqual([1, 2, 3]);
    expect(Array.from(seen[1]![0] as Uint8Array)).toEqual([4]);
    expect(Array.from((seen[1]![1] as { k: Uint8Array }).k)).toEqual([5, 6]);
    expect(seen[2]).toEqual([1]);
    expect(out).toBe(1);
  });

  it('wasm boundary - errors arrive with code, errno and detail; blocking calls resolve and reject', async () => {
    let release: (v: unknown) => void = () => undefined;
    let refuse: (e: unknown) => void = () => undefined;
    const inst = createWasmDomain(ports()).instantiate(
      image(`
        var out = {};
        try { T(1, [1]); } catch (e) { out.sync = [e.name, e.code, e.errno, e.detail && e.detail.arg, e instanceof Error]; }
        try { T(2, []); } catch (e) { out.plain = [e.name, e.message, e.code === undefined]; }
        return T(3, []).then(function (v) { out.ok = v;
          return T(4, []).then(null, function (e) { out.rejected = [e.code, e.message]; return out; }); });`),
      (nr) => {
        if (nr === 1) throw new AiosError('EPERM', 'no', { arg: 'h' });
        if (nr === 2) throw new TypeError('secret host detail');
        if (nr === 3) return new Promise((r) => (release = r));
        return new Promise((_r, j) => (refuse = j));
      },
      LIMITS,
    );
    const done = inst.dispatch('main');
    await new Promise((r) => setImmediate(r));
    release({ v: [1, 'x'] });
    await new Promise((r) => setImmediate(r));
    refuse(new AiosError('EAGAIN', 'later'));
    expect(await done).toEqual({
      sync: ['AiosError', 'EPERM', 1, 'h', true],
      plain: ['Error', 'secret host detail', true],
      ok: { v: [1, 'x'] },
      rejected: ['EAGAIN', 'later'],
    });
    inst.dispose();
  });
});
