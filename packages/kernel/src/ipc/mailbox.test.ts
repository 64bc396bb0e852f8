import { describe, it, expect } from 'vitest';
import { Mailbox, copyPayload } from './mailbox.ts';

const bytes = (seq: number, n = 1000): Uint8Array => new Uint8Array(n).fill(seq & 255);

describe('ipc - mailbox', () => {
  it('ipc - plain and whole messages come out in the order they went in, across many slabs', () => {
    const mb = new Mailbox(1_000_000);
    const out: Array<[number, string, number]> = [];
    let sent = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 700; i++, sent++) mb.pushData(sent % 3, bytes(sent, 900 + (sent % 200)));
      mb.push({ from: 0, data: new Uint8Array([round]), handles: [round], tag: 'exit' });
      for (let i = 0; i < 500; i++) {
        const m = mb.shift()!;
        out.push([m.from, m.tag, m.data.length]);
      }
    }
    for (let m = mb.shift(); m !== undefined; m = mb.shift()) out.push([m.from, m.tag, m.data.length]);
    // Idle again: the mailbox no longer holds any payload slab.
    expect((mb as unknown as { slabs: unknown[] }).slabs.every((x) => x === undefined)).toBe(true);
    const plain = out.filter((r) => r[1] === 'data');
    const expected = Array.from({ length: sent }, (_, seq): [number, string, number] => [seq % 3, 'data', 900 + (seq % 200)]);
    expect(plain).toEqual(expected);
    expect(out.filter((r) => r[1] === 'exit')).toHaveLength(40);
    expect(mb.length).toBe(0);
  });

  it('ipc - a received payload is a private copy: later writes by the sender or later sends never show through', () => {
    const mb = new Mailbox(100_000);
    const buf = new Uint8Array(64).fill(1);
    mb.pushData(5, buf);
    buf.fill(2);
    const first = mb.shift()!;
    expect(first).toEqual({ from: 5, data: new Uint8Array(64).fill(1), handles: [], tag: 'data' });
    for (let i = 0; i < 10_000; i++) {
      buf.fill(i & 255);
      mb.pushData(5, buf);
      mb.shift();
    }
    expect([...first.data].every((b) => b === 1)).toBe(true);
    const copy = copyPayload(buf);
    buf.fill(9);
    expect(copy[0]).toBe(9_999 & 255);
  });

  it('ipc - a Node Buffer is copied too, small or big (Buffer#slice would share its memory)', () => {
    const mb = new Mailbox(10);
    for (const size of [100, 10_000]) {
      const b = Buffer.alloc(size, 1);
      mb.pushData(3, b);
      mb.push({ from: 3, data: copyPayload(b), handles: [], tag: 'data' });
      b.fill(2);
      for (const m of [mb.shift()!, mb.shift()!]) {
        expect(m.data.length).toBe(size);
        expect(m.data.every((x) => x === 1)).toBe(true);
      }
    }
  });

  it('ipc - drain hands back every queued message and leaves an empty, reusable mailbox', () => {
    const mb = new Mailbox(10);
    for (let i = 0; i < 12; i++) mb.pushData(1, bytes(i, 10));
    expect(mb.full).toBe(true);
    const all = mb.drain();
    expect(all.map((m) => m.data[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(mb.length).toBe(0);
    const held = (mb as unknown as { slabs: unknown[] }).slabs;
    expect(held.every((x) => x === undefined)).toBe(true);
    mb.pushData(2, bytes(42, 5000));
    expect(mb.shift()!.data).toEqual(bytes(42, 5000));
  });
});
