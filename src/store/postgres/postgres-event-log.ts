/**
 * The durable event log on Postgres (DESIGN §5.8). Readers tail it by id, so an id must never
 * become visible after a larger one: with a plain identity column two transactions can commit out
 * of id order and a reader that already moved past the larger id would skip the smaller one
 * forever. Here every transaction that appends events takes the `eventTail` advisory lock before
 * its first append and keeps it to COMMIT, so ids are handed out in commit order and a reader that
 * sees id n has seen every committed id below it (docs/decisions/0039 compares the alternatives).
 */
import type { Kysely, Selectable } from 'kysely';
import { parseDomainEvent, type PersistedDomainEvent } from '../../core/events.js';
import type { EventLog, StoredEvent } from '../../engine/ports.js';
import { advisoryLockKeys, takeTransactionLock } from './advisory-locks.js';
import { publishAfterPostgresCommit } from './postgres-transaction.js';
import type { EventsTable, PostgresDatabase } from './schema.js';
import { enqueuePostgresWebhookDeliveries, type PostgresJobWebhookEndpoints } from './postgres-webhook-writes.js';
import { withTranslatedPostgresErrors } from './translate-postgres-error.js';

/** An event to append: one persisted event of the vocabulary and `nowMs`, when it happened in epoch ms. */
export type NewPostgresEvent = PersistedDomainEvent & { nowMs: number };

/** Events per insert of `appendPostgresEvents`: 5 parameters each, far below Postgres' 65,535. */
const maxEventsPerInsert = 1_000;

/** How many events `readEvents` returns when no limit is given (as on SQLite). */
export const defaultEventPageSize = 500;

/**
 * Appends one event inside the caller's transaction (`executor` must be one: the tail lock is
 * transaction-scoped), with the outbox rows of the webhooks subscribed to it, returning its id;
 * published on the bus after COMMIT. Taking the lock again in the same transaction is free, so
 * every append takes it.
 */
export async function appendPostgresEvent(executor: Kysely<PostgresDatabase>, event: NewPostgresEvent): Promise<number> {
  await takeTransactionLock(executor, advisoryLockKeys.eventTail);
  const inserted = await executor
    .insertInto('events')
    .values({ type: event.type, job_id: event.jobId ?? null, task_id: event.taskId ?? null, payload: JSON.stringify(event.payload), created_at_ms: event.nowMs })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueuePostgresWebhookDeliveries(executor, { id: inserted.id, type: event.type, jobId: event.jobId, taskId: event.taskId, payload: event.payload, nowMs: event.nowMs });
  const { nowMs: _nowMs, ...domainEvent } = event;
  publishAfterPostgresCommit(executor, domainEvent);
  return inserted.id;
}

/**
 * Appends events in order inside the caller's transaction, as `appendPostgresEvent` one after the
 * other would: the tail lock once, one multi-row insert, each event's outbox rows (a job's webhook
 * endpoints read once per batch), each published after COMMIT. For a group commit's events.
 */
export async function appendPostgresEvents(executor: Kysely<PostgresDatabase>, events: readonly NewPostgresEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (events.length === 1) {
    await appendPostgresEvent(executor, events[0]!);
    return;
  }
  await takeTransactionLock(executor, advisoryLockKeys.eventTail);
  const endpointsByJob = new Map<string, PostgresJobWebhookEndpoints>();
  for (let start = 0; start < events.length; start += maxEventsPerInsert) {
    const slice = events.slice(start, start + maxEventsPerInsert);
    const inserted = await executor
      .insertInto('events')
      .values(slice.map((event) => ({ type: event.type, job_id: event.jobId ?? null, task_id: event.taskId ?? null, payload: JSON.stringify(event.payload), created_at_ms: event.nowMs })))
      .returning('id')
      .execute();
    // The identity hands out ids in the order the rows are inserted; RETURNING's own order is not promised.
    const ids = inserted.map((row) => Number(row.id)).sort((left, right) => left - right);
    for (const [index, event] of slice.entries()) {
      await enqueuePostgresWebhookDeliveries(executor, { id: ids[index]!, type: event.type, jobId: event.jobId, taskId: event.taskId, payload: event.payload, nowMs: event.nowMs }, endpointsByJob);
      const { nowMs: _nowMs, ...domainEvent } = event;
      publishAfterPostgresCommit(executor, domainEvent);
    }
  }
}

/** `EventLog` on Postgres: the read side. */
export class PostgresEventLog implements EventLog {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  async readEvents(afterId: number, filter: { jobId?: string; limit?: number }): Promise<StoredEvent[]> {
    return withTranslatedPostgresErrors('read events', async () => {
      let query = this.db.selectFrom('events').selectAll().where('id', '>', afterId);
      if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
      const rows = await query
        .orderBy('id', 'asc')
        .limit(filter.limit ?? defaultEventPageSize)
        .execute();
      return rows.map(rowToEvent);
    });
  }

  async lastEventId(): Promise<number> {
    return withTranslatedPostgresErrors('read the newest event id', async () => {
      const row = await this.db.selectFrom('events').select((expression) => expression.fn.max('id').as('id')).executeTakeFirst();
      return Number(row?.id ?? 0);
    });
  }

  async pruneEvents(beforeMs: number): Promise<number> {
    return withTranslatedPostgresErrors('prune old events', async () => {
      const result = await this.db.deleteFrom('events').where('created_at_ms', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}

/** A row as a typed event when it fits the vocabulary, otherwise passed on unrecognised (as on SQLite: a cursor never stalls). */
function rowToEvent(row: Selectable<EventsTable>): StoredEvent {
  const payload = row.payload;
  const jobId = row.job_id ?? undefined;
  const taskId = row.task_id ?? undefined;
  const position = { id: row.id, createdAtMs: row.created_at_ms };
  const parsed = parseDomainEvent({ type: row.type, ...(jobId === undefined ? {} : { jobId }), ...(taskId === undefined ? {} : { taskId }), payload });
  if (parsed === undefined || parsed.type === 'task.progress') {
    return { ...position, recognised: false, type: 'unrecognised', storedType: row.type, jobId, taskId, payload };
  }
  return { ...parsed, jobId, taskId, payload, ...position, recognised: true } as StoredEvent;
}
