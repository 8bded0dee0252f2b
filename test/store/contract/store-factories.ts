/**
 * The store adapters the contract suite proves (DESIGN §9: "one contract test suite proves every
 * store adapter"). Each factory opens a fresh, empty, migrated store and returns it typed by the
 * `Store` port only, so a contract test cannot reach past the port into one adapter's tables.
 *
 * Every contract file runs on `storeFactoriesWithPostgres()`: SQLite, and Postgres wherever its
 * server binaries are installed (always in CI). `storeFactories` (SQLite only) is for a file that
 * cannot start a server.
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Store } from '../../../src/engine/ports.js';
import { openPostgresStore } from '../../../src/store/postgres-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../../support/postgres-server.js';
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

/** SQLite only; contract files use `storeFactoriesWithPostgres()`. */
export const storeFactories: StoreFactory[] = [sqliteFactory];

/**
 * Whether Postgres runs here: always in CI (`.ci/run` installs it, so a missing server fails
 * loudly there), elsewhere only when its binaries are installed.
 */
const postgresAvailable = postgresBinDirectory() !== undefined || process.env.CI !== undefined;

/**
 * SQLite and Postgres: what every contract file runs on. Call it at the top level of the file (`describe.each(storeFactoriesWithPostgres())`): it starts ONE throwaway server
 * for the file (beforeAll) and stops it after (afterAll); each `open()` makes a fresh database.
 */
export function storeFactoriesWithPostgres(): StoreFactory[] {
  if (!postgresAvailable) return storeFactories;
  let server: PostgresServer | undefined;
  let databaseCount = 0;
  beforeAll(async () => {
    server = await startPostgresServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    server = undefined;
  });
  const postgresFactory: StoreFactory = {
    name: 'postgres',
    async open(options = {}) {
      if (server === undefined) throw new Error('The Postgres test server is not running: call storeFactoriesWithPostgres() at the top level of the test file.');
      databaseCount += 1;
      const connectionString = await server.createDatabase(`contract_${databaseCount}`);
      // A small pool: one per test, and the shared machine has little memory to spare. The caller's
      // clock: contract tests drive time by hand (the database clock has its own tests).
      const store = await openPostgresStore({ connectionString, now: options.now, poolSize: 4, clock: 'caller' });
      return { store, cleanup: () => store.close() };
    },
  };
  return [...storeFactories, postgresFactory];
}
