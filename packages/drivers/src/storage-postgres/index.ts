// Public surface of the Postgres storage driver.
export { createPostgresStorage } from './driver.ts';
export type { PostgresStorage, PostgresStorageOptions } from './driver.ts';
export { MIGRATIONS, LATEST_VERSION } from './migrations.ts';
export { checkSchemaName } from './db.ts';
export { detectPgvector, PgvectorSql, vectorText, PGVECTOR_INDEX_MAX_DIM } from './pgvector.ts';
export type { VectorBackendInfo, VectorMode, VectorsOption } from './pgvector.ts';
