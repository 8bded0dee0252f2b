/**
 * The SQLite database of a data directory as the source of `migrate-store`: rows are read in
 * rowid order (every table here is a rowid table), already in canonical form, since the canonical
 * form is this schema's (src/engine/ports/store-copy.ts). Only reads: nothing here writes the
 * source, beyond what opening does (`openDatabase` brings an older schema up to date, as every
 * command does).
 */
import { existsSync } from 'node:fs';
import { ImagefleetError } from '../../core/errors.js';
import type { CopyBatch, CopyRow, SourceLease, StoreCopySource } from '../../engine/ports.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { translateSqliteError } from './translate-sqlite-error.js';

/** A source plus the way to close its connection. */
export interface SqliteCopySource extends StoreCopySource {
  close(): Promise<void>;
}

/** Tables of the store's own bookkeeping, not data: never copied. */
const bookkeepingTable = /^(sqlite_|kysely_)/;
/** Table names are checked before they reach SQL text (they come from the copy list, but a typo must not become SQL). */
const tableNamePattern = /^[a-z_][a-z0-9_]*$/;

/** Opens the database at `databasePath` for copying; `storage_unavailable` when there is none. */
export async function openSqliteCopySource(databasePath: string): Promise<SqliteCopySource> {
  if (!existsSync(databasePath)) {
    throw new ImagefleetError('storage_unavailable', `There is no imagefleet database at ${databasePath}; pass the data directory of the installation to move with --data-dir.`);
  }
  const database = await openDatabase({ filePath: databasePath });
  return new SqliteStoreCopySource(database);
}

class SqliteStoreCopySource implements SqliteCopySource {
  readonly description: string;

  constructor(private readonly database: SqliteDatabase) {
    this.description = database.filePath;
  }

  fingerprint(): Promise<string> {
    // The first migration ran when the database was created: its time (to the ms) tells two
    // installations apart and stays the same when the data directory is moved or renamed.
    const row = this.query<{ timestamp: string }>(`SELECT timestamp FROM kysely_migration ORDER BY name LIMIT 1`)[0];
    return Promise.resolve(`sqlite:${row?.timestamp ?? 'unknown'}`);
  }

  schemaVersion(): Promise<string> {
    const row = this.query<{ name: string }>(`SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1`)[0];
    return Promise.resolve(versionOf(row?.name));
  }

  tables(): Promise<string[]> {
    const rows = this.query<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
    return Promise.resolve(rows.map((row) => row.name).filter((name) => !bookkeepingTable.test(name)));
  }

  columns(table: string): Promise<string[]> {
    return Promise.resolve(this.query<{ name: string }>(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, [checkedName(table)]).map((row) => row.name));
  }

  readBatch(table: string, afterKey: number, limit: number): Promise<CopyBatch> {
    const rows = this.query<CopyRow & { copy_rowid: number }>(`SELECT rowid AS copy_rowid, * FROM ${checked(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?`, [afterKey, limit]);
    const lastKey = rows.at(-1)?.copy_rowid ?? afterKey;
    return Promise.resolve({
      rows: rows.map(({ copy_rowid: _rowid, ...row }) => row),
      lastKey,
    });
  }

  count(table: string): Promise<number> {
    return Promise.resolve(this.query<{ count: number }>(`SELECT count(*) AS count FROM ${checked(table)}`)[0]?.count ?? 0);
  }

  leases(): Promise<SourceLease[]> {
    const tasks = this.query<{ owner: string | null; expires: number }>(`SELECT lease_owner AS owner, lease_expires_at_ms AS expires FROM tasks WHERE lease_expires_at_ms IS NOT NULL`);
    const deliveries = this.query<{ expires: number }>(`SELECT lease_expires_at_ms AS expires FROM webhook_deliveries WHERE lease_expires_at_ms IS NOT NULL`);
    return Promise.resolve([
      ...tasks.map((row) => ({ owner: row.owner ?? undefined, expiresAtMs: row.expires })),
      ...deliveries.map((row) => ({ owner: undefined, expiresAtMs: row.expires })),
    ]);
  }

  close(): Promise<void> {
    return this.database.close();
  }

  // The copy reads whole tables in large batches: the raw handle skips Kysely's per-row work.
  private query<T>(text: string, parameters: unknown[] = []): T[] {
    try {
      return this.database.sqlite.prepare(text).all(...parameters) as T[];
    } catch (error) {
      throw translateSqliteError(error, `read ${this.description} for the copy`);
    }
  }
}

/** `0011-cli-sessions` → `0011`; `none` for a database with no migration applied. */
function versionOf(migrationName: string | undefined): string {
  return migrationName === undefined ? 'none' : (migrationName.split('-')[0] ?? migrationName);
}

function checkedName(table: string): string {
  if (!tableNamePattern.test(table)) throw new ImagefleetError('internal', `"${table}" is not a table name.`);
  return table;
}

function checked(table: string): string {
  return `"${checkedName(table)}"`;
}
