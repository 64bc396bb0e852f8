// Runs the shared storage conformance suite against the Postgres driver with its vectors in pgvector
// (`vectors: 'pgvector'`), when the test server has the `vector` extension. Without it (this machine's
// Postgres 15 has none, and Debian 12 ships no package) the suite is skipped and says why.
import { afterAll, describe, it } from 'vitest';
import pg from 'pg';
import { runStorageConformance } from '@aios/testkit/storage-conformance';
import { createPostgresStorage } from '@aios/drivers/storage-postgres';
import { TEST_PG_URL, throwawaySchemas } from '../../packages/drivers/src/storage-postgres/testing.ts';

/** Why pgvector cannot run here, or null when the server has (or offers) the extension. */
async function pgvectorMissing(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await c.connect();
    const r = await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
    return r.rows.length > 0 ? null : `the Postgres server at ${TEST_PG_URL.replace(/\/\/[^@]*@/, '//')} has no vector extension (pg_available_extensions)`;
  } catch (e) {
    return `cannot reach Postgres: ${(e as Error).message}`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const missing = await pgvectorMissing();
if (missing !== null) {
  console.warn(`pgvector conformance skipped: ${missing}`);
  describe.skip(`storage conformance - storage-postgres (pgvector) skipped: ${missing}`, () => {
    it('needs the vector extension', () => undefined);
  });
} else {
  const schemas = throwawaySchemas();
  afterAll(() => schemas.cleanup());
  runStorageConformance('storage-postgres (pgvector)', () => createPostgresStorage({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 2, vectors: 'pgvector' }));
}
