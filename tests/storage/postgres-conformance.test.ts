// Runs the shared storage conformance suite against the Postgres driver, one throwaway schema per test.
import { afterAll } from 'vitest';
import { runStorageConformance } from '@aios/testkit/storage-conformance';
import { createPostgresStorage } from '@aios/drivers/storage-postgres';
import { TEST_PG_URL, throwawaySchemas } from '../../packages/drivers/src/storage-postgres/testing.ts';

const schemas = throwawaySchemas();
afterAll(() => schemas.cleanup());

runStorageConformance('storage-postgres', () => createPostgresStorage({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 2 }));
