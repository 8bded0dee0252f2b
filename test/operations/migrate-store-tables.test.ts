/**
 * The one list migrate-store copies from (src/operations/migrate-store-tables.ts) against the real
 * SQLite schema: it names every data table, and each table comes after the tables its foreign keys
 * point to, so the Postgres target's constraints hold batch by batch. A migration that adds a table
 * without a line in the list fails here before any copy would refuse at run time.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copiedTables } from '../../src/operations/migrate-store-tables.js';
import { openSqliteCopySource, type SqliteCopySource } from '../../src/store/database/store-copy-source.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('migrate-store table list', () => {
  let temp: { directory: string; cleanup: () => Promise<void> };
  let source: SqliteCopySource;
  let databasePath: string;

  beforeEach(async () => {
    temp = await makeTempDir('imagefleet-copy-tables-');
    databasePath = path.join(temp.directory, 'imagefleet.db');
    // openSqliteCopySource never creates a database: make one the way every command does.
    new BetterSqlite3(databasePath).close();
    source = await openSqliteCopySource(databasePath);
  });
  afterEach(async () => {
    await source.close();
    await temp.cleanup();
  });

  it('names every data table of the SQLite schema, and nothing else', async () => {
    expect([...copiedTables].sort()).toEqual(await source.tables());
  });

  it('orders each table after every table its foreign keys point to', () => {
    const sqlite = new BetterSqlite3(databasePath, { readonly: true });
    try {
      for (const [position, table] of copiedTables.entries()) {
        const parents = (sqlite.prepare('SELECT "table" AS parent FROM pragma_foreign_key_list(?)').all(table) as Array<{ parent: string }>).map((row) => row.parent);
        for (const parent of parents) expect(copiedTables.indexOf(parent), `${table} → ${parent}`).toBeLessThan(position);
      }
    } finally {
      sqlite.close();
    }
  });

  it('refuses a data directory without a database in one sentence naming --data-dir', async () => {
    await expect(openSqliteCopySource(path.join(temp.directory, 'missing', 'imagefleet.db'))).rejects.toThrow(
      `There is no imagefleet database at ${path.join(temp.directory, 'missing', 'imagefleet.db')}; pass the data directory of the installation to move with --data-dir.`,
    );
  });
});
