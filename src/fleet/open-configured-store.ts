/**
 * Opens the store the configuration names: the SQLite file of this process's data directory (the
 * embedded default) or the shared Postgres database (`IMAGEFLEET_DATABASE_URL`). The Postgres
 * adapter is imported only when configured, so the embedded default never loads `pg`.
 */
import type { StoreSettings } from '../config/config.js';
import type { Store } from '../engine/ports.js';
import { openSqliteStore } from '../store/sqlite-store.js';

export interface OpenConfiguredStoreOptions {
  /** The clock for times the port leaves to the store, epoch ms; default `Date.now`. */
  now?: () => number;
  /**
   * Listen for other processes' commits (Postgres: one more connection) so `store.signals` wakes
   * this process; default false. A fleet listens; a short-lived reader does not.
   */
  listen?: boolean;
}

/** Opens (creating or migrating as needed) the configured store; `storage_unavailable` naming the variable to fix when it cannot. */
export async function openConfiguredStore(settings: StoreSettings, options: OpenConfiguredStoreOptions = {}): Promise<Store> {
  if (settings.kind === 'sqlite') return openSqliteStore({ databasePath: settings.databasePath, ...(options.now === undefined ? {} : { now: options.now }) });
  const { openPostgresStore } = await import('../store/postgres-store.js');
  return openPostgresStore({ connectionString: settings.connectionString, poolSize: settings.poolSize, listen: options.listen ?? false, ...(options.now === undefined ? {} : { now: options.now }) });
}
