// Storage selection of a node (--storage / AIOS_STORAGE_URL): SQLite by default, Postgres for postgres://,
// EINVAL for anything else, before any I/O.
import { describe, it, expect, afterAll } from 'vitest';
import { chooseStorage } from './storage.ts';
import type { createPostgresStorage } from '@aios/drivers/storage-postgres';
import { TEST_PG_URL, throwawaySchemas } from '../../../../packages/drivers/src/storage-postgres/testing.ts';

const schemas = throwawaySchemas();
afterAll(() => schemas.cleanup());

describe('node storage', () => {
  it('storage - no URL selects SQLite in the data folder', () => {
    expect(chooseStorage(undefined, '/tmp/x').kind).toBe('sqlite');
    expect(chooseStorage('  ', '/tmp/x').kind).toBe('sqlite');
  });
  it('storage - an unknown scheme, a non-URL or a bad schema name gets EINVAL', () => {
    expect(() => chooseStorage('mysql://db/x', '/tmp/x')).toThrow(expect.objectContaining({ code: 'EINVAL', detail: { arg: 'storage', scheme: 'mysql' } }));
    expect(() => chooseStorage('not a url', '/tmp/x')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => chooseStorage(`${TEST_PG_URL}?schema=Bad-Name`, '/tmp/x')).toThrow(expect.objectContaining({ code: 'EINVAL', detail: { arg: 'schema', value: 'Bad-Name' } }));
    expect(() => chooseStorage(`${TEST_PG_URL}?vectors=faiss`, '/tmp/x')).toThrow(expect.objectContaining({ code: 'EINVAL', detail: { arg: 'vectors', value: 'faiss' } }));
  });
  it('storage - postgres:// with ?schema= opens the Postgres driver on that schema', async () => {
    const schema = schemas.next();
    const choice = chooseStorage(`${TEST_PG_URL}?schema=${schema}`, '/tmp/x');
    expect(choice.kind).toBe('postgres');
    const s = choice.create();
    expect(s.info.name).toBe('storage-postgres');
    await s.open!();
    await s.put('k', new Uint8Array([1]));
    expect(await s.get('k')).toEqual(new Uint8Array([1]));
    await s.close();
  });
  it('storage - ?vectors=in-process keeps vectors in-process whatever the server has, and says so', async () => {
    const s = chooseStorage(`${TEST_PG_URL}?schema=${schemas.next()}&vectors=in-process`, '/tmp/x').create() as ReturnType<typeof createPostgresStorage>;
    await s.open!();
    expect(s.vectorBackend()).toEqual({ mode: 'in-process', reason: 'configured (vectors: in-process)' });
    await s.close();
  });
});
