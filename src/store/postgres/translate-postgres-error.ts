/**
 * Turns `pg` and network errors into the project's one error type, so no raw driver error crosses
 * the store boundary: callers branch on `code`, users read one sentence. Postgres reports a
 * five-character SQLSTATE in `code` (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import { errorCodeOf } from '../database/translate-sqlite-error.js';

// The driver-neutral `code` reader, shared with the SQLite adapter (a Postgres SQLSTATE or errno is also `code`).
export { errorCodeOf };

/** SQLSTATEs that mean "run the transaction again": serialization_failure and deadlock_detected. */
export const retryableSqlStates: ReadonlySet<string> = new Set(['40001', '40P01']);

/** True when `error` is a serialization failure or deadlock, which a fresh attempt usually clears. */
export function isRetryablePostgresError(error: unknown): boolean {
  return retryableSqlStates.has(errorCodeOf(error) ?? '');
}

// Network errors of an unreachable or restarting server (Node errno codes) and Postgres classes
// 08 (connection), 53 (insufficient resources), 57P (operator intervention: shutdown, restart).
function isUnavailable(code: string): boolean {
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH'].includes(code) || code.startsWith('08') || code.startsWith('53') || code.startsWith('57P');
}

/**
 * Maps a thrown value to an `ImagefleetError`. `context` reads after "Could not" (e.g. `create job
 * j1`). ImagefleetErrors pass through unchanged.
 *
 * - unique violation (23505) → `conflict`
 * - serialization failure / deadlock still failing after the retries → `storage_unavailable` (try again)
 * - connection refused/lost, server shutting down, out of resources → `storage_unavailable`
 * - anything else → `internal`
 */
export function translatePostgresError(error: unknown, context: string): ImagefleetError {
  if (isImagefleetError(error)) return error;
  const code = errorCodeOf(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === '23505') {
    return new ImagefleetError('conflict', `Could not ${context}: a record with the same unique value already exists (${detail}).`, { cause: error });
  }
  if (retryableSqlStates.has(code)) {
    return new ImagefleetError('storage_unavailable', `Could not ${context}: the database kept aborting it in favour of concurrent work (${detail}); try again.`, { cause: error });
  }
  if (isUnavailable(code) || /Connection terminated/i.test(detail)) {
    return new ImagefleetError('storage_unavailable', `Could not ${context}: the PostgreSQL server cannot be reached (${detail}); check that it is running.`, { cause: error });
  }
  return new ImagefleetError('internal', `Could not ${context} because of an unexpected error: ${detail}`, { cause: error });
}

/** Runs `operation`, translating anything it throws with `translatePostgresError(error, context)`. */
export async function withTranslatedPostgresErrors<T>(context: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translatePostgresError(error, context);
  }
}
