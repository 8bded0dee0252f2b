/**
 * Opens (creating if needed) the SQLite database, checks it, applies pragmas and migrations.
 * Every way this can fail at startup becomes one `storage_unavailable` sentence that names the path
 * and says what to do, because this is usually the first thing a new operator sees go wrong.
 */
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import { migrateToLatest } from './migrate.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './schema.js';
import { errorCodeOf } from './translate-sqlite-error.js';

/** An open database: the Kysely handle for queries plus the raw handle for pragmas and diagnostics. */
export interface SqliteDatabase {
  db: Kysely<Database>;
  /** The underlying better-sqlite3 handle (same single connection Kysely uses). */
  sqlite: BetterSqlite3.Database;
  /** Absolute path of the database file (or `:memory:`). */
  filePath: string;
  /** Closes the connection; safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Database file; its directory must exist and be writable (WAL adds `-wal`/`-shm` files next to it). */
  filePath: string;
}

/** An empty database file younger than this is another process's fresh database, not a truncated one, in ms. */
const freshEmptyFileMs = 10_000;

/** Waits this long for another process's write lock before SQLITE_BUSY. */
const busyTimeoutMs = 5000;

/**
 * Opens the database at `filePath` with WAL, `synchronous=NORMAL`, a 5 s busy timeout and foreign
 * keys on, verifies it with `PRAGMA quick_check`, and migrates it to the latest schema.
 * Throws `storage_unavailable` with a one-sentence message on any startup failure.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<SqliteDatabase> {
  const inMemory = options.filePath === ':memory:';
  const filePath = inMemory ? options.filePath : path.resolve(options.filePath);
  if (!inMemory) await checkLocation(filePath);

  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(filePath);
  } catch (error) {
    throw describeOpenFailure(error, filePath);
  }

  let db: Kysely<Database> | undefined;
  try {
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    verifyIntegrity(sqlite, filePath);
    const journalMode: unknown = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && journalMode !== 'wal') {
      throw new ImagefleetError(
        'storage_unavailable',
        `The database ${filePath} could not switch to WAL mode (it reports "${String(journalMode)}"); put the data directory on a local file system.`,
      );
    }
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');

    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await migrateToLatest(db, filePath);
  } catch (error) {
    if (db) await db.destroy();
    else sqlite.close();
    throw isImagefleetError(error) ? error : describeOpenFailure(error, filePath);
  }

  const openDb = db;
  let closed = false;
  return {
    db: openDb,
    sqlite,
    filePath,
    async close() {
      if (closed) return;
      closed = true;
      await openDb.destroy();
    },
  };
}

// SQLite's own errors for these cases ("unable to open database file") do not say which directory
// or why; checking first lets the message say exactly what to fix.
async function checkLocation(filePath: string): Promise<void> {
  const directory = path.dirname(filePath);
  const fail = (problem: string, remedy: string, cause?: unknown): ImagefleetError =>
    new ImagefleetError('storage_unavailable', `Cannot open the database ${filePath}: ${problem}; ${remedy}.`, { cause });

  let directoryStats;
  try {
    directoryStats = await stat(directory);
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'ENOENT') throw fail(`its directory ${directory} does not exist`, 'create it or choose another data directory', error);
    if (code === 'ENOTDIR') throw fail(`a part of the path ${directory} is a file, not a directory`, 'choose another data directory', error);
    if (code === 'EACCES') throw fail(`its directory ${directory} cannot be reached by this process`, 'fix the permissions or choose another data directory', error);
    throw fail(`its directory ${directory} cannot be inspected (${code ?? 'unknown error'})`, 'check the data directory', error);
  }
  if (!directoryStats.isDirectory()) {
    throw fail(`${directory} is a file, not a directory`, 'choose another data directory');
  }
  try {
    await access(directory, fsConstants.W_OK);
  } catch (error) {
    throw fail(`its directory ${directory} is not writable by this process`, 'fix its permissions or choose another data directory', error);
  }

  let fileStats;
  try {
    fileStats = await stat(filePath);
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return; // A fresh database will be created.
    throw fail(`the file cannot be inspected (${errorCodeOf(error) ?? 'unknown error'})`, 'check the data directory', error);
  }
  if (!fileStats.isFile()) {
    throw fail('that path is not a regular file', 'remove it or choose another data directory');
  }
  // SQLite treats an empty file as a new database and would silently start over, orphaning every
  // stored image (issue 21: a disk-full truncation looked healthy). Only a file another process
  // created a moment ago (several processes starting on a fresh data directory) is a new database.
  if (fileStats.size === 0 && Date.now() - fileStats.mtimeMs > freshEmptyFileMs) {
    throw fail(
      'the file is empty (0 bytes), so the jobs, groups and images it listed are gone — it was probably truncated (a full disk, a failed copy)',
      'restore it from a backup, or delete the empty file to start over with an empty database',
    );
  }
  try {
    await access(filePath, fsConstants.R_OK | fsConstants.W_OK);
  } catch (error) {
    throw fail('the file is not readable and writable by this process', 'fix its permissions or run imagefleet as its owner', error);
  }
}

// Random bytes fail on the first read with SQLITE_NOTADB; damaged pages may only show up here, and
// finding them at startup beats failing half-way through a 10,000-task job.
function verifyIntegrity(sqlite: BetterSqlite3.Database, filePath: string): void {
  const rows = sqlite.pragma('quick_check(1)') as Array<{ quick_check?: unknown }>;
  const firstProblem = rows.map((row) => row.quick_check).find((value) => value !== 'ok');
  if (firstProblem !== undefined) {
    throw corrupt(filePath, typeof firstProblem === 'string' ? firstProblem : JSON.stringify(firstProblem));
  }
}

function corrupt(filePath: string, detail: string, cause?: unknown): ImagefleetError {
  // quick_check reports look like "*** in database main ***\nTree 3 page 3: …"; keep the message one line.
  const oneLineDetail = detail.replace(/\*\*\* in database \w+ \*\*\*/g, '').replace(/\s+/g, ' ').replace(/[.\s]+$/, '').trim();
  return new ImagefleetError(
    'storage_unavailable',
    `The file ${filePath} is not an imagefleet database or is corrupt (${oneLineDetail}); restore it from a backup or move it away to start with an empty database.`,
    { cause },
  );
}

function describeOpenFailure(error: unknown, filePath: string): ImagefleetError {
  const code = errorCodeOf(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return corrupt(filePath, detail, error);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new ImagefleetError('storage_unavailable', `Cannot open the database ${filePath}: the disk is full; free some space and start again.`, { cause: error });
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return new ImagefleetError(
      'storage_unavailable',
      `Cannot open the database ${filePath}: another process kept it locked for more than ${busyTimeoutMs / 1000} s; stop that process or try again.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return new ImagefleetError(
      'storage_unavailable',
      `Cannot open the database ${filePath} for writing (${detail}); check that the file and its directory are writable by this process.`,
      { cause: error },
    );
  }
  return new ImagefleetError('storage_unavailable', `Cannot open the database ${filePath} (${detail}); check the data directory.`, { cause: error });
}
