// Runs the shared storage conformance suite against the SQLite driver, in memory and on a file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runStorageConformance } from '../storage-conformance/index.ts';
import { createSqliteStorage } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'aios-sqlite-conf-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStorageConformance('storage-sqlite :memory:', () => createSqliteStorage({ path: ':memory:' }));
runStorageConformance('storage-sqlite file', () => createSqliteStorage({ path: join(dir, `db${n++}.sqlite`) }));
