// The shared conformance suite every StorageDriver must pass (tests/storage runs it against each driver).
// It checks the contract in @aios/abi storage.ts only: no driver internals, no timing.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { limits, type ItemInput, type StorageDriver } from '@aios/abi';

export type StorageFactory = () => StorageDriver | Promise<StorageDriver>;

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : new TextDecoder().decode(u));
const v = (...xs: number[]): Float32Array => new Float32Array(xs);

/** Rejects with an AiosError of this code (and optionally this detail subset). */
async function expectCode(p: Promise<unknown>, code: string, detail?: Record<string, unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toMatchObject({ name: 'AiosError', code });
  if (detail) expect((err as { detail: unknown }).detail).toMatchObject(detail);
}

export function runStorageConformance(name: string, factory: StorageFactory): void {
  describe(`storage conformance - ${name}`, () => {
    let s: StorageDriver;
    const item = (id: string, over: Partial<ItemInput> = {}): ItemInput => ({ id, ns: 'n1', text: `text ${id}`, author: 'a1', now: 1000, ...over });
    beforeEach(async () => {
      s = await factory();
      await s.open?.();
      await s.createNamespace({ id: 'n1', owner: 'a1', embedder: 'test', dim: 3, created: 1, meta: {} });
    });
    afterEach(async () => {
      await s.close();
    });

    describe('kv', () => {
      it('kv - put/get/overwrite/delete round-trip bytes', async () => {
        expect(await s.get('k')).toBeUndefined();
        await s.put('k', b('one'));
        expect(str(await s.get('k'))).toBe('one');
        await s.put('k', b('two'));
        expect(str(await s.get('k'))).toBe('two');
        expect(await s.delete('k')).toBe(true);
        expect(await s.delete('k')).toBe(false);
        expect(await s.get('k')).toBeUndefined();
      });
      it('kv - stored values are copies of the caller buffer', async () => {
        const buf = b('abc');
        await s.put('k', buf);
        buf[0] = 0;
        expect(str(await s.get('k'))).toBe('abc');
      });
      it('kv - scan returns only the prefix, ascending, with after/limit paging', async () => {
        for (const k of ['agent/2', 'agent/1', 'agent/10', 'agentx', 'cap/1']) await s.put(k, b(k));
        const keys = (await s.scan('agent/')).map((e) => e.key);
        expect(keys).toEqual(['agent/1', 'agent/10', 'agent/2']);
        expect((await s.scan('agent/', { limit: 2 })).map((e) => e.key)).toEqual(['agent/1', 'agent/10']);
        expect((await s.scan('agent/', { after: 'agent/10' })).map((e) => e.key)).toEqual(['agent/2']);
        expect((await s.scan('')).length).toBe(5);
        expect(str((await s.scan('cap/'))[0]!.value)).toBe('cap/1');
      });
      it('kv - bad keys and values get EINVAL', async () => {
        await expectCode(s.put('', b('x')), 'EINVAL');
        await expectCode(s.put('k', 'text' as unknown as Uint8Array), 'EINVAL');
        await expectCode(s.get(42 as unknown as string), 'EINVAL');
      });
      it('kv - batch applies all ops and reports results', async () => {
        await s.put('old', b('x'));
        const r = await s.batch([
          { op: 'put', key: 'a', value: b('1') },
          { op: 'delete', key: 'old' },
          { op: 'append', queue: 'mbox/a', value: b('m') },
          { op: 'ack', queue: 'mbox/a', seq: 1 },
        ]);
        expect(r).toEqual([null, true, 1, true]);
        expect(str(await s.get('a'))).toBe('1');
        expect(await s.get('old')).toBeUndefined();
        expect(await s.pending('mbox/a')).toEqual([]);
      });
      it('kv - a batch with one invalid op applies nothing (EINVAL)', async () => {
        await expectCode(
          s.batch([{ op: 'put', key: 'a', value: b('1') }, { op: 'put', key: '', value: b('2') }]),
          'EINVAL',
        );
        await expectCode(s.batch([{ op: 'nope' } as never]), 'EINVAL');
        expect(await s.get('a')).toBeUndefined();
      });
    });

    describe('queue', () => {
      it('queue - append gives increasing seqs; pending is FIFO; ack removes', async () => {
        expect(await s.append('mbox/a', b('m1'))).toBe(1);
        expect(await s.append('mbox/a', b('m2'))).toBe(2);
        expect(await s.append('mbox/b', b('x'))).toBe(1);
        const p = await s.pending('mbox/a');
        expect(p.map((e) => [e.seq, str(e.value), e.queue])).toEqual([[1, 'm1', 'mbox/a'], [2, 'm2', 'mbox/a']]);
        expect(await s.ack('mbox/a', 1)).toBe(true);
        expect(await s.ack('mbox/a', 1)).toBe(false);
        expect((await s.pending('mbox/a')).map((e) => e.seq)).toEqual([2]);
      });
      it('queue - seqs are never reused after ack', async () => {
        await s.append('q', b('1'));
        await s.ack('q', 1);
        expect(await s.append('q', b('2'))).toBe(2);
      });
      it('queue - pending honours after/limit; queues lists names with pending counts', async () => {
        for (let i = 0; i < 5; i++) await s.append('mbox/a', b(String(i)));
        await s.append('mbox/b', b('x'));
        await s.append('other', b('y'));
        await s.append('mbox/c', b('z'));
        await s.ack('mbox/c', 1);
        expect((await s.pending('mbox/a', { after: 2, limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
        expect(await s.queues('mbox/')).toEqual([
          { queue: 'mbox/a', pending: 5, lastSeq: 5 },
          { queue: 'mbox/b', pending: 1, lastSeq: 1 },
        ]);
      });
      it('queue - bad queue names and seqs get EINVAL', async () => {
        await expectCode(s.append('', b('x')), 'EINVAL');
        await expectCode(s.ack('q', -1), 'EINVAL');
        await expectCode(s.ack('q', 1.5), 'EINVAL');
      });
    });

    describe('namespaces', () => {
      it('namespaces - create, get, list by owner; duplicates EEXIST; bad ids EINVAL', async () => {
        await s.createNamespace({ id: 'n2', owner: 'a2', embedder: 'test', dim: 3, created: 2, meta: { shared: true } });
        expect(await s.getNamespace('n2')).toEqual({ id: 'n2', owner: 'a2', embedder: 'test', dim: 3, created: 2, meta: { shared: true } });
        expect((await s.listNamespaces('a2')).map((n) => n.id)).toEqual(['n2']);
        expect((await s.listNamespaces()).map((n) => n.id)).toEqual(['n1', 'n2']);
        await expectCode(s.createNamespace({ id: 'n2', owner: 'a2', embedder: 't', dim: 3, created: 2, meta: {} }), 'EEXIST');
        await expectCode(s.createNamespace({ id: 'bad id!', owner: 'a2', embedder: 't', dim: 3, created: 2, meta: {} }), 'EINVAL');
        await expectCode(s.createNamespace({ id: 'n3', owner: 'a2', embedder: 't', dim: 0, created: 2, meta: {} }), 'EINVAL');
        await s.updateNamespaceMeta('n2', { shared: false });
        expect((await s.getNamespace('n2'))!.meta).toEqual({ shared: false });
        await expectCode(s.updateNamespaceMeta('nope', {}), 'ENOENT');
      });
      it('namespaces - delete removes the items with it', async () => {
        await s.putItem(item('i1'));
        expect(await s.deleteNamespace('n1')).toBe(true);
        expect(await s.deleteNamespace('n1')).toBe(false);
        expect(await s.getItem('n1', 'i1')).toBeUndefined();
        await expectCode(s.putItem(item('i2')), 'ENOENT');
      });
    });

    describe('items', () => {
      it('items - put creates version 1 with every field round-tripped', async () => {
        const r = await s.putItem(item('i1', { key: 'k1', data: { a: 1, b: [true, null] }, tags: ['x', 'y'], embedding: v(1, 0, 0), provenance: { src: 'chat' }, expiresAt: 5000 }));
        expect(r.created).toBe(true);
        expect(r.changed).toBe(true);
        const got = await s.getItem('n1', 'i1');
        expect(got).toEqual({
          id: 'i1', ns: 'n1', key: 'k1', text: 'text i1', data: { a: 1, b: [true, null] }, tags: ['x', 'y'], embedding: v(1, 0, 0),
          author: 'a1', provenance: { src: 'chat' }, created: 1000, updated: 1000, expiresAt: 5000, version: 1, seq: 1,
        });
        expect(await s.getByKey('n1', 'k1')).toEqual(got);
        expect(await s.getItem('n1', 'nope')).toBeUndefined();
      });
      it('items - getItems reads a batch in the order asked, undefined where there is none', async () => {
        await s.putItems([item('i1'), item('i2', { key: 'k2' }), item('i3')]);
        const got = await s.getItems('n1', ['i3', 'nope', 'i1', 'i2']);
        expect(got.map((x) => x?.id)).toEqual(['i3', undefined, 'i1', 'i2']);
        expect(got[3]).toEqual(await s.getItem('n1', 'i2'));
        expect(await s.getItems('n1', [])).toEqual([]);
        expect(await s.getItems('n2', ['i1'])).toEqual([undefined]);
        await expectCode(s.getItems('n1', 'i1' as never), 'EINVAL');
        await expectCode(s.getItems('n1', Array.from({ length: limits.STORAGE_GET_ITEMS_MAX + 1 }, (_, i) => `x${i}`)), 'EINVAL');
      });
      it('items - put with an existing key: identical content is a no-op, new content bumps the version and keeps id', async () => {
        const first = await s.putItem(item('i1', { key: 'k' }));
        const same = await s.putItem(item('other', { key: 'k', text: 'text i1', now: 2000 }));
        expect(same).toMatchObject({ created: false, changed: false, item: { id: 'i1', version: 1, updated: 1000 } });
        const changed = await s.putItem(item('other', { key: 'k', text: 'new text', now: 3000, author: 'a2' }));
        expect(changed).toMatchObject({ created: false, changed: true, item: { id: 'i1', version: 2, text: 'new text', created: 1000, updated: 3000, author: 'a2' } });
        expect(first.item.id).toBe('i1');
        expect((await s.stats('n1')).items).toBe(1);
      });
      it('items - put with an existing id and no matching key gets EEXIST', async () => {
        await s.putItem(item('i1'));
        await expectCode(s.putItem(item('i1', { text: 'x' })), 'EEXIST');
      });
      it('items - bad input gets EINVAL; a missing namespace ENOENT', async () => {
        await expectCode(s.putItem(item('i1', { embedding: v(1, 0) })), 'EINVAL', { expected: 3, actual: 2 });
        await expectCode(s.putItem(item('i1', { embedding: [1, 0, 0] as unknown as Float32Array })), 'EINVAL');
        await expectCode(s.putItem(item('i1', { embedding: v(NaN, 0, 0) })), 'EINVAL');
        await expectCode(s.putItem(item('i1', { text: 3 as unknown as string })), 'EINVAL');
        await expectCode(s.putItem(item('i1', { tags: ['ok', ''] })), 'EINVAL');
        await expectCode(s.putItem(item('i1', { author: '' })), 'EINVAL');
        await expectCode(s.putItem(item('i1', { data: { n: 1n } as never })), 'EINVAL');
        await expectCode(s.putItem(item('i1', { ns: 'missing' })), 'ENOENT');
      });
      it('items - putItems is all or nothing', async () => {
        await expectCode(s.putItems([item('a'), item('b'), item('c', { embedding: v(1) })]), 'EINVAL');
        await expectCode(s.putItems([item('a'), item('a', { text: 'dup' })]), 'EEXIST');
        expect((await s.stats('n1')).items).toBe(0);
        const rs = await s.putItems([item('a', { key: 'k' }), item('b', { key: 'k', text: 'second' })]);
        expect(rs.map((r) => [r.item.id, r.item.version])).toEqual([['a', 1], ['a', 2]]);
      });
      it('items - update with compare-and-set; a stale version gets ECONFLICT {expected, actual}', async () => {
        await s.putItem(item('i1', { tags: ['t'], expiresAt: 9000 }));
        const u = await s.updateItem('n1', 'i1', { text: 'changed', data: { x: 1 }, expiresAt: null }, { author: 'a2', now: 2000, expectedVersion: 1 });
        expect(u).toMatchObject({ id: 'i1', text: 'changed', data: { x: 1 }, tags: ['t'], version: 2, author: 'a2', updated: 2000, created: 1000 });
        expect(u.expiresAt).toBeUndefined();
        await expectCode(s.updateItem('n1', 'i1', { text: 'again' }, { author: 'a1', now: 3000, expectedVersion: 1 }), 'ECONFLICT', { expected: 1, actual: 2 });
        await expectCode(s.updateItem('n1', 'nope', { text: 'x' }, { author: 'a1', now: 3000 }), 'ENOENT');
        await expectCode(s.updateItem('n1', 'i1', { embedding: v(1, 2) }, { author: 'a1', now: 3000 }), 'EINVAL');
        expect((await s.getItem('n1', 'i1'))!.text).toBe('changed');
      });
      it('items - delete honours compare-and-set and reports absence', async () => {
        await s.putItem(item('i1'));
        await expectCode(s.deleteItem('n1', 'i1', { now: 2, expectedVersion: 7 }), 'ECONFLICT', { expected: 7, actual: 1 });
        expect(await s.deleteItem('n1', 'i1', { now: 2, expectedVersion: 1 })).toBe(true);
        expect(await s.deleteItem('n1', 'i1', { now: 2 })).toBe(false);
      });
      it('items - list in creation order with cursor and filter', async () => {
        for (const id of ['c', 'a', 'b', 'd']) await s.putItem(item(id, { tags: id === 'b' ? ['skip'] : [] }));
        expect((await s.listItems('n1')).map((i) => i.id)).toEqual(['c', 'a', 'b', 'd']);
        expect((await s.listItems('n1', { after: 'a', limit: 1 })).map((i) => i.id)).toEqual(['b']);
        expect((await s.listItems('n1', { filter: { anyTags: ['skip'] } })).map((i) => i.id)).toEqual(['b']);
        await expectCode(s.listItems('n1', { after: 'zz' }), 'EINVAL');
      });
      it('items - stats count items and bytes, back to zero after deleting', async () => {
        expect(await s.stats('n1')).toEqual({ items: 0, bytes: 0, seq: 0 });
        await s.putItem(item('i1', { text: 'abcd', embedding: v(1, 0, 0) }));
        const st = await s.stats('n1');
        expect(st.items).toBe(1);
        expect(st.bytes).toBeGreaterThanOrEqual(4 + 12);
        await s.deleteItem('n1', 'i1', { now: 1 });
        expect(await s.stats('n1')).toMatchObject({ items: 0, bytes: 0 });
        await expectCode(s.stats('nope'), 'ENOENT');
      });
    });

    describe('change feed and expiry', () => {
      it('changes - every write gets the next seq; changesSince pages', async () => {
        await s.putItem(item('i1', { key: 'k' }));
        await s.putItem(item('i1', { key: 'k', text: 'v2', now: 2 }));
        await s.putItem(item('i1', { key: 'k', text: 'v2', now: 3 })); // no-op: no change recorded
        await s.updateItem('n1', 'i1', { tags: ['t'] }, { author: 'a1', now: 4 });
        await s.deleteItem('n1', 'i1', { now: 5 });
        const all = await s.changesSince('n1', 0);
        expect(all.map((c) => [c.seq, c.op, c.id, c.version, c.key])).toEqual([
          [1, 'put', 'i1', 1, 'k'], [2, 'update', 'i1', 2, 'k'], [3, 'update', 'i1', 3, 'k'], [4, 'delete', 'i1', 3, 'k'],
        ]);
        expect((await s.changesSince('n1', 2, 1)).map((c) => c.seq)).toEqual([3]);
        expect((await s.stats('n1')).seq).toBe(4);
      });
      it('expiry - sweep deletes due items and records expire; filter.now hides them before the sweep', async () => {
        expect(await s.nextExpiry()).toBeNull();
        await s.putItem(item('old', { expiresAt: 50, text: 'apple', embedding: v(1, 0, 0) }));
        await s.putItem(item('new', { expiresAt: 500, text: 'apple pie', embedding: v(1, 0, 0) }));
        await s.putItem(item('ever', { text: 'apple tart', embedding: v(1, 0, 0) }));
        expect((await s.textSearch(['n1'], 'apple', 10, { now: 100 })).map((h) => h.id).sort()).toEqual(['ever', 'new']);
        expect((await s.vectorSearch(['n1'], v(1, 0, 0), 10, { now: 100 })).map((h) => h.id).sort()).toEqual(['ever', 'new']);
        expect(await s.sweepExpired(100)).toBe(1);
        expect(await s.getItem('n1', 'old')).toBeUndefined();
        expect(await s.nextExpiry()).toBe(500);
        expect((await s.changesSince('n1', 3)).map((c) => [c.op, c.id])).toEqual([['expire', 'old']]);
        expect(await s.sweepExpired(100)).toBe(0);
      });
    });

    describe('search', () => {
      it('search - text search ranks by BM25 and searches several namespaces', async () => {
        await s.createNamespace({ id: 'n2', owner: 'a2', embedder: 'test', dim: 3, created: 1, meta: {} });
        await s.putItem(item('d1', { text: 'the cat sat on the mat' }));
        await s.putItem(item('d2', { text: 'cat cat cat food for a hungry cat' }));
        await s.putItem(item('d3', { text: 'dogs bark at night' }));
        await s.putItem(item('e1', { ns: 'n2', text: 'a cat in another namespace' }));
        const hits = await s.textSearch(['n1'], 'cat', 10);
        expect(hits.map((h) => h.id)).toEqual(['d2', 'd1']);
        expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
        expect(hits[1]!.score).toBeGreaterThan(0);
        const both = await s.textSearch(['n1', 'n2'], 'cat', 10);
        expect(both.map((h) => `${h.ns}/${h.id}`).sort()).toEqual(['n1/d1', 'n1/d2', 'n2/e1']);
        expect(await s.textSearch(['n1'], '  ?! ', 10)).toEqual([]);
        // Stopwords are dropped from queries unless nothing else is left.
        expect((await s.textSearch(['n1'], 'the dogs', 10)).map((h) => h.id)).toEqual(['d3']);
        expect((await s.textSearch(['n1'], 'the', 10)).map((h) => h.id)).toEqual(['d1']);
        expect(await s.textSearch(['n1'], 'unicorn', 10)).toEqual([]);
      });
      it('search - text search with tag, metadata and author filters', async () => {
        await s.putItem(item('d1', { text: 'red apple', tags: ['fruit'], data: { color: 'red' } }));
        await s.putItem(item('d2', { text: 'red car', tags: ['vehicle'], data: { color: 'red' }, author: 'a2' }));
        await s.putItem(item('d3', { text: 'green apple', tags: ['fruit'], data: { color: 'green' } }));
        expect((await s.textSearch(['n1'], 'red apple', 10, { tags: ['fruit'] })).map((h) => h.id).sort()).toEqual(['d1', 'd3']);
        expect((await s.textSearch(['n1'], 'red apple', 10, { where: { color: 'red' } })).map((h) => h.id).sort()).toEqual(['d1', 'd2']);
        expect((await s.textSearch(['n1'], 'red', 10, { author: 'a2' })).map((h) => h.id)).toEqual(['d2']);
      });
      it('search - vector search returns nearest by cosine, honours k and filters', async () => {
        await s.putItem(item('x', { embedding: v(1, 0, 0), tags: ['a'] }));
        await s.putItem(item('xy', { embedding: v(1, 1, 0), tags: ['b'] }));
        await s.putItem(item('y', { embedding: v(0, 2, 0), tags: ['a'] }));
        await s.putItem(item('none'));
        const hits = await s.vectorSearch(['n1'], v(1, 0.1, 0), 2);
        expect(hits.map((h) => h.id)).toEqual(['x', 'xy']);
        expect(hits[0]!.score).toBeCloseTo(0.995, 2);
        expect((await s.vectorSearch(['n1'], v(1, 0.1, 0), 5, { tags: ['a'] })).map((h) => h.id)).toEqual(['x', 'y']);
        await expectCode(s.vectorSearch(['n1'], v(1, 0), 2), 'EINVAL');
        await expectCode(s.vectorSearch([], v(1, 0, 0), 2), 'EINVAL');
        await expectCode(s.vectorSearch(['n1'], v(1, 0, 0), 0), 'EINVAL');
        await expectCode(s.vectorSearch(['nope'], v(1, 0, 0), 2), 'ENOENT');
      });
      it('search - vector search reflects updates and deletes', async () => {
        await s.putItem(item('a', { embedding: v(1, 0, 0) }));
        await s.putItem(item('b', { embedding: v(0, 1, 0) }));
        expect((await s.vectorSearch(['n1'], v(1, 0, 0), 1))[0]!.id).toBe('a');
        await s.updateItem('n1', 'b', { embedding: v(1, 0.01, 0) }, { author: 'a1', now: 2 });
        await s.deleteItem('n1', 'a', { now: 3 });
        expect((await s.vectorSearch(['n1'], v(1, 0, 0), 5)).map((h) => h.id)).toEqual(['b']);
      });
      it('search - setEmbeddings swaps embedder and dim in one step', async () => {
        await s.putItem(item('a', { embedding: v(1, 0, 0) }));
        await s.putItem(item('b', { embedding: v(0, 1, 0) }));
        const n = await s.setEmbeddings('n1', 'test2', 2, new Map([['a', v(0, 1)], ['gone', v(1, 0)]]));
        expect(n).toBe(1);
        expect(await s.getNamespace('n1')).toMatchObject({ embedder: 'test2', dim: 2 });
        expect((await s.getItem('n1', 'b'))!.embedding).toBeUndefined();
        expect((await s.vectorSearch(['n1'], v(0, 1), 5)).map((h) => h.id)).toEqual(['a']);
        await expectCode(s.setEmbeddings('n1', 'test3', 2, new Map([['a', v(1, 2, 3)]])), 'EINVAL');
      });
    });

    it('lifecycle - calls after close get EBADF', async () => {
      await s.close();
      await expectCode(s.get('k'), 'EBADF');
      await expectCode(s.putItem(item('x')), 'EBADF');
      s = await factory(); // afterEach closes this one
    });
  });
}
