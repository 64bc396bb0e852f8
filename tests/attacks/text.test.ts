// Text is bytes-exact in the sandbox: TextEncoder/TextDecoder inside QuickJS give what Node's give
// for random strings (NUL, astral planes, lone surrogates, BOM) and random bytes (invalid UTF-8,
// fatal mode, streaming in chunks), and IPC text payloads round-trip through a real kernel.
// Inputs come from a seeded generator, so a failure names a reproducible case.
import { describe, it, expect, afterAll } from 'vitest';
import { createTestHost } from '@aios/testkit';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import type { Gate } from '../../packages/kernel/src/domain/types.ts';
import { bundle, FakeKernel, LIMITS, ports } from '../wasm/testkit.ts';

/** A small seeded generator (mulberry32): the same cases on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['\0', '\uFEFF', '\uD800', '\uDFFF', '\uDBFF\uDFFF', '\u{1F600}', '\u{10FFFF}', 'é', '€', '\uFFFD', '\uFFFF', 'a', '\n', '\u0080', '\u07FF', '\u0800'];

function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 24);
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.5) s += PIECES[Math.floor(r() * PIECES.length)];
    else if (x < 0.8) s += String.fromCharCode(Math.floor(r() * 0x10000));
    else s += String.fromCodePoint(Math.floor(r() * 0x110000));
  }
  return s;
}

const EDGE_BYTES = [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90];

function randomBytes(r: () => number): number[] {
  const out: number[] = [];
  if (r() < 0.2) out.push(0xef, 0xbb, 0xbf);
  const n = Math.floor(r() * 20);
  for (let i = 0; i < n; i++) out.push(r() < 0.6 ? EDGE_BYTES[Math.floor(r() * EDGE_BYTES.length)]! : Math.floor(r() * 256));
  return out;
}

/** Splits bytes at random points (empty chunks included). */
function chunks(r: () => number, b: number[]): number[][] {
  const out: number[][] = [];
  let i = 0;
  while (i < b.length) {
    const n = Math.floor(r() * 5);
    out.push(b.slice(i, i + n));
    i += n;
  }
  out.push([]);
  return out;
}

interface Case {
  s: string;
  b: number[];
  parts: number[][];
  room: number;
}

/** What Node gives for a case; the sandbox must give the same. */
function expected(c: Case): unknown {
  const fatal = (() => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(c.b));
    } catch (e) {
      return (e as Error).name;
    }
  })();
  const streamer = new TextDecoder();
  const streamed = c.parts.map((p, i) => streamer.decode(new Uint8Array(p), { stream: i < c.parts.length - 1 }));
  const into = new Uint8Array(c.room);
  const res = new TextEncoder().encodeInto(c.s, into);
  return [
    Array.from(new TextEncoder().encode(c.s)),
    new TextDecoder().decode(new Uint8Array(c.b)),
    new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(c.b)),
    fatal,
    streamed,
    [res.read, res.written, Array.from(into)],
    new TextDecoder().decode(new TextEncoder().encode(c.s)),
  ];
}

const SANDBOX_SIDE = `
const te = new TextEncoder();
const out = cases.map((c: any) => {
  let fatal: any;
  try { fatal = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(c.b)); } catch (e: any) { fatal = e.name; }
  const streamer = new TextDecoder();
  const streamed = c.parts.map((p: number[], i: number) => streamer.decode(new Uint8Array(p), { stream: i < c.parts.length - 1 }));
  const into = new Uint8Array(c.room);
  const res = te.encodeInto(c.s, into);
  return [
    Array.from(te.encode(c.s)),
    new TextDecoder().decode(new Uint8Array(c.b)),
    new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(c.b)),
    fatal,
    streamed,
    [res.read, res.written, Array.from(into)],
    new TextDecoder().decode(te.encode(c.s)),
  ];
});
__aios_trap(39, [out]);
`;

describe('attacks - text is bytes-exact in the sandbox', () => {
  const host = createTestHost();
  afterAll(() => host.shutdown());

  it('attacks - TextEncoder and TextDecoder in the sandbox match Node on random strings and bytes', async () => {
    const r = rng(12);
    const cases: Case[] = [];
    for (let i = 0; i < 400; i++) {
      const b = randomBytes(r);
      cases.push({ s: randomString(r), b, parts: chunks(r, b), room: Math.floor(r() * 16) });
    }
    const echoed: unknown[] = [];
    const fake = new FakeKernel();
    const gate: Gate = (nr, args) => {
      if (nr === 39) echoed.push(args[0]);
      return fake.gate(nr, args);
    };
    const code = await bundle({
      contents: `import { defineAgent } from '@aios/runtime';\ndeclare const __aios_trap: (nr: number, args: unknown) => any;\nconst cases = ${JSON.stringify(cases)};\nconst agent = defineAgent({ name: 'text', async main() {\n${SANDBOX_SIDE}\n} });`,
    });
    const inst = createWasmDomain(ports()).instantiate(code, gate, { ...LIMITS, memoryBytes: 64 * 2 ** 20 });
    await inst.dispatch('main');
    inst.dispose();
    const got = echoed[0] as unknown[];
    expect(got).toHaveLength(cases.length);
    for (let i = 0; i < cases.length; i++) expect(got[i], `case ${i}: ${JSON.stringify(cases[i])}`).toEqual(expected(cases[i]!));
  });

  it('attacks - IPC text payloads with NUL, astral and lone surrogates round-trip through the kernel', async () => {
    const id = await host.spawn({ source: `
import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'echo', onMessage(m, ctx) { ctx.log(JSON.stringify([m.text(), Array.from(m.data)])); } });` }, { name: 'echo', domain: 'wasm' });
    const r = rng(7);
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const s = i === 0 ? 'a\0b\0' : randomString(r);
      sent.push(s);
      host.send(id, s);
    }
    for (let i = 0; i < 200 && host.logs(id).length < sent.length; i++) await new Promise((res) => setTimeout(res, 10));
    const lines = host.logs(id).map((l) => JSON.parse(l) as [string, number[]]);
    expect(lines).toHaveLength(sent.length);
    for (let i = 0; i < sent.length; i++) {
      const bytes = new TextEncoder().encode(sent[i]);
      expect(lines[i]![1]).toEqual(Array.from(bytes));
      expect(lines[i]![0], `message ${i}`).toBe(new TextDecoder().decode(bytes));
    }
    host.kill(id);
  });
});
