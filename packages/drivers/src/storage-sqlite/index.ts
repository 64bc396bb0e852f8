// Public surface of the SQLite storage driver.
export { createSqliteStorage } from './driver.ts';
export type { SqliteStorageOptions } from './driver.ts';
export type { HnswParams } from './vectors.ts';
export { MIGRATIONS, LATEST_VERSION } from './migrations.ts';
