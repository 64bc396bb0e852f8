// Storage selection of a node (--storage / AIOS_STORAGE_URL): SQLite by default, Postgres for postgres://,
// EINVAL for anything else, before any I/O.
import { describe, it, expect, afterAll } from 'vitest';
import { chooseStorage } from './storage.ts';
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
});
