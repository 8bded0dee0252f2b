/**
 * The SQLite database behind a fleet, for tests that set up or inspect rows directly. The fleet
 * exposes its store only by the `Store` port; this reaches the adapter on purpose, and fails
 * clearly when the fleet runs on another store.
 */
import type { Fleet } from '../../src/fleet/create-fleet.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';

export function sqliteDatabaseOf(fleet: Pick<Fleet, 'store'>): SqliteStore['database'] {
  const store = fleet.store as Partial<SqliteStore>;
  if (store.database === undefined) throw new Error('This fleet does not run on the SQLite store.');
  return store.database;
}
