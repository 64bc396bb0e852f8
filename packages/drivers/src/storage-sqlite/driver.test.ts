// SQLite driver specifics beyond the conformance suite: durability across reopen, schema migration,
// the persisted HNSW index (reuse and stale rebuild), ANN agreement with exact search, and a SIGKILL crash test.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { createSqliteStorage, LATEST_VERSION } from './index.ts';
import { migrate } from './migrations.ts';

const here = dirname(fileURLToPath(import.meta.url));
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aios-sqlite-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (u: Uint8Array | undefined): string => new TextDecoder().decode(u);

/** Deterministic pseudo-random unit vectors (mulberry32). */
function vectors(n: number, dim: number, seed: number): Float32Array[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => rnd() * 2 - 1));
}

describe('storage-sqlite', () => {
  it('sqlite - state survives close and reopen (kv, queue, items, change feed)', async () => {
    const path = join(dir, 'reopen.db');
    const s = createSqliteStorage({ path });
    await s.put('agent/1', enc('manifest'));
    await s.append('mbox/1', enc('hello'));
    await s.createNamespace({ id: 'ns', owner: 'a', embedder: 'e', dim: 2, created: 1, meta: {} });
    await s.putItem({ id: 'i', ns: 'ns', key: 'k', text: 'remember me', author: 'a', now: 5, embedding: new Float32Array([1, 0]) });
    await s.close();
    const r = createSqliteStorage({ path });
    expect(dec(await r.get('agent/1'))).toBe('manifest');
    expect((await r.pending('mbox/1')).map((e) => dec(e.value))).toEqual(['hello']);
    expect(await r.append('mbox/1', enc('again'))).toBe(2);
    expect((await r.getByKey('ns', 'k'))!.text).toBe('remember me');
    expect((await r.textSearch(['ns'], 'remember', 5))[0]!.id).toBe('i');
    expect((await r.changesSince('ns', 0)).length).toBe(1);
    await r.close();
  });

  it('sqlite - reopening a version-1 database migrates it and keeps its data', async () => {
    const path = join(dir, 'old.db');
    const raw = new Database(path);
    expect(migrate(raw, 1)).toBe(1); // what a version-1 driver left behind
    raw.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('k', enc('v1 data'));
    expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 1 });
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'item'").get()).toBeUndefined();
    raw.close();
    const s = createSqliteStorage({ path });
    expect(dec(await s.get('k'))).toBe('v1 data');
    await s.createNamespace({ id: 'ns', owner: 'a', embedder: 'e', dim: 2, created: 1, meta: {} });
    await s.putItem({ id: 'i', ns: 'ns', text: 'migrated fine', author: 'a', now: 1 });
    expect((await s.textSearch(['ns'], 'migrated', 5)).map((h) => h.id)).toEqual(['i']);
    await s.close();
    const raw2 = new Database(path);
    expect(raw2.prepare('SELECT version FROM schema_version').get()).toEqual({ version: LATEST_VERSION });
    raw2.close();
  });

  it('sqlite - a database newer than the driver is refused with EIO', async () => {
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (999);');
    raw.close();
    expect(() => createSqliteStorage({ path })).toThrow(expect.objectContaining({ code: 'EIO' }));
  });

  it('sqlite - HNSW index: agrees with exact search, is persisted beside the db, reused, and rebuilt when stale', async () => {
    const path = join(dir, 'ann.db');
    const dim = 16;
    const vs = vectors(400, dim, 7);
    const hnsw = { exactLimit: 100, efSearch: 200 };
    const s = createSqliteStorage({ path, hnsw });
    await s.createNamespace({ id: 'big', owner: 'a', embedder: 'e', dim, created: 1, meta: {} });
    await s.createNamespace({ id: 'small', owner: 'a', embedder: 'e', dim, created: 1, meta: {} });
    await s.putItems(vs.map((embedding, i) => ({ id: `i${i}`, ns: 'big', text: `t${i}`, author: 'a', now: i, embedding, tags: i % 2 ? ['odd'] : [] })));
    await s.putItems(vs.map((embedding, i) => ({ id: `i${i}`, ns: 'small', text: `t${i}`, author: 'a', now: i, embedding })));
    const mem = createSqliteStorage({ path: ':memory:', hnsw: { exactLimit: 1_000_000 } }); // exact reference
    await mem.createNamespace({ id: 'big', owner: 'a', embedder: 'e', dim, created: 1, meta: {} });
    await mem.putItems(vs.map((embedding, i) => ({ id: `i${i}`, ns: 'big', text: `t${i}`, author: 'a', now: i, embedding, tags: i % 2 ? ['odd'] : [] })));
    let agree = 0;
    const queries = vectors(20, dim, 99);
    for (const q of queries) {
      const ann = new Set((await s.vectorSearch(['big'], q, 10)).map((h) => h.id));
      const exact = (await mem.vectorSearch(['big'], q, 10)).map((h) => h.id);
      agree += exact.filter((id) => ann.has(id)).length;
      const odd = await s.vectorSearch(['big'], q, 5, { tags: ['odd'] });
      expect(odd.length).toBe(5);
      expect(odd.every((h) => Number(h.id.slice(1)) % 2 === 1)).toBe(true);
    }
    expect(agree / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
    await s.close();
    const file = `${path}.big.hnsw`;
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${path}.small.hnsw`)).toBe(false); // indexes are built lazily, at the first search
    const mtime = statSync(file).mtimeMs;

    // Reopen: the fresh file is loaded, not rebuilt (its mtime is unchanged after a clean close with no writes).
    const r = createSqliteStorage({ path, hnsw });
    const before = (await r.vectorSearch(['big'], queries[0]!, 10)).map((h) => h.id);
    await r.close();
    expect(statSync(file).mtimeMs).toBe(mtime);

    // Write while the index is not loaded: the file goes stale and is rebuilt (including the new vector) on next search.
    const w = createSqliteStorage({ path, hnsw });
    await w.putItem({ id: 'new', ns: 'big', text: 'new', author: 'a', now: 1, embedding: queries[0]! });
    await w.deleteItem('big', before[0]!, { now: 2 });
    await w.close();
    const r2 = createSqliteStorage({ path, hnsw });
    const after = (await r2.vectorSearch(['big'], queries[0]!, 10)).map((h) => h.id);
    expect(after[0]).toBe('new');
    expect(after).not.toContain(before[0]);
    // Writes to a loaded index are searchable at once (write buffer), before the background drain.
    await r2.putItem({ id: 'fresh', ns: 'big', text: 'fresh', author: 'a', now: 3, embedding: queries[1]! });
    expect((await r2.vectorSearch(['big'], queries[1]!, 3))[0]!.id).toBe('fresh');
    await r2.updateItem('big', 'fresh', { embedding: queries[2]! }, { author: 'a', now: 4 });
    expect((await r2.vectorSearch(['big'], queries[2]!, 3))[0]!.id).toBe('fresh');
    await new Promise((res) => setTimeout(res, 20)); // let the drain move it into the graph
    expect((await r2.vectorSearch(['big'], queries[2]!, 3))[0]!.id).toBe('fresh');
    await r2.deleteItem('big', 'fresh', { now: 5 });
    expect((await r2.vectorSearch(['big'], queries[2]!, 10)).map((h) => h.id)).not.toContain('fresh');
    await r2.close();
    await mem.close();
  });

  it('sqlite - crash: every record acknowledged before SIGKILL is present after reopen', async () => {
    const path = join(dir, 'crash.db');
    const setup = createSqliteStorage({ path });
    await setup.createNamespace({ id: 'crash', owner: 'w', embedder: 'e', dim: 3, created: 0, meta: {} });
    await setup.close();
    const child = spawn(process.execPath, ['--conditions=aios-source', '--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const acked = await new Promise<number>((resolve, reject) => {
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? undefined : reject(new Error(`child exited ${code}: ${err}`))));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n').filter(Boolean);
        if (lines.length >= 600) {
          child.kill('SIGKILL'); // mid-burst: the child is writing continuously
          resolve(Number(lines[lines.length - 1]));
        }
      });
    });
    await new Promise((r) => child.once('close', r));
    const seen = Number(out.split('\n').filter(Boolean).at(-1)); // everything read before the kill landed
    expect(seen).toBeGreaterThanOrEqual(acked);
    const s = createSqliteStorage({ path });
    const pendingSeqs = new Set((await s.pending('mbox/crash')).map((e) => dec(e.value)));
    for (let i = 0; i <= seen; i++) {
      if (i % 3 === 0) expect(pendingSeqs.has(`m${i}`), `message ${i}`).toBe(true);
      else if (i % 3 === 1) expect(dec(await s.get(`rec/${i}`)), `record ${i}`).toBe(String(i));
      else expect((await s.getItem('crash', `it${i}`))?.text, `item ${i}`).toBe(`item ${i}`);
    }
    expect(Number(dec(await s.get('last')))).toBeGreaterThanOrEqual(seen - 2);
    await s.close();
  });
});
