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
    const v = { a: [1, 'x', null, true, undefined, NaN, -Infinity], b: bytes, c: {} };
    const w = encodeForSandbox(v);
    expect(w.buffers).toHaveLength(1);
    const back = decodeFromSandbox(w.text, w.buffers) as typeof v;
    expect(back.a).toEqual([1, 'x', null, true, undefined, NaN, -Infinity]);
    expect(Array.from(back.b)).toEqual([2, 3]);
    expect(back.b).not.toBe(bytes);
    expect(back.c).toEqual({});
  });

  it('wasm codec - malformed wire text gives EINVAL, oversized gives EMSGSIZE', () => {
    expect(code(() => decodeFromSandbox('{', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('{"a":1}', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[9]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[2,0]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[0,[2,0],[2,0]]', [new Uint8Array(1)]))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[1,5,1]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[1,"a"]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[4,"1e3"]', []))).toBe('EINVAL');
    expect(code(() => decodeFromSandbox('[0]'.padEnd(MAX_WIRE + 1, ' '), []))).toBe('EMSGSIZE');
    let deep = '1';
    for (let i = 0; i < 40; i++) deep = `[0,${deep}]`;
    expect(code(() => decodeFromSandbox(deep, []))).toBe('EINVAL');
  });

  it('wasm codec - __proto__ keys are dropped, never set as a prototype', () => {
    const v = decodeFromSandbox('[1,"__proto__",[1,"polluted",true],"ok",1]', []) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['ok']);
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
    expect(errorForSandbox(new AiosError('EPERM', 'no', { right: 'SEND' }))).toEqual({ m: 'no', c: 'EPERM', x: 1, d: [1, 'right', 'SEND'] });
    expect(errorForSandbox(Object.assign(new TypeError('bad'), { secret: 1 }))).toEqual({ m: 'bad' });
    expect(errorForSandbox({ toString: () => 'x' })).toEqual({ m: 'kernel error' });
  });
});
