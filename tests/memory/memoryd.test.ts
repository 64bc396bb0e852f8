// memoryd end to end on a real node (services: true): agents remember and recall through
// @aios/runtime/memory, share spaces by handle, hit CAS conflicts; TTL sweep; JSONL round trip.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Rights } from '@aios/abi';
import { bootMemNode, agentSource, runToExit, type MemNode } from './helpers.ts';

let m: MemNode;
beforeAll(async () => {
  m = await bootMemNode();
});
afterAll(async () => {
  m?.registry.close();
  await m?.node.shutdown();
});

const ask = <T = any>(body: Record<string, unknown>) => m.node.host.request<T>(m.memoryd, body, 30_000);
const codeOf = (p: Promise<unknown>) => p.then(() => 'none', (e: { code?: string }) => e.code);

describe('memory - memoryd service', () => {
  it('memory - initd starts memoryd natively with the devices and the host grants it to new agents', async () => {
    const units = await m.node.host.request<Array<{ name: string; state: string; agent: number | null }>>(m.node.initd!, { op: 'ls' });
    expect(units.find((u) => u.name === 'memoryd')).toMatchObject({ state: 'active', agent: m.memoryd });
    expect(m.node.host.defaultServices.get('memoryd')).toBe(m.memoryd);
    const id = await m.node.spawn(agentSource('lookup', `const k = await import('@aios/runtime/kernel'); ctx.log(JSON.stringify(k.nsList()));`));
    const r = await runToExit(m.node, id);
    expect(JSON.parse(r.logs[0]!)).toContain('memoryd');
  });

  it('memory - an agent remembers and recalls: "automobile" finds the car; forget removes it', async () => {
    const id = await m.node.spawn(agentSource('rememberer', `
      const car = await mem.remember('I parked the car in the garage on level three', { level: 3 }, { tags: ['parking'] });
      await mem.remember('The cat sleeps on the sofa all afternoon');
      await mem.remember('Quarterly revenue grew by twelve percent');
      const hits = await mem.recall('automobile', { k: 3 });
      ctx.log(JSON.stringify({ car, top: hits[0].id, text: hits[0].text, data: hits[0].data }));
      const tagged = await mem.recall('where', { filter: { tags: ['parking'] } });
      ctx.log(JSON.stringify(tagged.map((h) => h.id)));
      ctx.log(String(await mem.forget(car)), String(await mem.forget(car)));
      ctx.log(JSON.stringify(await mem.memory().get(car)));`));
    const r = await runToExit(m.node, id);
    expect(r.code, r.reason).toBe(0);
    const first = JSON.parse(r.logs[0]!);
    expect(first.top).toBe(first.car);
    expect(first.text).toContain('car');
    expect(first.data).toEqual({ level: 3 });
    expect(JSON.parse(r.logs[1]!)).toEqual([first.car]);
    expect(r.logs[2]).toBe('true false');
    expect(r.logs[3]).toBe('null');
  });

  it('memory - private memories are private: another agent neither sees nor reaches them (EPERM)', async () => {
    const a = await m.node.spawn(agentSource('owner', `await mem.remember('secret launch code is swordfish'); ctx.log((await mem.memory().request('stats', {})).ns);`));
    const ownerNs = (await runToExit(m.node, a)).logs[0]!;
    expect(ownerNs).toMatch(/^i[0-9a-f]{64}:default$/); // keyed by the owner's identity (identityd runs)
    const b = await m.node.spawn(agentSource('snoop', `
      const hits = await mem.recall('launch code swordfish');
      ctx.log(String(hits.length));
      try { await mem.memory().request('search', { ns: '${ownerNs}', query: 'swordfish' }); ctx.log('reached'); } catch (e) { ctx.log(e.code); }`));
    expect((await runToExit(m.node, b)).logs).toEqual(['0', 'EPERM']);
  });

  it('memory - a space shared with READ|SEARCH lets the peer search but not write (EPERM)', async () => {
    const peer = await m.node.spawn(agentSource('peer', `
      const msg = await k.ipcWait(20000);
      const s = mem.adoptSpace(msg);
      const hits = await s.search('meeting time');
      ctx.log(JSON.stringify(hits.map((h) => h.text)));
      try { await s.put('overwrite'); ctx.log('wrote'); } catch (e) { ctx.log(e.code); }
      ctx.log(JSON.stringify(await s.get(hits[0].id).then((x) => x.text)));`, `import * as k from '@aios/runtime/kernel';`));
    const owner = await m.node.spawn(agentSource('team-lead', `
      const s = await mem.space('team');
      await s.put('The team meeting is at ten on Tuesdays');
      await s.put('Budget review is postponed');
      s.share(k.nsLookup('peer'), k.Rights.READ | k.Rights.SEARCH);
      const again = await mem.space('team');
      ctx.log(again.id === s.id ? 'same' : 'different');`, `import * as k from '@aios/runtime/kernel';`), {
      namespace: { peer: { handle: m.node.host.handleFor(peer), rights: Rights.SEND } },
    });
    const o = await runToExit(m.node, owner);
    expect(o.code, o.reason).toBe(0);
    expect(o.logs).toEqual(['same']);
    const p = await runToExit(m.node, peer);
    expect(p.code, p.reason).toBe(0);
    expect(JSON.parse(p.logs[0]!)[0]).toContain('meeting');
    expect(p.logs[1]).toBe('EPERM');
    expect(p.logs[2]).toContain('meeting');
  });

  it('memory - update is compare-and-swap: a stale expectedVersion is ECONFLICT', async () => {
    const id = await m.node.spawn(agentSource('cas', `
      const id = await mem.remember('counter is 1');
      const v2 = await mem.memory().update(id, { text: 'counter is 2' }, 1);
      ctx.log(String(v2.version));
      try { await mem.memory().update(id, { text: 'counter is 3' }, 1); ctx.log('updated'); } catch (e) { ctx.log(e.code, JSON.stringify(e.detail)); }
      try { await mem.forget(id, 1); } catch (e) { ctx.log(e.code); }
      ctx.log((await mem.memory().get(id)).text);`));
    const r = await runToExit(m.node, id);
    expect(r.logs[0]).toBe('2');
    expect(r.logs[1]).toMatch(/^ECONFLICT /);
    expect(JSON.parse(r.logs[1]!.slice('ECONFLICT '.length))).toMatchObject({ expected: 1, actual: 2 });
    expect(r.logs[2]).toBe('ECONFLICT');
    expect(r.logs[3]).toBe('counter is 2');
  });

  it('memory - subscribers get change events pushed to their reply handle', async () => {
    const id = await m.node.spawn(agentSource('watcher', `
      const sub = await mem.memory().request('subscribe', {});
      const item = await mem.remember('watch me');
      let ev;
      for (const x of mem.memory().stashed()) ev ??= JSON.parse(new TextDecoder().decode(x.data));
      ev ??= JSON.parse(new TextDecoder().decode((await k.ipcWait(10000)).data));
      ctx.log(JSON.stringify({ sub: sub.sub === ev.sub, event: ev.event, op: ev.op, same: ev.item === item }));
      ctx.log(JSON.stringify(await mem.memory().request('unsubscribe', { sub: sub.sub })));`, `import * as k from '@aios/runtime/kernel';`));
    const r = await runToExit(m.node, id);
    expect(r.code, r.reason).toBe(0);
    expect(JSON.parse(r.logs[0]!)).toEqual({ sub: true, event: 'change', op: 'put', same: true });
    expect(JSON.parse(r.logs[1]!)).toEqual({ closed: true });
  });

  it('memory - bad requests get exact codes (EINVAL op/text, EBADF handle index, ENOENT namespace)', async () => {
    expect(await codeOf(ask({ op: 'nope' }))).toBe('EINVAL');
    expect(await codeOf(ask({ op: 'put', text: 42 }))).toBe('EINVAL');
    expect(await codeOf(ask({ op: 'put', ns: 3, text: 'x' }))).toBe('EBADF');
    expect(await codeOf(ask({ op: 'search', ns: 'never-made', query: 'x' }))).toBe('ENOENT');
    expect(await codeOf(ask({ op: 'ns.create', name: 'bad name!' }))).toBe('EINVAL');
    expect(await codeOf(ask({ op: 'search', query: 'x', k: 0 }))).toBe('EINVAL');
  });

  it('memory - TTL: an expired item disappears at once and is swept from storage', async () => {
    const put = await ask<{ id: string }>({ op: 'put', ns: 'ttl', text: 'ephemeral note', ttlMs: 150 });
    await ask({ op: 'put', ns: 'ttl', text: 'durable note' });
    let stats = await ask<{ items: number }>({ op: 'stats', ns: 'ttl' });
    expect(stats.items).toBe(2);
    for (let i = 0; i < 100 && stats.items > 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await ask({ op: 'stats', ns: 'ttl' });
    }
    expect(stats.items).toBe(1);
    expect(await ask({ op: 'get', ns: 'ttl', item: put.id })).toBeNull();
    expect((await ask<Array<{ item: { text: string } }>>({ op: 'search', ns: 'ttl', query: 'note' })).map((h) => h.item.text)).toEqual(['durable note']);
  });

  it('memory - export and import round-trip a namespace in pages under 64 KiB', async () => {
    const texts = Array.from({ length: 60 }, (_, i) => `note ${i}: ${'lorem ipsum dolor sit amet '.repeat(40)}`);
    for (const [i, text] of texts.entries()) await ask({ op: 'put', ns: 'src', text, key: `k${i}`, tags: ['bulk'], data: { i } });
    const lines: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { lines: string[]; cursor: string | null } = await ask({ op: 'export', ns: 'src', ...(cursor ? { cursor } : {}) });
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(64 * 1024);
      lines.push(...page.lines);
      cursor = page.cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBeGreaterThan(1);
    expect(lines.length).toBe(61);
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'aios-memory-export', ns: 'a1:src' }); // the node's root (the operator) owns it on every node
    const half = Math.ceil(lines.length / 2);
    const r1 = await ask({ op: 'import', ns: 'dst', lines: lines.slice(0, half) });
    const r2 = await ask({ op: 'import', ns: 'dst', lines: lines.slice(half), firstLine: half + 1 });
    expect(r1.imported + r2.imported).toBe(60);
    const again = await ask({ op: 'import', ns: 'dst', lines: [...lines.slice(1, 3), 'not json'], firstLine: 2 });
    expect(again).toMatchObject({ imported: 0, unchanged: 2, skipped: [{ line: 4, code: 'EINVAL' }] });
    expect(await ask({ op: 'stats', ns: 'dst' })).toMatchObject({ items: 60 });
    const got = await ask<{ text: string; data: unknown; tags: string[] }>({ op: 'get', ns: 'dst', key: 'k7' });
    expect(got).toMatchObject({ text: texts[7], data: { i: 7 }, tags: ['bulk'] });
    expect(await codeOf(ask({ op: 'export', cursor: 'bogus' }))).toBe('ENOENT');
  });
});
