// Which storage device a node plugs in: `--storage URL` or AIOS_STORAGE_URL. No URL: SQLite in the data folder.
// postgres:// or postgresql:// (optional ?schema=NAME, default "aios"): the Postgres driver, so several nodes
// on one database share one memory fabric; ?vectors=auto|pgvector|in-process picks where vectors are indexed.
// Any other scheme: EINVAL (before anything is opened).
import { join } from 'node:path';
import { AiosError } from '@aios/abi';
import type { StorageDriver } from '@aios/abi';
import { createSqliteStorage } from '@aios/drivers/storage-sqlite';
import { checkSchemaName, createPostgresStorage, type VectorsOption } from '@aios/drivers/storage-postgres';

export interface StorageChoice {
  kind: 'sqlite' | 'postgres';
  /** Creates the driver (no I/O for Postgres until open()). */
  create(): StorageDriver;
}

/** Parses the storage URL; EINVAL for a malformed URL or an unknown scheme. */
export function chooseStorage(url: string | undefined, dataDir: string): StorageChoice {
  const spec = url?.trim();
  if (spec === undefined || spec === '') {
    return { kind: 'sqlite', create: () => createSqliteStorage({ path: join(dataDir, 'memory.db') }) };
  }
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new AiosError('EINVAL', 'storage URL is not a URL (expected postgres://...)', { arg: 'storage' });
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new AiosError('EINVAL', `unknown storage scheme ${u.protocol} (expected postgres://)`, { arg: 'storage', scheme: u.protocol.replace(/:$/, '') });
  }
  const schema = u.searchParams.get('schema') ?? undefined;
  // ?vectors=auto|pgvector|in-process: where vectors are indexed (default auto: pgvector when the server has it).
  const vectors = u.searchParams.get('vectors') ?? undefined;
  if (vectors !== undefined && !['auto', 'pgvector', 'in-process'].includes(vectors)) {
    throw new AiosError('EINVAL', 'vectors must be auto, pgvector or in-process', { arg: 'vectors', value: vectors });
  }
  u.searchParams.delete('schema');
  u.searchParams.delete('vectors');
  const pgUrl = u.toString();
  if (schema !== undefined) checkSchemaName(schema); // EINVAL at boot, not at the first call
  return { kind: 'postgres', create: () => createPostgresStorage({ url: pgUrl, ...(schema ? { schema } : {}), ...(vectors ? { vectors: vectors as VectorsOption } : {}) }) };
}
