// memoryd fabric contracts: access, items, CAS, TTL, quotas, hybrid search, subscribe, JSONL, re-embed.
// Storage is the in-memory driver (test-only import); the embedder is a tiny deterministic hashed bag of words.
import { describe, it, expect, beforeEach } from 'vitest';
import type { ChangeRecord, EmbedderDriver } from '@aios/abi';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import { createFabric, reciprocalRankFusion, type Fabric } from '../../packages/services/src/memoryd/index.ts';

/** Hashed bag-of-words unit vectors; `alias` maps words onto a shared bucket (a toy synonym model). */
function testEmbedder(name = 'hash', dim = 32, alias: Record<string, string> = {}): EmbedderDriver & { calls: number } {
  const e = {
    info: { name, version: '0', kind: 'embedder' as const, description: 'test' },
    dim,
    calls: 0,
    async embed(texts: string[]) {
      e.calls++;
      return texts.map((t) => {
        const v = new Float32Array(dim);
        for (const w0 of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
          const w = alias[w0] ?? w0;
          let h = 2166136261;
          for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
          v[(h >>> 0) % dim]! += 1;
        }
        const n = Math.hypot(...v) || 1;
        return v.map((x) => x / n);
      });
    },
  };
  return e;
}

async function code(p: Promise<unknown>): Promise<{ code: string; detail: unknown }> {
  return p.then(() => ({ code: 'none', detail: undefined }), (e: { code: string; detail: unknown }) => ({ code: e.code, detail: e.detail }));
}

describe('memoryd fabric', () => {
  let t = 1000;
  const clock = { now: () => t };
  let f: Fabric;
  let n = 0;
  const alice = { actor: 'alice' };
  const bob = { actor: 'bob' };
  beforeEach(async () => {
    t = 1000;
    n = 0;
    f = createFabric({ storage: createMemoryStorage(), embedder: testEmbedder(), clock, ids: () => `id${++n}` });
    await f.createNamespace(alice, { id: 'a' });
  });

  it('fabric - namespaces are private to their owner by default (EPERM for others, even with rights)', async () => {
    const info = await f.getNamespace(alice, 'a');
    expect(info).toMatchObject({ id: 'a', owner: 'alice', embedder: 'hash', dim: 32, shared: false, created: 1000 });
    expect((await code(f.put(bob, 'a', { text: 'x' }))).code).toBe('EPERM');
    expect((await code(f.get({ actor: 'bob', rights: ['read'] }, 'a', 'id1'))).code).toBe('EPERM');
    expect((await code(f.getNamespace(alice, 'missing'))).code).toBe('ENOENT');
    expect((await f.listNamespaces(alice)).map((x) => x.id)).toEqual(['a']);
  });

  it('fabric - shared namespaces honour the handle rights read/write/search; admin stays with the owner', async () => {
    await f.configureNamespace(alice, 'a', { shared: true });
    await f.put(alice, 'a', { text: 'shared fact about paris' });
    const reader = { actor: 'bob', rights: ['read'] as const };
    expect(await f.get({ ...reader, rights: [...reader.rights] }, 'a', 'id1')).toMatchObject({ text: 'shared fact about paris' });
    expect((await code(f.put({ actor: 'bob', rights: ['read'] }, 'a', { text: 'x' }))).code).toBe('EPERM');
    expect((await code(f.search({ actor: 'bob', rights: ['read'] }, { ns: ['a'], query: 'paris' }))).code).toBe('EPERM');
    expect((await f.search({ actor: 'bob', rights: ['search'] }, { ns: ['a'], query: 'paris' })).length).toBe(1);
    expect((await f.put({ actor: 'bob', rights: ['write'] }, 'a', { text: 'bob wrote' })).item.author).toBe('bob');
    expect((await code(f.put(bob, 'a', { text: 'no handle' }))).code).toBe('EPERM'); // non-owner without a handle
    expect((await code(f.put({ actor: 'alice', rights: ['read'] }, 'a', { text: 'narrowed' }))).code).toBe('EPERM'); // handles only narrow
    expect((await code(f.deleteNamespace({ actor: 'bob', rights: ['read', 'write', 'search'] }, 'a'))).code).toBe('EPERM');
    expect((await code(f.put({ actor: '' }, 'a', { text: 'x' }))).code).toBe('EINVAL');
  });

  it('fabric - an ACL hook can override the default rule', async () => {
    const g = createFabric({ storage: createMemoryStorage(), embedder: testEmbedder(), clock, acl: (c, _ns, op) => (c.actor === 'root' ? true : op === 'write' ? false : undefined) });
    await g.createNamespace(alice, { id: 'p' });
    expect((await code(g.put(alice, 'p', { text: 'x' }))).code).toBe('EPERM');
    expect((await g.put({ actor: 'root' }, 'p', { text: 'x' })).created).toBe(true);
  });

  it('fabric - put is idempotent by key, embeds text, records author and provenance', async () => {
    const r1 = await f.put(alice, 'a', { key: 'k', text: 'hello world', tags: ['greet'], provenance: { src: 'chat' } });
    expect(r1.created).toBe(true);
    expect(r1.item).toMatchObject({ id: 'id1', key: 'k', author: 'alice', tags: ['greet'], provenance: { src: 'chat' }, version: 1 });
    expect(r1.item.embedding?.length).toBe(32);
    const r2 = await f.put(alice, 'a', { key: 'k', text: 'hello world', tags: ['greet'] });
    expect(r2).toMatchObject({ created: false, changed: false, item: { id: 'id1', version: 1 } });
    const r3 = await f.put(alice, 'a', { key: 'k', text: 'hello there' });
    expect(r3).toMatchObject({ created: false, changed: true, item: { id: 'id1', version: 2, text: 'hello there' } });
    expect((await f.getByKey(alice, 'a', 'k'))!.text).toBe('hello there');
    expect((await code(f.put(alice, 'a', { text: 5 as unknown as string }))).code).toBe('EINVAL');
  });

  it('fabric - update is compare-and-set on version (ECONFLICT {expected, actual}) and re-embeds changed text', async () => {
    const { item } = await f.put(alice, 'a', { text: 'cats purr' });
    const u = await f.update(alice, 'a', item.id, { text: 'dogs bark' }, { expectedVersion: 1 });
    expect(u.version).toBe(2);
    expect(u.embedding).not.toEqual(item.embedding);
    const c = await code(f.update(alice, 'a', item.id, { tags: ['x'] }, { expectedVersion: 1 }));
    expect(c).toEqual({ code: 'ECONFLICT', detail: { expected: 1, actual: 2 } });
    expect((await code(f.update(alice, 'a', 'nope', { tags: ['x'] }))).code).toBe('ENOENT');
    expect((await code(f.delete(alice, 'a', item.id, { expectedVersion: 1 }))).code).toBe('ECONFLICT');
    expect(await f.delete(alice, 'a', item.id, { expectedVersion: 2 })).toBe(true);
    expect(await f.get(alice, 'a', item.id)).toBeUndefined();
  });

  it('fabric - expired items are never returned (get, list, search), and sweep deletes them', async () => {
    await f.put(alice, 'a', { key: 'tmp', text: 'temporary note about rockets', ttlMs: 100 });
    await f.put(alice, 'a', { key: 'keep', text: 'permanent note about rockets' });
    expect((await f.search(alice, { ns: ['a'], query: 'rockets' })).length).toBe(2);
    t = 1100;
    expect(await f.getByKey(alice, 'a', 'tmp')).toBeUndefined();
    expect((await f.list(alice, 'a')).map((i) => i.key)).toEqual(['keep']);
    for (const mode of ['hybrid', 'text', 'vector'] as const) {
      expect((await f.search(alice, { ns: ['a'], query: 'rockets', mode })).map((h) => h.item.key)).toEqual(['keep']);
    }
    expect((await code(f.update(alice, 'a', 'id1', { tags: ['x'] }))).code).toBe('ENOENT');
    expect(await f.sweep()).toBe(1);
    expect((await f.stats(alice, 'a')).items).toBe(1);
    expect((await code(f.put(alice, 'a', { text: 'x', ttlMs: -5 }))).code).toBe('EINVAL');
    expect((await code(f.put(alice, 'a', { text: 'x', ttlMs: 5, expiresAt: 9 }))).code).toBe('EINVAL');
  });

  it('fabric - quotas on items and bytes give EQUOTA {resource, limit, used}', async () => {
    await f.createNamespace(alice, { id: 'q', quota: { maxItems: 2 } });
    await f.put(alice, 'q', { key: 'one', text: 'one' });
    await f.put(alice, 'q', { text: 'two' });
    await f.put(alice, 'q', { key: 'one', text: 'one again' }); // replacing by key does not add an item
    expect(await code(f.put(alice, 'q', { text: 'three' }))).toEqual({ code: 'EQUOTA', detail: { resource: 'items', limit: 2, used: 2 } });
    expect((await code(f.putMany(alice, 'q', [{ key: 'one', text: 'z' }, { text: 'new' }]))).code).toBe('EQUOTA');
    expect((await f.getByKey(alice, 'q', 'one'))!.text).toBe('one again'); // batch rejected as a whole
    await f.createNamespace(alice, { id: 'b', quota: { maxBytes: 400 } });
    await f.put(alice, 'b', { text: 'x'.repeat(100) }); // 100 + 32*4 + ~10
    const over = await code(f.put(alice, 'b', { text: 'y'.repeat(200) }));
    expect(over.code).toBe('EQUOTA');
    expect(over.detail).toMatchObject({ resource: 'bytes', limit: 400 });
    expect((over.detail as { used: number }).used).toBe((await f.stats(alice, 'b')).bytes);
    expect((await code(f.configureNamespace(alice, 'b', { quota: { maxBytes: -1 } }))).code).toBe('EINVAL');
  });

  it('fabric - hybrid search fuses BM25 and vector lists by RRF, with tag/metadata filters, over several namespaces', async () => {
    const g = createFabric({ storage: createMemoryStorage(), embedder: testEmbedder('syn', 64, { automobile: 'car', vehicle: 'car' }), clock });
    await g.createNamespace(alice, { id: 'x' });
    await g.createNamespace(alice, { id: 'y' });
    await g.put(alice, 'x', { text: 'my car needs new tires', tags: ['auto'], data: { owner: 'me' } });
    await g.put(alice, 'x', { text: 'the garden needs water', tags: ['home'] });
    await g.put(alice, 'y', { text: 'buying a used automobile', tags: ['auto'], data: { owner: 'you' } });
    const text = await g.search(alice, { ns: ['x', 'y'], query: 'vehicle tires', mode: 'text' });
    expect(text.map((h) => h.item.text)).toEqual(['my car needs new tires']); // the paraphrase shares no word
    const hybrid = await g.search(alice, { ns: ['x', 'y'], query: 'vehicle tires', k: 2 });
    expect(hybrid.map((h) => h.item.text)).toEqual(['my car needs new tires', 'buying a used automobile']);
    expect(hybrid[0]).toMatchObject({ textRank: 1, vectorRank: 1 });
    expect(hybrid[0]!.score).toBeCloseTo(2 / 61, 10);
    expect(hybrid[1]!.textRank).toBeUndefined();
    expect((await g.search(alice, { ns: ['x', 'y'], query: 'car', filter: { tags: ['home'] } })).map((h) => h.item.text)).toEqual(['the garden needs water']);
    expect((await g.search(alice, { ns: ['x', 'y'], query: 'car', filter: { where: { owner: 'you' } } })).map((h) => h.ns)).toEqual(['y']);
    expect((await code(g.search(alice, { ns: [], query: 'car' }))).code).toBe('EINVAL');
    expect((await code(g.search(alice, { ns: ['x'], query: 'car', k: 0 }))).code).toBe('EINVAL');
    expect((await code(g.search(alice, { ns: ['x'], query: 'car', mode: 'magic' as never }))).code).toBe('EINVAL');
  });

  it('fabric - rrf adds 1/(60+rank) per list and orders ties by best rank', () => {
    const fused = reciprocalRankFusion([[{ ns: 'n', id: 'a' }, { ns: 'n', id: 'b' }], [{ ns: 'n', id: 'b' }, { ns: 'n', id: 'c' }]]);
    expect(fused.map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[0]!.ranks).toEqual([2, 1]);
  });

  it('fabric - subscribe delivers the backlog since a seq, then live changes in order, until closed', async () => {
    await f.put(alice, 'a', { key: 'k1', text: 'one' });
    const seen: ChangeRecord[] = [];
    const sub = await f.subscribe(alice, 'a', (c) => seen.push(c), { since: 0 });
    expect(seen.map((c) => [c.seq, c.op])).toEqual([[1, 'put']]);
    await f.put(alice, 'a', { key: 'k1', text: 'two' });
    await f.delete(alice, 'a', 'id1');
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.map((c) => [c.seq, c.op])).toEqual([[1, 'put'], [2, 'update'], [3, 'delete']]);
    sub.close();
    await f.put(alice, 'a', { text: 'after close' });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.length).toBe(3);
    expect((await code(f.subscribe(bob, 'a', () => {}))).code).toBe('EPERM');
  });

  it('fabric - export JSONL then import into another namespace round-trips keyed items idempotently', async () => {
    await f.put(alice, 'a', { key: 'k1', text: 'first', data: { n: 1 }, tags: ['t'] });
    await f.put(alice, 'a', { text: 'second', expiresAt: 5000 });
    await f.put(alice, 'a', { text: 'gone soon', ttlMs: 10 });
    t = 2000; // the third item has expired: not exported
    const lines: string[] = [];
    for await (const l of f.exportJsonl(alice, 'a', { withEmbeddings: true })) lines.push(l);
    expect(lines.length).toBe(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'aios-memory-export', version: 1, ns: 'a', embedder: 'hash', dim: 32 });
    expect(typeof JSON.parse(lines[1]!).embedding).toBe('string');
    await f.createNamespace(alice, { id: 'copy' });
    const res = await f.importJsonl(alice, 'copy', [...lines, '{bad json', '{"text": 3}'].join('\n'));
    expect(res).toMatchObject({ imported: 2, updated: 0, unchanged: 0 });
    expect(res.skipped.map((s) => [s.line, s.code])).toEqual([[4, 'EINVAL'], [5, 'EINVAL']]);
    const k1 = await f.getByKey(alice, 'copy', 'k1');
    expect(k1).toMatchObject({ text: 'first', data: { n: 1 }, tags: ['t'], provenance: { imported: { id: 'id1', author: 'alice' } } });
    const again = await f.importJsonl(alice, 'copy', lines);
    expect(again).toMatchObject({ imported: 1, unchanged: 1 }); // the keyed item is idempotent; the unkeyed one is new again
  });

  it('fabric - reembed swaps to a new embedder in the background with progress, including writes made meanwhile', async () => {
    for (let i = 0; i < 300; i++) await f.put(alice, 'a', { text: `note number ${i} about topic ${i % 7}` });
    const next = testEmbedder('hash-v2', 16);
    const progress: number[] = [];
    const job = f.reembed(alice, 'a', next, (p) => progress.push(p.done));
    const during = await f.put(alice, 'a', { text: 'written during the re-embed' });
    const { count } = await job;
    expect(count).toBe(301);
    expect(progress.at(-1)).toBe(301);
    expect(progress.length).toBeGreaterThan(1);
    expect(await f.getNamespace(alice, 'a')).toMatchObject({ embedder: 'hash-v2', dim: 16 });
    expect((await f.get(alice, 'a', during.item.id))!.embedding!.length).toBe(16);
    const hits = await f.search(alice, { ns: ['a'], query: 'written during the re-embed', mode: 'vector', k: 1 });
    expect(hits[0]!.id).toBe(during.item.id);
    expect((await f.put(alice, 'a', { text: 'after' })).item.embedding!.length).toBe(16);
    expect((await code(f.reembed(bob, 'a', next))).code).toBe('EPERM');
  });
});
