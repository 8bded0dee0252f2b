/**
 * The store of a data directory for code that has a data directory but no fleet: CLI session
 * records are read before a command opens its fleet (to find the session and its limits) and by
 * `sessions`/MCP listings that never open one (DESIGN §9: the records live in the store).
 *
 * A fleet open in this process shares its store here, because two SQLite connections in one
 * thread can block each other on the write lock (docs/decisions/0002); without one, a store is
 * opened for the call and closed after it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../engine/ports.js';
import { openSqliteStore } from '../store/sqlite-store.js';

/** Stores of fleets open in this process, by resolved data directory (newest last). */
const openStores = new Map<string, Store[]>();

/** Name of the database file in a data directory (as `loadConfig` sets `databasePath`). */
const databaseFileName = 'imagefleet.db';

/** Shares `store` as the store of `dataDir` until the returned function is called. */
export function shareDataDirStore(dataDir: string, store: Store): () => void {
  const key = path.resolve(dataDir);
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
 * Runs `use` on the store of `dataDir`. With `ifExists`, a data directory without a database
 * yet gives `undefined` instead of creating one (a read must not create the data directory).
 */
export async function withDataDirStore<T>(dataDir: string, use: (store: Store) => Promise<T>, options: { ifExists: true }): Promise<T | undefined>;
export async function withDataDirStore<T>(dataDir: string, use: (store: Store) => Promise<T>): Promise<T>;
export async function withDataDirStore<T>(dataDir: string, use: (store: Store) => Promise<T>, options: { ifExists?: boolean } = {}): Promise<T | undefined> {
  const shared = openStores.get(path.resolve(dataDir))?.at(-1);
  if (shared !== undefined) return use(shared);
  const databasePath = path.join(dataDir, databaseFileName);
  if (options.ifExists === true && !existsSync(databasePath)) return undefined;
  const store = await openSqliteStore({ databasePath });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
