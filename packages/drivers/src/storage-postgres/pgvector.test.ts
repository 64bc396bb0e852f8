// The pgvector path without the extension: SQL texts are built from checked dims and quoted identifiers,
// detection picks pgvector or the in-process fallback for each catalog state (a scripted client), and the
// local server (which has no pgvector) makes a real driver fall back and say why.
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStorage } from './driver.ts';
import { detectPgvector, PgvectorSql, vectorText, type Queryable } from './pgvector.ts';
import { TEST_PG_URL, throwawaySchemas } from './testing.ts';

const schemas = throwawaySchemas();
afterAll(() => schemas.cleanup());

/** A client answering by the first matching pattern; records every statement. */
function scripted(answers: Array<[RegExp, Array<Record<string, unknown>> | Error]>): Queryable & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    async query<R>(text: string) {
      log.push(text);
      for (const [re, a] of answers) {
        if (!re.test(text)) continue;
        if (a instanceof Error) throw a;
        return { rows: a as R[] };
      }
      return { rows: [] };
    },
  };
}

describe('storage-postgres pgvector', () => {
  it('pgvector - SQL: per-dim partial HNSW index, cosine <=> ordering, exact fallback, quoted extension schema', () => {
    const sql = new PgvectorSql('ext"s', { m: 12, efConstruction: 80 });
    expect(sql.addColumns()).toBe('ALTER TABLE item ADD COLUMN IF NOT EXISTS vec "ext""s".vector, ADD COLUMN IF NOT EXISTS vdim integer');
    expect(sql.createIndex(384)).toBe(
      'CREATE INDEX IF NOT EXISTS item_vec_hnsw_384 ON item USING hnsw ((vec::"ext""s".vector(384)) "ext""s".vector_cosine_ops) WITH (m = 12, ef_construction = 80) WHERE vdim = 384',
    );
    expect(sql.createIndex(3000)).toBeNull(); // past pgvector's index limit: exact scans
    expect(() => sql.createIndex(0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => sql.createIndex(1.5)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const ann = sql.search(3, ' AND i.author = $3', 4);
    expect(ann).toContain('1 - (i.vec::"ext""s".vector(3) OPERATOR("ext""s".<=>) $1::"ext""s".vector(3)) AS score');
    expect(ann).toContain('WHERE i.vdim = 3 AND i.ns = ANY($2::text[]) AND i.author = $3');
    // The index serves ORDER BY <distance> LIMIT k: the ANN form orders by exactly the indexed expression.
    expect(ann).toMatch(/ORDER BY \(i\.vec::"ext""s"\.vector\(3\) OPERATOR\("ext""s"\.<=>\) \$1::"ext""s"\.vector\(3\)\) LIMIT \$4$/);
    expect(sql.search(3, '', 3, true)).toMatch(/ORDER BY \(.*\) \+ 0 LIMIT \$3$/);
    expect(sql.setVectors()).toContain('unnest($1::bigint[], $2::text[], $3::integer[])');
    expect(vectorText(new Float32Array([0.5, -2, 0]))).toBe('[0.5,-2,0]');
  });

  it('pgvector - detection: installed, creatable, not permitted, absent, required, and a schema that already uses it', async () => {
    const ext = [/FROM pg_extension/, [{ extversion: '0.8.0', extschema: 'public' }]] as [RegExp, Array<Record<string, unknown>>];
    expect(await detectPgvector(scripted([ext]), 's')).toMatchObject({ mode: 'pgvector', extversion: '0.8.0', extschema: 'public' });

    // Available, not installed: CREATE EXTENSION inside a savepoint, then found.
    let created = false;
    const creatable: Queryable & { log: string[] } = {
      log: [],
      async query<R>(text: string) {
        this.log.push(text);
        if (/CREATE EXTENSION/.test(text)) created = true;
        if (/FROM pg_extension/.test(text)) return { rows: (created ? [{ extversion: '0.7.4', extschema: 'public' }] : []) as R[] };
        if (/pg_available_extensions/.test(text)) return { rows: [{ default_version: '0.7.4' }] as R[] };
        return { rows: [] };
      },
    };
    expect(await detectPgvector(creatable, 's')).toMatchObject({ mode: 'pgvector', extversion: '0.7.4' });
    expect(creatable.log.filter((t) => /SAVEPOINT|CREATE EXTENSION/.test(t))).toEqual(['SAVEPOINT aios_pgvector', 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public', 'RELEASE SAVEPOINT aios_pgvector']);

    // Available but this role may not create it: the savepoint is rolled back and the fallback says why.
    const denied = scripted([[/pg_available_extensions/, [{ default_version: '0.8.0' }]], [/CREATE EXTENSION/, new Error('permission denied to create extension "vector"')]]);
    const d = await detectPgvector(denied, 's');
    expect(d).toMatchObject({ mode: 'in-process' });
    expect(d.reason).toMatch(/not permitted: permission denied/);
    expect(denied.log).toContain('ROLLBACK TO SAVEPOINT aios_pgvector');

    const absent = scripted([]);
    expect(await detectPgvector(absent, 's')).toEqual({ mode: 'in-process', reason: 'the server has no vector extension (not in pg_available_extensions)' });
    await expect(detectPgvector(scripted([]), 's', 'pgvector')).rejects.toMatchObject({ code: 'EIO', detail: { arg: 'vectors' } });
    expect(await detectPgvector(scripted([ext]), 's', 'in-process')).toMatchObject({ mode: 'in-process', reason: 'configured (vectors: in-process)' });

    // A schema that already has the vec column stays on pgvector: in-process would leave other nodes' index stale.
    const used = [/information_schema\.columns/, [{ '?column?': 1 }]] as [RegExp, Array<Record<string, unknown>>];
    expect(await detectPgvector(scripted([used, ext]), 's')).toMatchObject({ mode: 'pgvector', reason: 'schema already uses pgvector' });
    await expect(detectPgvector(scripted([used, ext]), 's', 'in-process')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('pgvector - the driver reports its choice with a reason (here, without the extension: in-process) and searches either way', async () => {
    const infos: unknown[] = [];
    const s = createPostgresStorage({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 1, onVectorBackend: (i) => infos.push(i) });
    expect(s.vectorBackend()).toBeNull();
    await s.open!();
    try {
      const b = s.vectorBackend()!;
      const available = b.mode === 'pgvector';
      // Whatever this server has, the choice is reported once, with a reason, and in the driver's description.
      expect(infos).toEqual([b]);
      expect(b.reason.length).toBeGreaterThan(0);
      expect(s.info.description).toContain(available ? 'vectors: pgvector' : 'vectors: in-process');
      await s.createNamespace({ id: 'v', owner: 'a1', embedder: 'test', dim: 2, created: 1, meta: {} });
      await s.putItem({ id: 'x', ns: 'v', text: 'x', author: 'a1', now: 1, embedding: new Float32Array([1, 0]) });
      await s.putItem({ id: 'y', ns: 'v', text: 'y', author: 'a1', now: 1, embedding: new Float32Array([0, 1]) });
      expect((await s.vectorSearch(['v'], new Float32Array([0.9, 0.1]), 1)).map((h) => h.id)).toEqual(['x']);
    } finally {
      await s.close();
    }
    const forced = createPostgresStorage({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 1, vectors: 'pgvector' });
    if (infos.length === 1 && (infos[0] as { mode: string }).mode === 'in-process') await expect(forced.open!()).rejects.toMatchObject({ code: 'EIO' });
    await forced.close();
    expect(() => createPostgresStorage({ url: TEST_PG_URL, vectors: 'faiss' as never })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
