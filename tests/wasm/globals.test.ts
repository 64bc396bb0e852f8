// Tests of the sandbox globals built by the prelude: console, timers, queueMicrotask, crypto,
// TextEncoder/TextDecoder, URL; and of what must NOT be there (require, process, fetch, host objects).

import { describe, expect, it } from 'vitest';
import { createWasmDomain } from '../../packages/kernel/src/domain/wasm/index.ts';
import { bundle, FakeKernel, LIMITS, ports, settle } from './testkit.ts';

/** Runs `body` as the main of an inline agent; returns the fake kernel and the main promise. */
async function runMain(body: string) {
  const kernel = new FakeKernel();
  const inst = createWasmDomain(ports()).instantiate(
    await bundle({ contents: `import { defineAgent } from '@aios/runtime';\nconst agent = defineAgent({ name: 'g', async main() {\n${body}\n} });` }),
    kernel.gate,
    LIMITS,
  );
  const main = inst.dispatch('main');
  return { kernel, inst, main };
}

describe('wasm globals', () => {
  it('wasm globals - console methods write Log syscalls with formatted arguments', async () => {
    const { kernel, main, inst } = await runMain(`
      console.log('a', 1, true, null, undefined, { x: [1, 2] }, new Uint8Array([1, 2]), 10n, Symbol('s'), function named() {});
      console.warn('careful'); console.error(new RangeError('bad')); console.info('i'); console.debug('d');
      const cyc: any = {}; cyc.self = cyc; console.log(cyc);`);
    await main;
    const lines = kernel.lines();
    expect(lines[0]).toBe('a 1 true null undefined {"x":[1,2]} Uint8Array(2) [1, 2] 10n Symbol(s) [Function named]');
    expect(lines[1]).toBe('[warn] careful');
    expect(lines[2]).toMatch(/^\[error\] RangeError: bad/);
    expect(lines.slice(3, 5)).toEqual(['i', '[debug] d']);
    expect(lines[5]).toBe('[object Object]');
    expect(kernel.logs.every((a) => a.every((x) => typeof x === 'string'))).toBe(true);
    inst.dispose();
  });

  it('wasm globals - setTimeout, clearTimeout, setInterval and queueMicrotask run on the Sleep syscall', async () => {
    const { kernel, main, inst } = await runMain(`
      const order: string[] = [];
      setTimeout((a: string, b: string) => order.push('t10 ' + a + b), 10, 'x', 'y');
      const gone = setTimeout(() => order.push('cleared'), 5);
      clearTimeout(gone);
      let n = 0;
      const iv = setInterval(() => { order.push('iv' + ++n); if (n === 3) clearInterval(iv); }, 4);
      queueMicrotask(() => order.push('micro'));
      order.push('sync');
      await new Promise<void>((r) => setTimeout(r, 20));
      console.log(order.join(','));`);
    await settle();
    expect(kernel.calls.filter((n) => n === 30).length).toBeGreaterThanOrEqual(3);
    await kernel.advance(30);
    await main;
    expect(kernel.lines()).toEqual(['sync,micro,iv1,iv2,t10 xy,iv3']);
    inst.dispose();
  });

  it('wasm globals - crypto.getRandomValues uses the random port and checks its argument', async () => {
    const { kernel, main, inst } = await runMain(`
      const a = crypto.getRandomValues(new Uint8Array(8));
      const b = crypto.getRandomValues(new Uint32Array(2));
      const id = crypto.randomUUID();
      let quota = '', type = '';
      try { crypto.getRandomValues(new Uint8Array(65537)); } catch (e: any) { quota = e.name; }
      try { crypto.getRandomValues(new Float64Array(2) as any); } catch (e: any) { type = e.name; }
      console.log(a.length, a.some((x) => x !== 0), b.length, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), quota, type);`);
    await main;
    expect(kernel.lines()).toEqual(['8 true 2 true QuotaExceededError TypeError']);
    inst.dispose();
  });

  it('wasm globals - TextEncoder and TextDecoder speak UTF-8', async () => {
    const { kernel, main, inst } = await runMain(`
      const s = 'héllo € 😀';
      const bytes = new TextEncoder().encode(s);
      const back = new TextDecoder().decode(bytes);
      const sub = new TextDecoder('utf8').decode(bytes.subarray(0, 6));
      let fatal = '';
      try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); } catch (e: any) { fatal = e.name; }
      let label = '';
      try { new TextDecoder('latin1'); } catch (e: any) { label = e.name; }
      console.log(bytes.length, back === s, sub, new TextDecoder().decode(new Uint8Array([0xff])), fatal, label, new TextEncoder().encoding, new TextDecoder().decode());`);
    await main;
    expect(kernel.lines()).toEqual([`${Buffer.byteLength('héllo € 😀')} true héllo \ufffd TypeError RangeError utf-8 `]);
    inst.dispose();
  });

  it('wasm globals - URL parses, resolves and exposes searchParams', async () => {
    const { kernel, main, inst } = await runMain(`
      const u = new URL('HTTPS://user:pw@Example.COM:8443/a/../b/c?x=1&y=two%20words#frag');
      console.log(u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin);
      console.log(u.searchParams.get('y'), u.searchParams.has('x'), u.searchParams.get('z'), String(u));
      const r = new URL('../d?q=1', 'http://h.example/a/b/c');
      console.log(r.href, new URL('http://h:80/').href, new URL('//other/x', 'https://h/').href, new URL('#h', 'http://a/b?c').href);
      u.searchParams.set('x', '2'); u.searchParams.append('k', 'a b');
      console.log(u.search, JSON.stringify({ u: new URL('http://a/') }), URL.canParse('nope'), URL.canParse('mailto:x@y'));
      let bad = '';
      try { new URL('not a url'); } catch (e: any) { bad = e.name + ' ' + e.message; }
      console.log(bad, new URLSearchParams({ a: '1', b: '2' }).toString(), [...new URLSearchParams('a=1&a=2').getAll('a')].join('|'));`);
    await main;
    expect(kernel.lines()).toEqual([
      'https: user pw example.com:8443 example.com 8443 /b/c ?x=1&y=two%20words #frag https://example.com:8443',
      'two words true null https://user:pw@example.com:8443/b/c?x=1&y=two%20words#frag',
      'http://h.example/a/d?q=1 http://h/ https://other/x http://a/b?c#h',
      '?x=2&y=two+words&k=a+b {"u":"http://a/"} false true',
      'TypeError Invalid URL a=1&b=2 1|2',
    ]);
    inst.dispose();
  });

  it('wasm globals - no require, process, fetch or host Function is reachable', async () => {
    const { kernel, main, inst } = await runMain(`
      const g: any = globalThis;
      const names = ['require', 'process', 'fetch', 'module', 'exports', 'Buffer', 'global', 'setImmediate', 'WebAssembly', 'XMLHttpRequest', 'Deno', 'Bun', 'std', 'os'];
      console.log(names.filter((n) => typeof g[n] !== 'undefined').join(',') || 'none');
      const tries: string[] = [];
      const attempt = (label: string, f: () => unknown) => { try { tries.push(label + ':' + typeof f()); } catch (e: any) { tries.push(label + ':' + e.name); } };
      attempt('ctor', function (this: any) { return (this as any).constructor.constructor('return process')(); }.bind({}));
      attempt('trapctor', () => g.__aios_trap.constructor('return process')());
      attempt('logctor', () => (console.log as any).constructor('return require')());
      attempt('fnproto', () => Object.getPrototypeOf(g.__aios_trap) === Function.prototype ? 1 : process);
      attempt('eval', () => (0, eval)('process'));
      attempt('import', () => (0, eval)('import("fs")'));
      console.log(tries.join(' '));
      console.log(Object.getOwnPropertyNames(globalThis).filter((n) => /aios|host/i.test(n)).join(','));`);
    await main;
    const lines = kernel.lines();
    expect(lines[0]).toBe('none');
    expect(lines[1]).toBe('ctor:ReferenceError trapctor:ReferenceError logctor:ReferenceError fnproto:number eval:ReferenceError import:object');
    expect(lines[2]).toBe('__aios_trap,__aios_agent');
    inst.dispose();
  });
});
