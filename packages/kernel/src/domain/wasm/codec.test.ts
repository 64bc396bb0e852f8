// Unit tests of the host side of the boundary codec: what malformed or hostile wire text gets.

import { describe, expect, it } from 'vitest';
import { AiosError } from '@aios/abi';
import { decodeFromSandbox, encodeForSandbox, errorForSandbox, MAX_WIRE } from './codec.ts';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof AiosError ? e.code : 'other';
  }
  return undefined;
}

describe('wasm codec', () => {
  it('wasm codec - host values round-trip through the wire format', () => {
    const bytes = new Uint8Array([1, 2, 3]).subarray(1);
    const v = { a: [1, 'x', null, true, undefined, NaN, -Infinity], b: bytes, c: {}, u: undefined };
    const w = encodeForSandbox(v);
    expect(w.buffers).toHaveLength(1);
    const back = decodeFromSandbox(w.text, w.fix, w.buffers.map((b) => b.slice())) as typeof v;
    expect(back.a).toEqual([1, 'x', null, true, undefined, NaN, -Infinity]);
    expect(Array.from(back.b)).toEqual([2, 3]);
    expect(back.b).not.toBe(bytes);
    expect(back.c).toEqual({});
    expect(back.u).toBeUndefined();
  });

  it('wasm codec - plain values need no fixups; roots may be special', () => {
    expect(encodeForSandbox({ a: [1, 'x'], b: null })).toEqual({ text: '{"a":[1,"x"],"b":null}', fix: undefined, buffers: [] });
    const u = encodeForSandbox(undefined);
    expect(decodeFromSandbox(u.text, u.fix, [])).toBeUndefined();
    const b = encodeForSandbox(new Uint8Array([9]));
    expect(Array.from(decodeFromSandbox(b.text, b.fix, b.buffers) as Uint8Array)).toEqual([9]);
    const d = encodeForSandbox({ when: new Date(0), n: 5n });
    expect(JSON.parse(d.text)).toEqual({ when: {}, n: 5 });
  });

  it('wasm codec - malformed wire text gives EINVAL, oversized gives EMSGSIZE', () => {
    expect(code(() => decodeFromSandbox('{', undefined, []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null]', '[[0,0]]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null,null]', '[[0,0],[0,0]]', [new Uint8Array(1)]))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null]', undefined, [new Uint8Array(1)]))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null]', '[[0,0]]', [new Uint8Array(1), new Uint8Array(1)]))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[1]', '[[1,0]]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null]', '[[9,0]]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null]', '[[1,5]]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[{"a":null}]', '[[1,0,"__proto__"]]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[null]', '{', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[0]'.padEnd(MAX_WIRE + 1, ' '), undefined, []))).toBe('EMSGSIZE');
    let deep = '1';
    for (let i = 0; i < 40; i++) deep = `[${deep}]`;
    expect(code(() => decodeFromSandbox(deep, undefined, []))).toBe('EINVAL');
  });

  it('wasm codec - __proto__ keys are dropped, never set as a prototype', () => {
    const v = decodeFromSandbox('{"__proto__":{"polluted":true},"ok":1,"in":[{"__proto__":{"x":1}}]}', undefined, []) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['ok', 'in']);
    expect(Object.keys((v['in'] as object[])[0]!)).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('wasm codec - host values that cannot cross are refused with EINVAL', () => {
    expect(code(() => encodeForSandbox({ f: () => 1 }))).toBe('EINVAL');
    expect(code(() => encodeForSandbox(Symbol('s')))).toBe('EINVAL');
    expect(code(() => encodeForSandbox(new Uint16Array(1)))).toBe('EINVAL');
    const cyc: unknown[] = [];
    cyc.push(cyc);
    expect(code(() => encodeForSandbox(cyc))).toBe('EINVAL');
  });

  it('wasm codec - errors become AiosError fields, or the message alone', () => {
    expect(errorForSandbox(new AiosError('EPERM', 'no', { right: 'SEND' }))).toEqual({ m: 'no', c: 'EPERM', x: 1, d: { right: 'SEND' } });
    expect(errorForSandbox(Object.assign(new TypeError('bad'), { secret: 1 }))).toEqual({ m: 'bad' });
    expect(errorForSandbox({ toString: () => 'x' })).toEqual({ m: 'kernel error' });
  });
});
