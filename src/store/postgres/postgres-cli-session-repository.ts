/** `CliSessionRepository` on Postgres; the settings are `jsonb`. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { CliSessionRecord, CliSessionRepository } from '../../engine/ports.js';
import type { CliSessionsTable, PostgresDatabase } from './schema.js';
import { withTranslatedPostgresErrors } from './translate-postgres-error.js';

export class PostgresCliSessionRepository implements CliSessionRepository {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  async saveSession(record: CliSessionRecord, nowMs: number): Promise<void> {
    await withTranslatedPostgresErrors(`store the record of session ${record.sessionId}`, async () => {
      const row = recordToRow(record, nowMs);
      const { session_id: _sessionId, ...changes } = row;
      await this.db
        .insertInto('cli_sessions')
        .values(row)
        .onConflict((conflict) => conflict.column('session_id').doUpdateSet(changes))
        .execute();
    });
  }

  async insertSessionIfAbsent(record: CliSessionRecord, nowMs: number): Promise<boolean> {
    return withTranslatedPostgresErrors(`import the record of session ${record.sessionId}`, async () => {
      const result = await this.db
        .insertInto('cli_sessions')
        .values(recordToRow(record, nowMs))
        .onConflict((conflict) => conflict.column('session_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  async findSession(sessionId: string): Promise<CliSessionRecord | undefined> {
    return withTranslatedPostgresErrors(`read the record of session ${sessionId}`, async () => {
      const row = await this.db.selectFrom('cli_sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
      return row === undefined ? undefined : rowToRecord(row);
    });
  }

  async listSessions(): Promise<CliSessionRecord[]> {
    return withTranslatedPostgresErrors('list the CLI sessions', async () => {
      const rows = await this.db.selectFrom('cli_sessions').selectAll().orderBy('created_at', 'desc').orderBy('session_id', 'desc').execute();
      return rows.map(rowToRecord);
    });
  }

  async removeSession(sessionId: string): Promise<void> {
    await withTranslatedPostgresErrors(`remove the record of session ${sessionId}`, async () => {
      await this.db.deleteFrom('cli_sessions').where('session_id', '=', sessionId).execute();
    });
  }
}

function recordToRow(record: CliSessionRecord, nowMs: number): Insertable<CliSessionsTable> & { session_id: string } {
  return {
    session_id: record.sessionId,
    job_id: record.jobId,
    created_at: record.createdAt,
    working_directory: record.workingDirectory,
    output_directory: record.outputDirectory,
    layout: record.layout,
    parent_session_id: record.parentSessionId,
    settings: JSON.stringify(record.settings),
    updated_at_ms: nowMs,
  };
}

function rowToRecord(row: Selectable<CliSessionsTable>): CliSessionRecord {
  return {
    sessionId: row.session_id,
    jobId: row.job_id,
    createdAt: row.created_at,
    workingDirectory: row.working_directory,
    outputDirectory: row.output_directory,
    layout: row.layout,
    parentSessionId: row.parent_session_id,
    settings: row.settings as Record<string, unknown>,
  };
}
