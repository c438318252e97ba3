import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrate } from './migrations.js';
import { column } from './statements.js';

export type Database = BetterSqlite3.Database;

/** A database path that cannot be used, with a message fit for the user. */
export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly dbPath: string,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/**
 * Opens (creating if needed) the PhotoCluster database and brings its schema up to date. WAL lets readers (the UI)
 * work while a scan writes; synchronous=NORMAL is durable across process crashes in WAL mode and only risks the last
 * commits on power loss.
 */
export function openDatabase(dbPath: string): Database {
  const file = path.resolve(dbPath);
  checkLocation(file);
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (err) {
    throw new DatabaseOpenError(`cannot open database ${file}: ${(err as Error).message}`, file);
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new DatabaseOpenError(`${file} is not a PhotoCluster database (not an SQLite file)`, file);
    }
    throw new DatabaseOpenError(`cannot use database ${file}: ${(err as Error).message}`, file);
  }
}

/** Catches the common mistakes before SQLite turns them into terse codes. */
function checkLocation(file: string): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    // does not exist yet: its directory must exist (or be creatable) and be writable
  }
  if (st?.isDirectory()) throw new DatabaseOpenError(`${file} is a directory, not a database file`, file);
  if (st && !st.isFile()) throw new DatabaseOpenError(`${file} is not a regular file`, file);
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new DatabaseOpenError(`cannot create the directory for database ${file}: ${(err as Error).message}`, file);
  }
  try {
    // WAL needs to create -wal and -shm files beside the database, so the directory itself must be writable.
    fs.accessSync(dir, fs.constants.W_OK);
    if (st) fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    throw new DatabaseOpenError(`cannot write database ${file}: permission denied`, file);
  }
}

/**
 * Changes whenever anything is written to the database, by this connection or another (the ML worker's, a scan's):
 * a key for a cache of what the database holds.
 */
export function writeMark(db: Database): string {
  const others = db.pragma('data_version', { simple: true }) as number;
  const own = column<[], number>(db, 'SELECT total_changes()').get()!;
  return `${others}:${own}`;
}

/** Within the current transaction, foreign keys are checked at commit: for writing rows that refer to each other. */
export function deferForeignKeys(db: Database): void {
  db.pragma('defer_foreign_keys = ON');
}
