/**
 * A Postgres database as the target of `migrate-store`. Rows arrive in canonical form (SQLite's
 * representations, src/engine/ports/store-copy.ts) and are converted here, where the Postgres
 * schema's choices live (migrations/0011-baseline.ts): `x_usd` REAL USD → `x_micro_usd` bigint
 * (money.ts), `x_json` text → `x` jsonb, 0/1 → boolean. The mapping is derived from the target's
 * own column types, so a new table that follows these conventions needs no code here.
 *
 * Progress and the marker live in two bookkeeping tables beside the data, written in the same
 * transaction as each batch (docs/decisions/0042).
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import type { CopyRow, CopyValue, StoreCopyMarker, StoreCopyTarget, TableCopyProgress } from '../../engine/ports.js';
import { toMicroUsdOrNull } from './money.js';
import { openPostgres, type PostgresConnection } from './open-postgres.js';
import { translatePostgresError } from './translate-postgres-error.js';

/** A target plus the way to close its pool. */
export interface PostgresCopyTarget extends StoreCopyTarget {
  close(): Promise<void>;
}

const markerTable = 'imagefleet_store_copy';
const progressTable = 'imagefleet_store_copy_progress';
/** The migration log and the copy's own bookkeeping: not data. */
const bookkeepingTable = /^(kysely_|imagefleet_store_copy)/;
const tableNamePattern = /^[a-z_][a-z0-9_]*$/;
/** Bind parameters per INSERT statement, well under Postgres's 65 535. */
const parametersPerStatement = 30_000;

/** How one source column lands in the target. */
interface ColumnMapping {
  source: string;
  target: string;
  convert(value: CopyValue): CopyValue;
  /** jsonb: the text is cast explicitly, so the parameter is never taken for text. */
  json: boolean;
}

interface TargetColumn {
  column_name: string;
  data_type: string;
}

/** Opens (and migrates to the current schema) the database at `connectionString` for copying into. */
export async function openPostgresCopyTarget(connectionString: string): Promise<PostgresCopyTarget> {
  const connection = await openPostgres({ connectionString, poolSize: 2 });
  return new PostgresStoreCopyTarget(connection);
}

class PostgresStoreCopyTarget implements PostgresCopyTarget {
  readonly description: string;
  private readonly db: Kysely<unknown>;
  private readonly mappings = new Map<string, ColumnMapping[]>();

  constructor(private readonly connection: PostgresConnection) {
    this.description = connection.displayUrl;
    this.db = connection.db as unknown as Kysely<unknown>;
  }

  async schemaVersion(): Promise<string> {
    const rows = await this.rows<{ name: string }>(sql`SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1`, 'read the schema version');
    const name = rows[0]?.name;
    return name === undefined ? 'none' : (name.split('-')[0] ?? name);
  }

  async tables(): Promise<string[]> {
    const rows = await this.rows<{ table_name: string }>(
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      'list the tables',
    );
    return rows.map((row) => row.table_name).filter((name) => !bookkeepingTable.test(name));
  }

  async checkColumns(table: string, sourceColumns: string[]): Promise<void> {
    const columns = await this.rows<TargetColumn>(
      sql`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${checked(table)} ORDER BY ordinal_position`,
      `read the columns of ${table}`,
    );
    const byName = new Map(columns.map((column) => [column.column_name, column]));
    const mappings = sourceColumns.map((source) => {
      const mapping = mapColumn(source, byName);
      if (mapping === undefined) {
        throw new ImagefleetError(
          'conflict',
          `Column ${table}.${source} of the source has no place in ${table} of ${this.description}; the two schemas differ, so run the same imagefleet version on both (each upgrades its database when opened).`,
        );
      }
      return mapping;
    });
    this.mappings.set(table, mappings);
  }

  async readMarker(): Promise<StoreCopyMarker | undefined> {
    if (!(await this.hasBookkeeping())) return undefined;
    const rows = await this.rows<{ source_fingerprint: string; source_description: string; schema_version: string; started_at_ms: number; verified_at_ms: number | null }>(
      sql`SELECT source_fingerprint, source_description, schema_version, started_at_ms, verified_at_ms FROM ${sql.table(markerTable)} WHERE id = 1`,
      'read the copy marker',
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return { sourceFingerprint: row.source_fingerprint, sourceDescription: row.source_description, schemaVersion: row.schema_version, startedAtMs: row.started_at_ms, verifiedAtMs: row.verified_at_ms };
  }

  async writeMarker(marker: StoreCopyMarker): Promise<void> {
    await this.run(async (transaction) => {
      await sql`
        CREATE TABLE IF NOT EXISTS ${sql.table(markerTable)} (
          id integer PRIMARY KEY CHECK (id = 1),
          source_fingerprint text NOT NULL,
          source_description text NOT NULL,
          schema_version text NOT NULL,
          started_at_ms bigint NOT NULL,
          verified_at_ms bigint
        )`.execute(transaction);
      await sql`
        CREATE TABLE IF NOT EXISTS ${sql.table(progressTable)} (
          table_name text PRIMARY KEY,
          after_key bigint NOT NULL,
          copied_rows bigint NOT NULL,
          complete boolean NOT NULL
        )`.execute(transaction);
      await sql`
        INSERT INTO ${sql.table(markerTable)} (id, source_fingerprint, source_description, schema_version, started_at_ms, verified_at_ms)
        VALUES (1, ${marker.sourceFingerprint}, ${marker.sourceDescription}, ${marker.schemaVersion}, ${marker.startedAtMs}, ${marker.verifiedAtMs})
        ON CONFLICT (id) DO UPDATE SET source_fingerprint = excluded.source_fingerprint, source_description = excluded.source_description,
          schema_version = excluded.schema_version, started_at_ms = excluded.started_at_ms, verified_at_ms = excluded.verified_at_ms`.execute(transaction);
    }, 'record the copy marker');
  }

  async progress(): Promise<TableCopyProgress[]> {
    if (!(await this.hasBookkeeping())) return [];
    const rows = await this.rows<{ table_name: string; after_key: number; copied_rows: number; complete: boolean }>(
      sql`SELECT table_name, after_key, copied_rows, complete FROM ${sql.table(progressTable)} ORDER BY table_name`,
      'read the copy progress',
    );
    return rows.map((row) => ({ table: row.table_name, afterKey: row.after_key, copiedRows: row.copied_rows, complete: row.complete }));
  }

  async writeBatch(table: string, rows: CopyRow[], progress: TableCopyProgress): Promise<void> {
    const mappings = this.mappings.get(table) ?? [];
    if (rows.length > 0 && mappings.length === 0) throw new ImagefleetError('internal', `checkColumns was not called for ${table} before writing it.`);
    const rowsPerStatement = Math.max(1, Math.floor(parametersPerStatement / Math.max(1, mappings.length)));
    await this.run(async (transaction) => {
      for (let start = 0; start < rows.length; start += rowsPerStatement) {
        const chunk = rows.slice(start, start + rowsPerStatement);
        const values = chunk.map((row) => sql`(${sql.join(mappings.map((mapping) => valueOf(mapping, row)))})`);
        // Identity columns (events.id) take the source's ids; OVERRIDING is harmless elsewhere.
        await sql`INSERT INTO ${sql.table(checked(table))} (${sql.join(mappings.map((mapping) => sql.ref(mapping.target)))}) OVERRIDING SYSTEM VALUE VALUES ${sql.join(values)}`.execute(transaction);
      }
      await sql`
        INSERT INTO ${sql.table(progressTable)} (table_name, after_key, copied_rows, complete)
        VALUES (${table}, ${progress.afterKey}, ${progress.copiedRows}, ${progress.complete})
        ON CONFLICT (table_name) DO UPDATE SET after_key = excluded.after_key, copied_rows = excluded.copied_rows, complete = excluded.complete`.execute(transaction);
    }, `copy rows into ${table}`);
  }

  async count(table: string): Promise<number> {
    const rows = await this.rows<{ count: number }>(sql`SELECT count(*) AS count FROM ${sql.table(checked(table))}`, `count the rows of ${table}`);
    return Number(rows[0]?.count ?? 0);
  }

  async advanceSequences(): Promise<void> {
    const identities = await this.rows<{ table_name: string; column_name: string }>(
      sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`,
      'list the identity columns',
    );
    for (const { table_name: table, column_name: column } of identities) {
      if (bookkeepingTable.test(table)) continue;
      // is_called = false: the next generated value is exactly max + 1 (1 on an empty table).
      await this.rows(
        sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), COALESCE((SELECT max(${sql.ref(column)}) FROM ${sql.table(checked(table))}), 0) + 1, false)`,
        `advance the sequence of ${table}.${column}`,
      );
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private async hasBookkeeping(): Promise<boolean> {
    const rows = await this.rows<{ name: string | null }>(sql`SELECT to_regclass(${markerTable})::text AS name`, 'look for the copy marker');
    return rows[0]?.name !== null && rows[0]?.name !== undefined;
  }

  private async rows<T>(query: RawBuilder<unknown>, action: string): Promise<T[]> {
    try {
      const result = await query.execute(this.db);
      return result.rows as T[];
    } catch (error) {
      throw translatePostgresError(error, `${action} in ${this.description}`);
    }
  }

  private async run(work: (transaction: Transaction<unknown>) => Promise<void>, action: string): Promise<void> {
    try {
      await this.db.transaction().execute(work);
    } catch (error) {
      throw translatePostgresError(error, `${action} in ${this.description}`);
    }
  }
}

/** Where a canonical column goes in the target, by the naming conventions of the two schemas; undefined when nowhere. */
function mapColumn(source: string, columns: Map<string, TargetColumn>): ColumnMapping | undefined {
  const same = columns.get(source);
  if (same !== undefined) {
    if (same.data_type === 'boolean') return { source, target: source, convert: toBoolean, json: false };
    return { source, target: source, convert: (value) => value, json: same.data_type === 'jsonb' || same.data_type === 'json' };
  }
  if (source.endsWith('_json')) {
    const json = columns.get(source.slice(0, -'_json'.length));
    if (json !== undefined && (json.data_type === 'jsonb' || json.data_type === 'json')) return { source, target: json.column_name, convert: (value) => value, json: true };
  }
  if (source.endsWith('_usd')) {
    const money = columns.get(`${source.slice(0, -'_usd'.length)}_micro_usd`);
    if (money !== undefined) return { source, target: money.column_name, convert: toMicroUsd, json: false };
  }
  return undefined;
}

function valueOf(mapping: ColumnMapping, row: CopyRow): RawBuilder<unknown> {
  const value = mapping.convert(row[mapping.source] ?? null);
  return mapping.json && value !== null ? sql`${value}::jsonb` : sql`${value}`;
}

function toBoolean(value: CopyValue): CopyValue {
  if (value === null || typeof value === 'boolean') return value;
  return Number(value) !== 0;
}

function toMicroUsd(value: CopyValue): CopyValue {
  if (value === null) return null;
  return toMicroUsdOrNull(Number(value));
}

function checked(table: string): string {
  if (!tableNamePattern.test(table)) throw new ImagefleetError('internal', `"${table}" is not a table name.`);
  return table;
}
