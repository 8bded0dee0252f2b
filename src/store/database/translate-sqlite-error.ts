/**
 * Turns SQLite (better-sqlite3) and file-system errors into the project's one error type, so no raw
 * driver error ever crosses the store boundary: callers branch on `code`, users read one sentence.
 */
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';

/** The `code` of a better-sqlite3 `SqliteError` (e.g. `SQLITE_CONSTRAINT_UNIQUE`) or a Node errno code (`ENOSPC`), if any. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps a thrown value to an `ImagefleetError`. `context` says what was being attempted, as a phrase that
 * reads after "Could not" (e.g. `create job j1`). ImagefleetErrors pass through unchanged.
 *
 * - unique / primary-key constraint → `conflict`
 * - disk full, busy, read-only, cannot open, I/O error, corrupt, not a database → `storage_unavailable`
 * - anything else → `internal`
 */
export function translateSqliteError(error: unknown, context: string): ImagefleetError {
  if (isImagefleetError(error)) return error;
  const code = errorCodeOf(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  const storage = (reason: string): ImagefleetError =>
    new ImagefleetError('storage_unavailable', `Could not ${context}: ${reason}.`, { cause: error });

  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new ImagefleetError('conflict', `Could not ${context}: a record with the same unique value already exists (${detail}).`, { cause: error });
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return storage('the disk is full; free space in the data directory and try again');
  }
  // Prefix matches cover the extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_READONLY_DBMOVED, …).
  if (code.startsWith('SQLITE_BUSY')) {
    return storage('the database stayed locked by another process past the busy timeout; try again');
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return storage('the database or its directory is read-only; give this process write permission on the data directory');
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return storage('the database file cannot be opened; check that the data directory exists and is writable');
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return storage('the database file is corrupt or is not a database; restore it from a backup');
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return storage(`the disk reported an I/O error (${code}); check the disk holding the data directory`);
  }
  return new ImagefleetError('internal', `Could not ${context} because of an unexpected error: ${detail}`, { cause: error });
}

/** Runs `operation`, translating anything it throws with `translateSqliteError(error, context)`. */
export async function withTranslatedErrors<T>(context: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateSqliteError(error, context);
  }
}
