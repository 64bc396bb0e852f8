// Opening the node's SQLite databases (kernel.db, memory.db): the file is created 0600 before SQLite
// touches it (SQLite gives its -wal and -shm files the database file's mode), and every database is
// checked with PRAGMA quick_check at open. A corrupt or unreadable database is EIO naming the file,
// never a crash or a silent reset.
import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { AiosError } from '@aios/abi';

/** Creates the file with mode 0600 if it does not exist yet (an existing file keeps its content). */
export function precreatePrivate(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
}

/** quick_check's answer: 'ok', or the first problems it lists (at most 5). Throws what SQLite throws. */
export function quickCheck(db: Database.Database): string {
  const rows = db.pragma('quick_check(5)') as Array<Record<string, string>>;
  const msgs = rows.map((r) => Object.values(r)[0] ?? '');
  return msgs.length === 1 && msgs[0] === 'ok' ? 'ok' : msgs.join('; ');
}

/**
 * Opens a database (WAL, synchronous=FULL) after creating it 0600, and checks it. EIO (detail.file,
 * detail.check) when the file is not a database, is corrupt, or cannot be opened.
 */
export function openCheckedDatabase(file: string, opts: { readonly?: boolean } = {}): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (!opts.readonly) precreatePrivate(file);
    db = new Database(file, opts.readonly ? { readonly: true, fileMustExist: true } : {});
    const check = quickCheck(db);
    if (check !== 'ok') throw new AiosError('EIO', `database ${file} is corrupt (quick_check: ${check}); restore it from a backup or move it away`, { file, check });
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    return db;
  } catch (e) {
    try {
      db?.close();
    } catch {
      /* already unusable */
    }
    if (e instanceof AiosError) throw e;
    const msg = (e as Error).message;
    throw new AiosError('EIO', `database ${file} cannot be opened (${msg}); restore it from a backup or move it away`, { file, check: msg }, { cause: e });
  }
}

/** Checks an existing database file without keeping it open (for databases a driver opens itself). */
export function checkDatabaseFile(file: string): void {
  openCheckedDatabase(file, { readonly: true }).close();
}
