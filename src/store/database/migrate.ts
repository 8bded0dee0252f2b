/**
 * Schema migrations. The list is static (explicit imports, no directory scan) so it survives
 * bundling by Next.js and single-file builds. Names sort in the order they must run.
 */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { ImagefleetError } from '../../core/errors.js';
import { runImmediateTransaction } from './immediate-transaction.js';
import * as initialMigration from './migrations/0001-initial.js';
import * as statusIndexesMigration from './migrations/0002-status-indexes.js';
import * as queuePositionMigration from './migrations/0003-queue-position.js';
import * as groupImagesKeysetMigration from './migrations/0004-group-images-keyset.js';
import * as assetsNewestFirstMigration from './migrations/0005-assets-newest-first.js';
import * as assetSourceNamesMigration from './migrations/0006-asset-source-names.js';
import * as webhooksMigration from './migrations/0008-webhooks.js';
import * as webSessionsMigration from './migrations/0009-web-sessions.js';
import * as taskRunOnlineMigration from './migrations/0010-task-run-online.js';
import * as cliSessionsMigration from './migrations/0011-cli-sessions.js';
import * as learnedRatesMigration from './migrations/0012-learned-rates.js';
import * as imageCrc32Migration from './migrations/0014-image-crc32.js';
import type { Database } from './schema.js';
import { translateSqliteError } from './translate-sqlite-error.js';

/** Every migration this version knows, by name. Add new ones at the end; never rename or edit one. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-initial': initialMigration,
  '0002-status-indexes': statusIndexesMigration,
  '0003-queue-position': queuePositionMigration,
  '0004-group-images-keyset': groupImagesKeysetMigration,
  '0005-assets-newest-first': assetsNewestFirstMigration,
  '0006-asset-source-names': assetSourceNamesMigration,
  '0008-webhooks': webhooksMigration,
  '0009-web-sessions': webSessionsMigration,
  '0010-task-run-online': taskRunOnlineMigration,
  '0011-cli-sessions': cliSessionsMigration,
  '0012-learned-rates': learnedRatesMigration,
  '0014-image-crc32': imageCrc32Migration,
});

const migrationTableName = 'kysely_migration';

/** A Kysely migration provider over the static `migrations` list. */
export const staticMigrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};

/**
 * Brings the schema up to date; returns the names of the migrations it applied (empty when the
 * schema was already current, so calling it on every open is cheap and idempotent).
 *
 * The whole run holds SQLite's write lock (`BEGIN IMMEDIATE`), so a web server and a worker starting
 * together on the same file migrate once, one after the other, instead of racing.
 *
 * Throws `storage_unavailable` when the database was migrated by a newer imagefleet (it lists
 * migrations this code does not know) and when a migration fails.
 */
export async function migrateToLatest(db: Kysely<Database>, filePath: string): Promise<string[]> {
  try {
    return await runImmediateTransaction(db, async (connection) => {
      const unknownNames = await findUnknownMigrations(connection);
      if (unknownNames.length > 0) {
        throw new ImagefleetError(
          'storage_unavailable',
          `The database ${filePath} was created by a newer version of imagefleet (unknown migrations: ${unknownNames.join(', ')}); upgrade imagefleet or point it at another data directory.`,
        );
      }
      const migrator = new Migrator({
        db: connection,
        provider: staticMigrationProvider,
        migrationTableName,
        // The surrounding BEGIN IMMEDIATE already makes the run atomic; Kysely's own BEGIN would nest.
        disableTransactions: true,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error !== undefined) {
        const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'setup';
        throw new MigrationFailure(failed, error);
      }
      return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
    });
  } catch (error) {
    if (error instanceof MigrationFailure) {
      const translated = translateSqliteError(error.cause, `migrate the database ${filePath}`);
      if (translated.code === 'storage_unavailable') throw translated;
      throw new ImagefleetError(
        'storage_unavailable',
        `Migration ${error.migrationName} of the database ${filePath} failed (${describe(error.cause)}); nothing was changed, so restore a backup or report the problem.`,
        { cause: error.cause },
      );
    }
    throw translateSqliteError(error, `migrate the database ${filePath}`);
  }
}

async function findUnknownMigrations(connection: Kysely<Database>): Promise<string[]> {
  const table = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${migrationTableName}`.execute(connection);
  if (table.rows.length === 0) return [];
  const applied = await sql<{ name: string }>`SELECT name FROM ${sql.table(migrationTableName)} ORDER BY name`.execute(connection);
  return applied.rows.map((row) => row.name).filter((name) => !(name in migrations));
}

// Carries the failed migration's name out of the transaction so the message can name it.
class MigrationFailure extends Error {
  constructor(
    readonly migrationName: string,
    override readonly cause: unknown,
  ) {
    super(`migration ${migrationName} failed`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
