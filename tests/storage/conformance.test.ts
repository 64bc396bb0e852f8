// Runs the shared storage conformance suite (@aios/testkit/storage-conformance) against the memory driver and the
// SQLite driver, in memory and on a file. The Postgres driver's run is in postgres-conformance.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runStorageConformance } from '@aios/testkit/storage-conformance';
import { createMemoryStorage } from '@aios/drivers/storage-memory';
import { createSqliteStorage } from '@aios/drivers/storage-sqlite';

const dir = mkdtempSync(join(tmpdir(), 'aios-sqlite-conf-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStorageConformance('storage-memory', () => createMemoryStorage());
runStorageConformance('storage-sqlite :memory:', () => createSqliteStorage({ path: ':memory:' }));
runStorageConformance('storage-sqlite file', () => createSqliteStorage({ path: join(dir, `db${n++}.sqlite`) }));
