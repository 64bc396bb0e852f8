import { describe, it, expect } from 'vitest';
import { plainMessage, unpackList } from './batch.ts';

/** The prelude's layout: int32 count, int32 length of each, the bytes in order, then `slack` unused bytes. */
function pack(list: Uint8Array[], slack = 0, patch?: (dv: DataView) => void): Uint8Array {
  const head = 4 + 4 * list.length;
  const b = new Uint8Array(head + list.reduce((n, x) => n + x.length, 0) + slack);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, list.length, true);
  let o = head;
  list.forEach((x, i) => {
    dv.setInt32(4 + 4 * i, x.length, true);
    b.set(x, o);
    o += x.length;
  });
  patch?.(dv);
  return b;
}

describe('wasm domain - vectored IPC shapes', () => {
  it('unpacks a packed list as views, in order, ignoring unused bytes after it', () => {
    const got = unpackList(pack([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)], 7))!;
    expect(got.map((x) => [...x])).toEqual([[1], [], [2, 3]]);
  });

  it('refuses a layout that does not hold (short, no count, negative or overlong lengths, a count past the end)', () => {
    expect(unpackList(new Uint8Array(3))).toBeNull();
    expect(unpackList(pack([]))).toBeNull();
    expect(unpackList(pack([Uint8Array.of(1)], 0, (dv) => dv.setInt32(0, -1, true)))).toBeNull();
    expect(unpackList(pack([Uint8Array.of(1)], 0, (dv) => dv.setInt32(0, 0x7fffffff, true)))).toBeNull();
    expect(unpackList(pack([Uint8Array.of(1), Uint8Array.of(2)], 0, (dv) => dv.setInt32(4, -1, true)))).toBeNull();
    expect(unpackList(pack([Uint8Array.of(1), Uint8Array.of(2)], 0, (dv) => dv.setInt32(8, 2, true)))).toBeNull();
  });

  it('builds whole only plain data messages', () => {
    const data = new Uint8Array(2);
    expect(plainMessage({ from: 3, data, handles: [], tag: 'data' })).toBe(true);
    expect(plainMessage({ from: 3, data, handles: [7], tag: 'data' })).toBe(false);
    expect(plainMessage({ from: 3, data, handles: [], tag: 'exit' })).toBe(false);
    expect(plainMessage({ from: 3, data, handles: [], tag: 'data', trace: '00-x' })).toBe(false);
    expect(plainMessage({ from: 2 ** 40, data, handles: [], tag: 'data' })).toBe(false);
  });
});
