/**
 * The configured store for code that has a configuration but no fleet: CLI session records are
 * read before a command opens its fleet (to find the session and its limits) and by
 * `sessions`/MCP listings that never open one. The store is the configured one — the data
 * directory's SQLite file, or the shared Postgres database — so `imagefleet sessions` on any
 * machine sharing the database sees every session (DESIGN §9).
 *
 * A fleet open in this process shares its store here, because two SQLite connections in one
 * thread can block each other on the write lock (docs/decisions/0002), and a second Postgres pool
 * would be wasted; without one, a store is opened for the call and closed after it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config, StoreSettings } from '../config/config.js';
import type { Store } from '../engine/ports.js';
import { openConfiguredStore } from './open-configured-store.js';

/** What locates the configured store: the store settings, and the data directory (old session record files live there). */
export type StoreLocation = Pick<Config, 'dataDir' | 'store'>;

/** Stores of fleets open in this process, by store identity (newest last). */
const openStores = new Map<string, Store[]>();

/** One key per database: the resolved SQLite file, or the Postgres URL. */
function identityOf(settings: StoreSettings): string {
  return settings.kind === 'sqlite' ? `sqlite:${path.resolve(settings.databasePath)}` : `postgres:${settings.connectionString}`;
}

/** Shares `store` as the configured store of `location` until the returned function is called. */
export function shareConfiguredStore(location: Pick<Config, 'store'>, store: Store): () => void {
  const key = identityOf(location.store);
  const stores = openStores.get(key) ?? [];
  stores.push(store);
  openStores.set(key, stores);
  return () => {
    const remaining = (openStores.get(key) ?? []).filter((candidate) => candidate !== store);
    if (remaining.length === 0) openStores.delete(key);
    else openStores.set(key, remaining);
  };
}

/**
 * Runs `use` on the configured store. With `ifExists`, a SQLite data directory without a database
 * yet gives `undefined` instead of creating one (a read must not create the data directory); a
 * Postgres database is always opened (and migrated), as it is shared and named on purpose.
 */
export async function withConfiguredStore<T>(location: Pick<Config, 'store'>, use: (store: Store) => Promise<T>, options: { ifExists: true }): Promise<T | undefined>;
export async function withConfiguredStore<T>(location: Pick<Config, 'store'>, use: (store: Store) => Promise<T>): Promise<T>;
export async function withConfiguredStore<T>(location: Pick<Config, 'store'>, use: (store: Store) => Promise<T>, options: { ifExists?: boolean } = {}): Promise<T | undefined> {
  const shared = openStores.get(identityOf(location.store))?.at(-1);
  if (shared !== undefined) return use(shared);
  if (options.ifExists === true && location.store.kind === 'sqlite' && !existsSync(location.store.databasePath)) return undefined;
  const store = await openConfiguredStore(location.store);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Where the store is, for messages: "<dataDir>" for SQLite, "the database IMAGEFLEET_DATABASE_URL names (…)" for Postgres (no password). */
export function describeStoreLocation(location: StoreLocation): string {
  return location.store.kind === 'sqlite' ? location.dataDir : `the database IMAGEFLEET_DATABASE_URL names (${location.store.displayUrl})`;
}
