// Adversarial arguments for the fuzz test's hostile agents, by the parameter types of the
// syscall table (packages/abi/src/syscalls.ts). Half plausible (so calls get past argument
// checks and reach the kernel's state), half hostile: wrong types, huge and odd numbers,
// huge payloads, deep objects, cycles, getters that change or throw, proxies.
// Runs inside agents (native and wasm): no Node APIs.

import { Rng } from './rng.ts';

/** Thrown by the hostile getters and proxies; an error with this message is the agent's own. */
export const SENTINEL = 'FUZZ-SENTINEL';

/** What a hostile agent has learnt so far: handles (live, revoked, closed), tickets, addresses. */
export interface Pools {
  handles: number[];
  tickets: number[];
  addrs: number[];
  pool: number[];
}

const QUICK = "import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'quick', main() {} });\n";
const SERVER = "import { defineAgent } from '@aios/runtime';\nexport default defineAgent({ name: 'srv', onMessage() {}, serialize() { return {}; }, restore() {}, merge() { return {}; }, partition() { return [{}, {}]; }, migrate(s) { return s; } });\n";

const NUMBERS = [0, -0, 1, -1, 2, 7, 4095, 4096, 4097, 65_536, 65_537, 2 ** 30, 2 ** 30 + 1, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 64, 1e308, -1e308, 5e-324, 0.5, 1.5, NaN, Infinity, -Infinity, 0x10000, 0x6000_0000, 64 * 2 ** 30];
const STRINGS = ['', 'a', 'a.b', '>', '*', 'a.*.b', '__proto__', 'constructor', 'prototype', '../../../../etc/passwd', '/etc/passwd', 'rwx', 'r', 'w', 'rw', 'x', 'rwz', '\u0000', '\ud800', 'é'.repeat(100), 'data', 'exit', 'trap', 'event', 'model', 'storage', 'namespace:x', 'user.1.x', 'agent.1.exit', 'security.>', 'mlkem768.keygen', 'mldsa65.sign', 'describe', 'put', 'get'];
const HINTS = ['interactive', 'batch', 'deadline', 'llm-bound', 'io-bound', 'bogus'];

export class ArgGen {
  constructor(readonly rng: Rng, readonly pools: Pools, readonly deadline: boolean) {}

  /** A number from the odd list, a random integer, or a random float. */
  number(): number {
    const r = this.rng;
    const c = r.int(4);
    if (c === 0) return r.pick(NUMBERS);
    if (c === 1) return r.int(300);
    if (c === 2) return (r.int(2 ** 31) - 2 ** 30) * (r.chance(0.5) ? 1 : 4096);
    return r.next() * 2 ** r.int(64) * (r.chance(0.2) ? -1 : 1);
  }

  string(): string {
    const r = this.rng;
    if (r.chance(0.7)) return r.pick(STRINGS);
    if (r.chance(0.5)) return 'x'.repeat(r.pick([255, 256, 1024, 4097, 65_537, 300_000, 2 ** 20 + 1]));
    let s = '';
    for (let i = r.int(40); i > 0; i--) s += String.fromCharCode(r.int(0x3000));
    return s;
  }

  bytes(): Uint8Array {
    const r = this.rng;
    const n = r.pick([0, 1, 3, 32, 1952, 2400, 4032, 4096, 65_535, 65_536, 65_537, 200_000, r.int(5000)]);
    const b = new Uint8Array(n);
    for (let i = 0; i < Math.min(n, 64); i++) b[i] = r.int(256);
    return b;
  }

  handle(): number {
    const r = this.rng;
    const p = this.pools;
    if (p.handles.length > 0 && r.chance(0.75)) return r.pick(p.handles);
    return r.chance(0.5) ? r.int(64) : this.number();
  }

  ticket(): number {
    const p = this.pools;
    return p.tickets.length > 0 && this.rng.chance(0.7) ? this.rng.pick(p.tickets) : this.number();
  }

  vaddr(): number {
    const r = this.rng;
    const p = this.pools;
    if (p.addrs.length > 0 && r.chance(0.5)) return r.pick(p.addrs) + (r.chance(0.8) ? 0 : r.pick([1, 4095, 4096, -4096]));
    if (p.pool.length > 0 && r.chance(0.3)) return r.pick(p.pool);
    return r.chance(0.5) ? 0x10000 + r.int(1 << 16) * 4096 : this.number();
  }

  /** A value of any shape, hostile on purpose. */
  hostile(depth = 0): unknown {
    const r = this.rng;
    switch (r.int(20)) {
      case 0: return undefined;
      case 1: return null;
      case 2: return r.chance(0.5);
      case 3: return this.number();
      case 4: return this.string();
      case 5: return this.bytes();
      case 6: return [];
      case 7: return {};
      case 8: return deep(r.pick([31, 33, 64, 200, 2000]));
      case 9: return cyclic();
      case 10: return depth > 2 ? 0 : [this.hostile(depth + 1), this.hostile(depth + 1)];
      case 11: return depth > 2 ? 0 : { a: this.hostile(depth + 1), handle: this.handle(), length: this.number() };
      case 12: return new Array(r.pick([10, 1000, 100_000])).fill(r.chance(0.5) ? 0 : 'zz');
      case 13: return changing(r);
      case 14: return throwing();
      case 15: return proxyOf(r.chance(0.5) ? this.bytes() : { name: 'p', source: QUICK });
      case 16: return r.chance(0.5) ? new Uint16Array(3) : new ArrayBuffer(8);
      case 17: return () => 1;
      case 18: return { toString: () => { throw new Error(SENTINEL); }, valueOf: () => 7 };
      default: return typeof BigInt === 'function' ? BigInt(r.int(100)) : 0;
    }
  }

  /** A value for a parameter of the given type: 70% plausible, 30% hostile. */
  value(type: string): unknown {
    const r = this.rng;
    if (r.chance(0.3)) return this.hostile();
    switch (type) {
      case 'Handle':
      case 'AgentId':
        return this.handle();
      case 'Handle[]':
        return this.list(() => this.handle(), true);
      case 'Ticket':
        return this.ticket();
      case 'VAddr':
        return this.vaddr();
      case 'number':
        return this.number();
      case 'number | string':
        return r.chance(0.5) ? this.number() : r.pick(['r', 'rw', 'rwx', 'w', '', 'rwz', 'rrr']);
      case 'string':
        return this.string();
      case 'Uint8Array':
        return this.bytes();
      case 'unknown[]':
        return this.list(() => this.hostile(1));
      case 'AgentImage':
        return this.image();
      case 'SpawnOptions':
        return this.spawnOpts();
      case 'AgentManifest':
        return { name: this.string(), version: r.pick(['1.0.0', 'x', this.string()]), description: this.string(), intents: this.list(() => ({ name: this.string(), examples: this.list(() => this.rng.pick(STRINGS), true) })) };
      case 'SendOptions':
        return { handles: this.list(() => this.handle(), true), handleRights: this.list(() => this.number(), true), tag: r.pick(['data', 'exit', 'trap', 'event', '', 'x'.repeat(300), 'req']) };
      case 'PqcOp':
        return r.pick(['mlkem768.keygen', 'mlkem768.encaps', 'mlkem768.decaps', 'mldsa65.keygen', 'mldsa65.sign', 'mldsa65.verify', 'rsa.sign', '', '__proto__']);
      case 'Record<string, Uint8Array>':
        return { secretKey: this.bytes(), publicKey: this.bytes(), message: this.bytes(), signature: this.bytes(), ciphertext: this.bytes(), sk: this.bytes(), msg: this.bytes() };
      case 'CapDeriveOptions':
        return { expires: r.chance(0.5) ? this.number() : undefined, quota: r.chance(0.5) ? { uses: this.number() } : this.hostile(1) };
      case 'Record<string, unknown>':
        return { a: this.hostile(1), b: this.string(), n: this.number() };
      case 'SchedParams':
        return this.schedParams();
      case 'LlmRequest':
        return this.llmRequest();
      case 'Handle | LlmRequest':
        return r.chance(0.6) ? this.handle() : this.llmRequest();
      default:
        return this.objectFor(type);
    }
  }

  /** A list of f(); long (300) only for cheap elements, so one call's arguments stay bounded. */
  private list<T>(f: () => T, long = false): T[] {
    const n = this.rng.pick(long ? [0, 1, 2, 3, 17, 300] : [0, 1, 2, 3, 17]);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(f());
    return out;
  }

  private image(): unknown {
    const r = this.rng;
    return r.pick<() => unknown>([
      () => ({ source: QUICK }),
      () => ({ source: SERVER }),
      () => ({ source: 'export default {{{' }),
      () => ({ source: "import fs from 'node:fs'; export default { main() { fs.readFileSync('/etc/passwd'); } };" }),
      () => ({ source: "import x from '/etc/passwd'; export default x;" }),
      () => ({ path: '/etc/passwd' }),
      () => ({ path: '../../../../../etc/hostname' }),
      () => ({ path: this.string() }),
      () => ({ source: '' }),
      () => ({ source: 42 }),
      () => ({}),
      () => ({ source: QUICK, filename: this.string() }),
    ])();
  }

  private spawnOpts(): unknown {
    const r = this.rng;
    const o: Record<string, unknown> = {};
    if (r.chance(0.5)) o.name = this.string();
    if (r.chance(0.3)) o.capabilities = this.list(() => r.pick(['spawn', 'frame', 'map', 'supervise', 'admin', 'root', '']));
    if (r.chance(0.3)) o.namespace = { a: this.handle(), b: { handle: this.handle(), rights: this.number() }, __proto__x: this.hostile(1) };
    if (r.chance(0.4)) o.quotas = { memBytes: this.number(), frames: this.number(), spawns: this.number(), mailboxDepth: this.number(), cpuMsPerPeriod: this.number() };
    if (r.chance(0.3)) o.nice = this.number();
    if (r.chance(0.3)) o.hints = this.list(() => r.pick(HINTS.filter((h) => this.deadline || h !== 'deadline')));
    if (r.chance(0.3)) o.domain = r.pick(['wasm', 'native', 'worker', '', this.string()]);
    if (r.chance(0.3)) o.config = this.hostile(1);
    if (r.chance(0.2)) o.labels = this.list(() => this.string());
    if (r.chance(0.2)) o.durable = true;
    if (r.chance(0.2)) o.restart = r.pick(['permanent', 'transient', 'temporary', 'x']);
    if (this.deadline && r.chance(0.2)) o.deadline = { budgetMs: this.number(), periodMs: this.number() };
    return o;
  }

  private schedParams(): unknown {
    const r = this.rng;
    const o: Record<string, unknown> = {};
    if (r.chance(0.6)) o.nice = r.chance(0.5) ? r.int(40) - 20 : this.number();
    if (r.chance(0.6)) o.hints = this.list(() => r.pick(HINTS.filter((h) => this.deadline || h !== 'deadline')));
    if (this.deadline && r.chance(0.3)) o.deadline = { budgetMs: this.number(), periodMs: this.number() };
    return o;
  }

  private llmRequest(): unknown {
    const r = this.rng;
    return {
      messages: r.chance(0.8) ? this.list(() => ({ role: r.pick(['user', 'system', 'assistant', 'tool', 'x']), content: r.chance(0.8) ? 'echo: ' + this.string().slice(0, 2000) : this.hostile(1) })) : this.hostile(1),
      maxTokens: r.chance(0.5) ? r.int(64) : this.number(),
      temperature: r.chance(0.5) ? undefined : this.number(),
      timeoutMs: r.chance(0.5) ? undefined : this.number(),
    };
  }

  /** An object with the keys named in an inline type such as `{ rights?: number; maxUses?: number }`. */
  private objectFor(type: string): unknown {
    const o: Record<string, unknown> = {};
    for (const m of type.matchAll(/(\w+)\??:\s*([^;}]+)/g)) {
      if (this.rng.chance(0.7)) o[m[1]!] = /number/.test(m[2]!) ? this.number() : this.hostile(1);
    }
    return o;
  }
}

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { v };
  return v;
}

function cyclic(): unknown {
  const a: Record<string, unknown> = { name: 'c' };
  a.self = a;
  a.list = [a];
  return a;
}

/** An object whose fields read differently each time (a time-of-check/time-of-use probe). */
function changing(r: Rng): unknown {
  let n = 0;
  const o = {};
  for (const k of ['name', 'source', 'handle', 'rights', 'uses', 'length', 'byteLength', 'nice', 'tag', 'handles', 'memBytes']) {
    Object.defineProperty(o, k, { enumerable: true, get: () => (++n % 2 === 0 ? r.pick<unknown>([1, 'a', 2 ** 40, -1, { source: QUICK }, [1, 2]]) : r.pick<unknown>([undefined, 'rw', 4096, QUICK])) });
  }
  return o;
}

/** An object whose every field throws the sentinel when read. */
function throwing(): unknown {
  const o = {};
  for (const k of ['name', 'source', 'path', 'handle', 'rights', 'handles', 'tag', 'nice', 'hints', 'messages', 'quota', 'expires', 'length', '0']) {
    Object.defineProperty(o, k, { enumerable: true, get: () => { throw new Error(SENTINEL); } });
  }
  return o;
}

/** A proxy that answers oddly, or throws the sentinel, on every trap. */
function proxyOf(target: object): unknown {
  if (typeof Proxy !== 'function') return target;
  let n = 0;
  return new Proxy(target, {
    get(t, k) {
      if (++n % 7 === 0) throw new Error(SENTINEL);
      return n % 3 === 0 ? undefined : Reflect.get(t, k);
    },
    ownKeys(t) {
      if (++n % 5 === 0) throw new Error(SENTINEL);
      return Reflect.ownKeys(t);
    },
  });
}
