/**
 * Stand-ins for the repositories the Postgres store does not implement yet (issue 17 is built in
 * stages; docs/decisions/0039 lists which). Every call fails at once with one sentence instead of
 * doing something half-right, so a Postgres store can be opened and the finished repositories
 * proven by the contract suite while the rest are written.
 */
import { ImagefleetError } from '../../core/errors.js';

/** A `T` whose every method rejects with `internal` naming the repository and the method. */
export function notOnPostgresYet<T extends object>(repositoryName: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (typeof property !== 'string' || property === 'then') return undefined;
      return () => Promise.reject(new ImagefleetError('internal', `${repositoryName}.${property} is not available on the Postgres store yet; use SQLite (IMAGEFLEET_DATABASE_URL unset) for now.`));
    },
  });
}
