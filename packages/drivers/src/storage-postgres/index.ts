// Public surface of the Postgres storage driver.
export { createPostgresStorage } from './driver.ts';
export type { PostgresStorage, PostgresStorageOptions } from './driver.ts';
export { MIGRATIONS, LATEST_VERSION } from './migrations.ts';
export { checkSchemaName } from './db.ts';
