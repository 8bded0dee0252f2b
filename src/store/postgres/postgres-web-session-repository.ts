/** Web sessions and server secrets on Postgres (the `WebSessionRepository` port). Persists only; `core/web-session.ts` decides. */
import type { Kysely, Selectable } from 'kysely';
import type { WebSessionRecord } from '../../core/web-session.js';
import type { WebSessionRepository } from '../../engine/ports.js';
import type { PostgresDatabase, WebSessionsTable } from './schema.js';
import { withTranslatedPostgresErrors } from './translate-postgres-error.js';

export class PostgresWebSessionRepository implements WebSessionRepository {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  async serverSecret(name: string, generate: () => string, nowMs: number): Promise<string> {
    return withTranslatedPostgresErrors('read the server secret', async () => {
      const existing = await this.db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
      if (existing !== undefined) return existing.value;
      await this.db
        .insertInto('server_secrets')
        .values({ name, value: generate(), created_at_ms: nowMs })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .execute();
      const stored = await this.db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return stored.value;
    });
  }

  async setServerSecret(name: string, value: string, nowMs: number): Promise<void> {
    await withTranslatedPostgresErrors('store a server secret', async () => {
      await this.db
        .insertInto('server_secrets')
        .values({ name, value, created_at_ms: nowMs })
        .onConflict((conflict) => conflict.column('name').doUpdateSet({ value, created_at_ms: nowMs }))
        .execute();
    });
  }

  async createSession(session: WebSessionRecord): Promise<void> {
    await withTranslatedPostgresErrors('store a web session', async () => {
      await this.db
        .insertInto('web_sessions')
        .values({
          id: session.id,
          created_at_ms: session.createdAtMs,
          expires_at_ms: session.expiresAtMs,
          last_seen_at_ms: session.lastSeenAtMs,
          revoked_at_ms: session.revokedAtMs ?? null,
          user_agent_note: session.userAgentNote,
        })
        .execute();
    });
  }

  async findSession(id: string): Promise<WebSessionRecord | undefined> {
    return withTranslatedPostgresErrors('read a web session', async () => {
      const row = await this.db.selectFrom('web_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToWebSession(row);
    });
  }

  async touchSession(id: string, lastSeenAtMs: number): Promise<void> {
    await withTranslatedPostgresErrors('update a web session', async () => {
      await this.db.updateTable('web_sessions').set({ last_seen_at_ms: lastSeenAtMs }).where('id', '=', id).where('last_seen_at_ms', '<', lastSeenAtMs).execute();
    });
  }

  async revokeSession(id: string, nowMs: number): Promise<boolean> {
    return withTranslatedPostgresErrors('revoke a web session', async () => {
      const result = await this.db.updateTable('web_sessions').set({ revoked_at_ms: nowMs }).where('id', '=', id).where('revoked_at_ms', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  async revokeAllSessions(nowMs: number): Promise<number> {
    return withTranslatedPostgresErrors('revoke every web session', async () => {
      const result = await this.db.updateTable('web_sessions').set({ revoked_at_ms: nowMs }).where('revoked_at_ms', 'is', null).where('expires_at_ms', '>', nowMs).executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }

  async pruneEndedSessions(nowMs: number, idleBeforeMs: number): Promise<number> {
    return withTranslatedPostgresErrors('prune web sessions', async () => {
      const result = await this.db
        .deleteFrom('web_sessions')
        .where((where) => where.or([where('revoked_at_ms', 'is not', null), where('expires_at_ms', '<=', nowMs), where('last_seen_at_ms', '<=', idleBeforeMs)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}

function rowToWebSession(row: Selectable<WebSessionsTable>): WebSessionRecord {
  return {
    id: row.id,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    lastSeenAtMs: row.last_seen_at_ms,
    revokedAtMs: row.revoked_at_ms ?? undefined,
    userAgentNote: row.user_agent_note,
  };
}
