/**
 * Postgres schema migrations: a static list (explicit imports; survives bundling) at the same
 * logical version as SQLite's (`../database/migrate.ts`). Postgres starts at one baseline,
 * `0011-baseline`, equal to SQLite after 0001–0011; a later schema change adds the same number to
 * both lists (docs/decisions/0039).
 */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { ImagefleetError } from '../../core/errors.js';
import * as baselineMigration from './migrations/0011-baseline.js';
import * as learnedRatesMigration from './migrations/0012-learned-rates.js';
import * as imageCrc32Migration from './migrations/0014-image-crc32.js';
import type { PostgresDatabase } from './schema.js';
import { translatePostgresError } from './translate-postgres-error.js';

/** Every Postgres migration this version knows, by name. Add new ones at the end; never rename or edit one. */
export const postgresMigrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0011-baseline': baselineMigration,
  '0012-learned-rates': learnedRatesMigration,
  '0014-image-crc32': imageCrc32Migration,
});

const migrationTableName = 'kysely_migration';

const staticProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...postgresMigrations }),
};

/**
 * Brings the schema up to date; returns the names of the migrations it applied (empty when current).
 * Kysely's Postgres adapter runs the whole set in one transaction under an advisory lock, so
 * processes starting together migrate once, one after the other. `storage_unavailable` when the
 * database was migrated by a newer imagefleet or a migration fails; `where` names the database in
 * messages (never with its password).
 */
export async function migratePostgresToLatest(db: Kysely<PostgresDatabase>, where: string): Promise<string[]> {
  let unknownNames: string[];
  try {
    unknownNames = await findUnknownMigrations(db);
  } catch (error) {
    throw translatePostgresError(error, `read the schema version of ${where}`);
  }
  if (unknownNames.length > 0) {
    throw new ImagefleetError(
      'storage_unavailable',
      `The database ${where} was created by a newer version of imagefleet (unknown migrations: ${unknownNames.join(', ')}); upgrade imagefleet or point it at another database.`,
    );
  }
  const migrator = new Migrator({ db, provider: staticProvider, migrationTableName });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const translated = translatePostgresError(error, `migrate ${where}`);
    if (translated.code === 'storage_unavailable') throw translated;
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'setup';
    throw new ImagefleetError(
      'storage_unavailable',
      `Migration ${failed} of ${where} failed (${describe(error)}); nothing was changed, so restore a backup or report the problem.`,
      { cause: error },
    );
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

async function findUnknownMigrations(db: Kysely<PostgresDatabase>): Promise<string[]> {
  const table = await sql<{ name: string | null }>`SELECT to_regclass(${migrationTableName})::text AS name`.execute(db);
  if (table.rows[0]?.name === null || table.rows[0]?.name === undefined) return [];
  const applied = await sql<{ name: string }>`SELECT name FROM ${sql.table(migrationTableName)} ORDER BY name`.execute(db);
  return applied.rows.map((row) => row.name).filter((name) => !(name in postgresMigrations));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
