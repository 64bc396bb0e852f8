// The audit log on disk: append-only JSONL files in a data folder, implementing the kernel's
// AuditSink port. Trusts the kernel for content (lines arrive already canonical and chained).
//
// Files: <dir>/records.jsonl (one canonical entry per line, exactly the bytes the kernel hashed)
//        <dir>/checkpoints.jsonl (one signed checkpoint per line)
// fsync policy (option `fsync`):
//   'checkpoint' (default) - records and checkpoints are written in batches (every flushIntervalMs or on
//       flush()); whenever a batch holds a checkpoint, records.jsonl is fdatasync'ed BEFORE the checkpoint is
//       written, then checkpoints.jsonl is fdatasync'ed. A crash loses at most the records after the last
//       durable checkpoint, and never leaves a durable checkpoint whose records are not durable.
//   'always' - both files are fdatasync'ed after every batch (flush() resolves only once durable).
//   'never'  - no fdatasync; the OS decides (tests, throwaway nodes).
// A crash can leave a torn last line; open() cuts it off, readAll() ignores it.
// onCheckpointsDurable is called after a batch's checkpoints are written (and synced, unless 'never'),
// so a caller can record the log head elsewhere knowing the log on disk is at least that long.
// The folder is created 0700 and the files 0600 (the audit log is the node's private state).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AiosError, hasCode } from '@aios/abi';
import { readLinesOf } from './lines.ts';
import type { AuditEntryShape, AuditSinkShape, SignedCheckpointShape } from './types.ts';

export type FsyncPolicy = 'checkpoint' | 'always' | 'never';

export interface AuditFileSinkOptions {
  /** The data folder for the audit log (created if missing). */
  dir: string;
  fsync?: FsyncPolicy;
  /** Batch window in ms before queued lines are written (default 20). */
  flushIntervalMs?: number;
  /**
   * Called with the checkpoints of a batch once they are on disk (after their records). Must not
   * throw (an exception is swallowed: the log itself stays correct).
   */
  onCheckpointsDurable?: (checkpoints: SignedCheckpointShape[]) => void;
}

export interface AuditFileSink extends AuditSinkShape {
  /** Raw stored lines (for verifyAuditLines) plus checkpoints; the torn tail, if any, is dropped. */
  readLines(): Promise<{ lines: string[]; checkpoints: SignedCheckpointShape[] }>;
  readonly recordsPath: string;
  readonly checkpointsPath: string;
  /** The first write error, if any: once set, every later flush rejects with EIO. */
  readonly error: Error | null;
}

export const RECORDS_FILE = 'records.jsonl';
export const CHECKPOINTS_FILE = 'checkpoints.jsonl';

/** Cuts a torn (unterminated) last line so later appends start on a fresh line (reads only the file's end). */
async function repairTail(file: string): Promise<void> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r+');
  } catch (e) {
    if (hasCode(e, 'ENOENT')) return;
    throw e;
  }
  try {
    let end = (await fh.stat()).size;
    if (end === 0) return;
    const buf = Buffer.alloc(64 * 1024);
    const last = await fh.read(buf, 0, 1, end - 1);
    if (last.bytesRead === 1 && buf[0] === 0x0a) return;
    // Walk back in blocks to the last newline; everything after it is the torn line.
    while (end > 0) {
      const from = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - from, from);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) {
        await fh.truncate(from + nl + 1);
        return;
      }
      end = from;
    }
    await fh.truncate(0);
  } finally {
    await fh.close();
  }
}

/** Complete lines of a file, read in chunks (see lines.ts). */
const readCompleteLines = readLinesOf;

/** Opens (creating if needed) the audit folder and repairs torn tails. EIO when the folder is unusable. */
export async function createAuditFileSink(opts: AuditFileSinkOptions): Promise<AuditFileSink> {
  const policy: FsyncPolicy = opts.fsync ?? 'checkpoint';
  const interval = opts.flushIntervalMs ?? 20;
  const recordsPath = path.join(opts.dir, RECORDS_FILE);
  const checkpointsPath = path.join(opts.dir, CHECKPOINTS_FILE);
  let rec: fs.FileHandle;
  let cps: fs.FileHandle;
  try {
    await fs.mkdir(opts.dir, { recursive: true, mode: 0o700 });
    await repairTail(recordsPath);
    await repairTail(checkpointsPath);
    rec = await fs.open(recordsPath, 'a', 0o600);
    cps = await fs.open(checkpointsPath, 'a', 0o600);
  } catch (e) {
    throw new AiosError('EIO', `cannot open audit folder ${opts.dir}`, { dir: opts.dir }, { cause: e });
  }

  let pendingRecords: string[] = [];
  let pendingCheckpoints: string[] = [];
  let pendingCpObjects: SignedCheckpointShape[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let error: Error | null = null;
  let closed = false;

  async function writeBatch(): Promise<void> {
    const r = pendingRecords;
    const c = pendingCheckpoints;
    const co = pendingCpObjects;
    pendingRecords = [];
    pendingCheckpoints = [];
    pendingCpObjects = [];
    if (error) throw error;
    try {
      if (r.length) await rec.appendFile(r.join(''));
      if (r.length && (policy === 'always' || (policy === 'checkpoint' && c.length))) await rec.datasync();
      if (c.length) {
        await cps.appendFile(c.join(''));
        if (policy !== 'never') await cps.datasync();
      }
    } catch (e) {
      error = new AiosError('EIO', 'audit log write failed', { dir: opts.dir }, { cause: e });
      throw error;
    }
    if (co.length && opts.onCheckpointsDurable) {
      try {
        opts.onCheckpointsDurable(co);
      } catch {
        /* the caller's record of the head lags; the log is intact */
      }
    }
  }

  /** Serialises batches: one write at a time, in order. */
  function enqueueFlush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    chain = chain.then(writeBatch, writeBatch);
    return chain;
  }

  function schedule(): void {
    if (closed) throw new AiosError('EIO', 'audit sink is closed');
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        enqueueFlush().catch(() => {}); // surfaced by the next flush() via `error`
      }, interval);
      timer.unref?.();
    }
  }

  const sink: AuditFileSink = {
    recordsPath,
    checkpointsPath,
    get error() {
      return error;
    },
    appendRecord(_entry: AuditEntryShape, line: string): void {
      schedule();
      pendingRecords.push(line + '\n');
    },
    appendCheckpoint(cp: SignedCheckpointShape): void {
      schedule();
      pendingCheckpoints.push(JSON.stringify(cp) + '\n');
      pendingCpObjects.push(cp);
    },
    flush(): Promise<void> {
      return enqueueFlush();
    },
    async readLines() {
      await enqueueFlush();
      const lines = await readCompleteLines(recordsPath);
      const cpLines = await readCompleteLines(checkpointsPath);
      const checkpoints = cpLines.map((l, i) => {
        try {
          return JSON.parse(l) as SignedCheckpointShape;
        } catch (e) {
          throw new AiosError('EIO', `checkpoints.jsonl line ${i + 1} is not JSON`, { line: i + 1 }, { cause: e });
        }
      });
      return { lines, checkpoints };
    },
    async readAll() {
      const { lines, checkpoints } = await sink.readLines();
      const records = lines.map((l, i) => {
        try {
          return JSON.parse(l) as AuditEntryShape;
        } catch (e) {
          throw new AiosError('EIO', `records.jsonl line ${i + 1} is not JSON`, { line: i + 1 }, { cause: e });
        }
      });
      return { records, checkpoints };
    },
    async close() {
      if (closed) return;
      try {
        await enqueueFlush();
      } finally {
        closed = true;
        await rec.close();
        await cps.close();
      }
    },
  };
  return sink;
}
