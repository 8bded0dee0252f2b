/**
 * The durable event log (DESIGN §5.8): domain events (`core/events.ts`) are rows, so the SSE
 * stream, the CLI and other processes tail them by id and nothing is missed across restarts; each
 * is also published in-process once the transaction that wrote it commits.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { parseDomainEvent, type PersistedDomainEvent } from '../../core/events.js';
import type { EventLog, StoredEvent } from '../../engine/ports.js';
import { hotRows, hotRun } from './hot-statement.js';
import { publishAfterCommit, runImmediateTransaction } from './immediate-transaction.js';
import type { Database, EventsTable } from './schema.js';
import { withTranslatedErrors } from './translate-sqlite-error.js';
import { enqueueWebhookDeliveries, type JobWebhookEndpoints } from './webhook-outbox.js';

/**
 * An event to append: one persisted event of the vocabulary (`type`, `jobId`/`taskId` where the
 * type has them, its typed `payload`) and `nowMs`, when it happened in epoch ms (also the basis of
 * pruning).
 */
export type NewEvent = PersistedDomainEvent & { nowMs: number };

/** How many events `readEvents` returns when no limit is given. */
export const defaultEventPageSize = 500;

/**
 * Appends one event using `executor`, which may be a transaction: the queue appends inside the same
 * transaction as the state change it reports, so an event exists if and only if the change does.
 * Errors are not translated here; the caller's transaction wrapper does that.
 *
 * Events a job's webhook endpoints subscribed to also get their outbox rows here, on the same
 * executor, so the delivery commits with the event (issue 19). The event is published on the
 * in-process bus only after it commits (`publishAfterCommit`).
 */
export async function appendEvent(executor: Kysely<Database> | Transaction<Database>, event: NewEvent): Promise<void> {
  // Two or more per task: a fixed text, not the query builder (hot-statement.ts).
  const inserted = await hotRun(executor, 'INSERT INTO events (type, job_id, task_id, payload_json, created_at_ms) VALUES (?, ?, ?, ?, ?)', [
    event.type,
    event.jobId ?? null,
    event.taskId ?? null,
    JSON.stringify(event.payload),
    event.nowMs,
  ]);
  await enqueueWebhookDeliveries(executor, { id: Number(inserted.insertId), type: event.type, jobId: event.jobId, taskId: event.taskId, payload: event.payload, nowMs: event.nowMs });
  publishAfterCommit(executor, domainEventOf(event));
}

/** Rows per multi-row event insert. */
const maxEventsPerInsert = 1_000;

/**
 * Appends several events in one statement, in order, with the same guarantees as `appendEvent`
 * for each (outbox rows, publish after commit). Used where a claim or a group commit writes an
 * event per task, so a batch of tasks costs one insert instead of one per task.
 */
export async function appendEvents(executor: Kysely<Database> | Transaction<Database>, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (events.length === 1) return appendEvent(executor, events[0]!);
  if (events.length > maxEventsPerInsert) {
    // Far below SQLite's 32,766 bound parameters (5 per row).
    for (let start = 0; start < events.length; start += maxEventsPerInsert) await appendEvents(executor, events.slice(start, start + maxEventsPerInsert));
    return;
  }
  const parameters: Array<string | number | null> = [];
  for (const event of events) parameters.push(event.type, event.jobId ?? null, event.taskId ?? null, JSON.stringify(event.payload), event.nowMs);
  const rows = await hotRows<{ id: number | bigint }>(
    executor,
    `INSERT INTO events (type, job_id, task_id, payload_json, created_at_ms) VALUES ${events.map(() => '(?, ?, ?, ?, ?)').join(', ')} RETURNING id`,
    parameters,
  );
  // Ids grow in insertion order; RETURNING's own row order is not promised.
  const ids = rows.map((row) => Number(row.id)).sort((left, right) => left - right);
  const endpointsByJob = new Map<string, JobWebhookEndpoints>();
  for (const [index, event] of events.entries()) {
    await enqueueWebhookDeliveries(executor, { id: ids[index]!, type: event.type, jobId: event.jobId, taskId: event.taskId, payload: event.payload, nowMs: event.nowMs }, endpointsByJob);
    publishAfterCommit(executor, domainEventOf(event));
  }
}

/** The event as listeners get it: what was appended, less `nowMs` (the log's `createdAtMs`, which listeners do not need). */
function domainEventOf(event: NewEvent): PersistedDomainEvent {
  const { nowMs: _nowMs, ...domainEvent } = event;
  return domainEvent;
}

/** `EventLog` on SQLite. */
export class SqliteEventLog implements EventLog {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one event outside any transaction (for callers that have none of their own). */
  async appendEvent(event: NewEvent): Promise<void> {
    await withTranslatedErrors(`record a ${event.type} event`, () => runImmediateTransaction(this.db, (executor) => appendEvent(executor, event)));
  }

  async readEvents(afterId: number, filter: { jobId?: string; limit?: number }): Promise<StoredEvent[]> {
    return withTranslatedErrors('read events', async () => {
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
    return withTranslatedErrors('read the newest event id', async () => {
      const row = await this.db.selectFrom('events').select((expression) => expression.fn.max<number>('id').as('id')).executeTakeFirst();
      return Number(row?.id ?? 0);
    });
  }

  async pruneEvents(beforeMs: number): Promise<number> {
    return withTranslatedErrors('prune old events', async () => {
      const result = await this.db.deleteFrom('events').where('created_at_ms', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}

/**
 * A row as a typed event when it fits the vocabulary; otherwise passed on unrecognised (not
 * skipped: SSE keeps forwarding rows another version wrote, and a cursor never stalls behind them).
 * The payload handed on is the row's own, not zod's copy, so fields the schema does not list survive.
 */
function rowToEvent(row: Selectable<EventsTable>): StoredEvent {
  const payload: unknown = JSON.parse(row.payload_json);
  const jobId = row.job_id ?? undefined;
  const taskId = row.task_id ?? undefined;
  const position = { id: row.id, createdAtMs: row.created_at_ms };
  const parsed = parseDomainEvent({ type: row.type, ...(jobId === undefined ? {} : { jobId }), ...(taskId === undefined ? {} : { taskId }), payload });
  if (parsed === undefined || parsed.type === 'task.progress') {
    return { ...position, recognised: false, type: 'unrecognised', storedType: row.type, jobId, taskId, payload };
  }
  return { ...parsed, jobId, taskId, payload, ...position, recognised: true } as StoredEvent;
}
