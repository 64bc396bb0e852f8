// Runs the shared storage conformance suite against the Postgres driver, one throwaway schema per test.
import { afterAll } from 'vitest';
import { runStorageConformance } from '../storage-conformance/index.ts';
import { createPostgresStorage } from './index.ts';
import { TEST_PG_URL, throwawaySchemas } from './testing.ts';

const schemas = throwawaySchemas();
afterAll(() => schemas.cleanup());

runStorageConformance('storage-postgres', () => createPostgresStorage({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 2 }));
