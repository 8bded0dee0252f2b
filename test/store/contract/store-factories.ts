/**
 * The store adapters the contract suite proves (DESIGN §9: "one contract test suite proves every
 * store adapter"). Each factory opens a fresh, empty, migrated store and returns it typed by the
 * `Store` port only, so a contract test cannot reach past the port into one adapter's tables.
 * The Postgres adapter joins this list when it exists; every `*.contract.test.ts` then runs on it.
 */
import path from 'node:path';
import type { Store } from '../../../src/engine/ports.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { makeTempDir } from '../../support/temp-dir.js';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes what it created. */
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  /** Shown in the test name: `sqlite`, `postgres`. */
  name: string;
  /** A fresh empty store; `nowMs` is the store's clock where it keeps one (web sessions, groups). */
  open(options?: { now?: () => number }): Promise<OpenedStore>;
}

const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async open(options = {}) {
    const temporary = await makeTempDir('imagefleet-contract-');
    const store = await openSqliteStore({ databasePath: path.join(temporary.directory, 'imagefleet.db'), now: options.now });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await temporary.cleanup();
      },
    };
  },
};

/** Every adapter under contract; use with `describe.each(storeFactories)('… ($name)', …)`. */
export const storeFactories: StoreFactory[] = [sqliteFactory];
