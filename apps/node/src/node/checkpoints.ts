// Durable checkpoint storage in the data folder: one JSON file per checkpoint,
// written to a temporary file, synced, then renamed, so a crash leaves either
// the whole checkpoint or none.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointStorePort } from '@aios/abi';

const SAFE_ID = /^[A-Za-z0-9._-]{1,200}$/;

export function fileCheckpointStore(dataDir: string): CheckpointStorePort {
  const dir = join(dataDir, 'checkpoints');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    async put(id, data) {
      if (!SAFE_ID.test(id)) throw new Error(`bad checkpoint id ${id}`);
      const tmp = join(dir, `.${id}.tmp`);
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(dir, `${id}.json`));
      const dfd = openSync(dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    },
    async get(id) {
      if (!SAFE_ID.test(id)) return undefined;
      try {
        return readFileSync(join(dir, `${id}.json`), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
