/**
 * The webhook outbox on SQLite (issue 19). Deliveries are enqueued by `appendEvent` inside the
 * transaction that records the event, so an event a job's endpoint subscribed to and its delivery
 * row exist together or not at all — a crash between the event and the HTTP call loses nothing.
 * Workers claim rows with a lease (like tasks), so several processes never send one row at once.
 * Which events reach webhooks, the retry schedule and the signature are the engine's and core's.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { PersistedDomainEventType } from '../../core/events.js';
import { webhookEventTypeOf, webhookTestEventType } from '../../core/webhook-events.js';
import type { ClaimedWebhookDelivery, NewWebhookEndpoint, WebhookAttemptOutcome, WebhookDelivery, WebhookDeliveryStatus, WebhookOutbox } from '../../engine/ports.js';
import { hotRows } from './hot-statement.js';
import { runImmediateTransaction } from './immediate-transaction.js';
import type { Database, WebhookDeliveriesTable } from './schema.js';
import { withTranslatedErrors } from './translate-sqlite-error.js';

/** A new `webhook-id`: `msg_` and 32 hex digits. */
function newDeliveryId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** Stores a new job's endpoints; called inside the job's creating transaction. */
export async function insertWebhookEndpoints(executor: Kysely<Database>, jobId: string | null, endpoints: readonly NewWebhookEndpoint[], nowMs: number): Promise<void> {
  if (endpoints.length === 0) return;
  await executor
    .insertInto('webhook_endpoints')
    .values(endpoints.map((endpoint) => ({ id: endpoint.id, job_id: jobId, url: endpoint.url, secret: endpoint.secret, event_types_json: JSON.stringify(endpoint.eventTypes), created_at_ms: nowMs })))
    .execute();
}

/** A job's webhook endpoints as `enqueueWebhookDeliveries` reads them. */
export type JobWebhookEndpoints = ReadonlyArray<{ id: string; event_types_json: string }>;

/**
 * Enqueues one delivery per endpoint of the event's job subscribed to the event's webhook type.
 * Runs on the executor of the event's own transaction. Cheap when nothing subscribed: one index
 * seek on `webhook_endpoints (job_id)`. `endpointsByJob`: endpoints already read in this same
 * transaction, by job id (several events of one job in one batch read them once).
 */
export async function enqueueWebhookDeliveries(
  executor: Kysely<Database>,
  event: { id: number; type: PersistedDomainEventType; jobId: string | undefined; taskId: string | undefined; payload: unknown; nowMs: number },
  endpointsByJob?: Map<string, JobWebhookEndpoints>,
): Promise<void> {
  if (event.jobId === undefined) return;
  const webhookType = webhookEventTypeOf(event);
  if (webhookType === undefined) return;
  let endpoints = endpointsByJob?.get(event.jobId);
  if (endpoints === undefined) {
    // Once per completion: a fixed text, not the query builder (hot-statement.ts).
    endpoints = await hotRows<{ id: string; event_types_json: string }>(executor, 'SELECT id, event_types_json FROM webhook_endpoints WHERE job_id = ?', [event.jobId]);
    endpointsByJob?.set(event.jobId, endpoints);
  }
  const subscribed = endpoints.filter((endpoint) => (JSON.parse(endpoint.event_types_json) as string[]).includes(webhookType));
  if (subscribed.length === 0) return;
  await executor
    .insertInto('webhook_deliveries')
    .values(
      subscribed.map((endpoint) => ({
        id: newDeliveryId(),
        endpoint_id: endpoint.id,
        event_id: event.id,
        event_type: webhookType,
        job_id: event.jobId ?? null,
        task_id: event.taskId ?? null,
        event_payload_json: JSON.stringify(event.payload),
        body: null,
        status: 'pending',
        next_attempt_at_ms: event.nowMs,
        created_at_ms: event.nowMs,
      })),
    )
    .onConflict((conflict) => conflict.columns(['event_id', 'endpoint_id']).doNothing())
    .execute();
}

type DeliveryRow = Selectable<WebhookDeliveriesTable> & { url: string };

/** `WebhookOutbox` on SQLite. */
export class SqliteWebhookOutbox implements WebhookOutbox {
  constructor(private readonly db: Kysely<Database>) {}

  async claimDue(input: { nowMs: number; leaseMs: number; limit: number }): Promise<ClaimedWebhookDelivery[]> {
    return withTranslatedErrors('claim webhook deliveries', async () => {
      // The deliverer looks after every completion; with nothing due (the common case) one index
      // probe answers, instead of the write lock, the join and a commit (issue 20). A row committed
      // after the probe is found by the next look, as it would be had this look come a moment earlier.
      const [anyDue] = await hotRows<{ id: string }>(this.db, "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at_ms <= ? LIMIT 1", [input.nowMs]);
      if (anyDue === undefined) return [];
      return runImmediateTransaction(this.db, async (executor) => {
        const rows = await executor
          .selectFrom('webhook_deliveries')
          .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
          .selectAll('webhook_deliveries')
          .select(['webhook_endpoints.url', 'webhook_endpoints.secret'])
          .where('webhook_deliveries.status', '=', 'pending')
          .where('webhook_deliveries.next_attempt_at_ms', '<=', input.nowMs)
          .where((where) => where.or([where('webhook_deliveries.lease_expires_at_ms', 'is', null), where('webhook_deliveries.lease_expires_at_ms', '<=', input.nowMs)]))
          .orderBy('webhook_deliveries.next_attempt_at_ms')
          .orderBy('webhook_deliveries.id')
          .limit(input.limit)
          .execute();
        const claimed: ClaimedWebhookDelivery[] = [];
        for (const row of rows) {
          const leaseToken = randomUUID();
          await executor
            .updateTable('webhook_deliveries')
            .set({ lease_token: leaseToken, lease_expires_at_ms: input.nowMs + input.leaseMs })
            .where('id', '=', row.id)
            .execute();
          claimed.push({ delivery: rowToDelivery(row), body: row.body ?? undefined, secret: row.secret, leaseToken });
        }
        return claimed;
      });
    });
  }

  async saveBody(deliveryId: string, leaseToken: string, body: string): Promise<boolean> {
    return withTranslatedErrors('save a webhook body', async () => {
      const result = await this.db.updateTable('webhook_deliveries').set({ body }).where('id', '=', deliveryId).where('lease_token', '=', leaseToken).where('body', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  async recordAttempt(input: { deliveryId: string; leaseToken: string; nowMs: number; body: string; outcome: WebhookAttemptOutcome }): Promise<boolean> {
    const { outcome } = input;
    return withTranslatedErrors('record a webhook attempt', async () => {
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set((expression) => ({
          attempts: expression('attempts', '+', 1),
          body: input.body,
          status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
          next_attempt_at_ms: outcome.kind === 'retry' ? outcome.nextAttemptAtMs : input.nowMs,
          lease_token: null,
          lease_expires_at_ms: null,
          last_attempt_at_ms: input.nowMs,
          last_status_code: outcome.statusCode ?? null,
          last_error: outcome.kind === 'delivered' ? null : outcome.error,
          finished_at_ms: outcome.kind === 'retry' ? null : input.nowMs,
        }))
        .where('id', '=', input.deliveryId)
        .where('lease_token', '=', input.leaseToken)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  async releaseDelivery(deliveryId: string, leaseToken: string): Promise<boolean> {
    return withTranslatedErrors('release a webhook delivery', async () => {
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set({ lease_token: null, lease_expires_at_ms: null })
        .where('id', '=', deliveryId)
        .where('lease_token', '=', leaseToken)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  async enqueueTest(input: { endpoint: NewWebhookEndpoint; nowMs: number; payload: Record<string, unknown> }): Promise<WebhookDelivery> {
    return withTranslatedErrors('enqueue a test webhook', () =>
      runImmediateTransaction(this.db, async (executor) => {
        await insertWebhookEndpoints(executor, null, [input.endpoint], input.nowMs);
        const id = newDeliveryId();
        await executor
          .insertInto('webhook_deliveries')
          .values({
            id,
            endpoint_id: input.endpoint.id,
            event_id: null,
            event_type: webhookTestEventType,
            job_id: null,
            task_id: null,
            event_payload_json: JSON.stringify(input.payload),
            body: null,
            status: 'pending',
            next_attempt_at_ms: input.nowMs,
            created_at_ms: input.nowMs,
          })
          .execute();
        const row = await executor
          .selectFrom('webhook_deliveries')
          .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
          .selectAll('webhook_deliveries')
          .select('webhook_endpoints.url')
          .where('webhook_deliveries.id', '=', id)
          .executeTakeFirstOrThrow();
        return rowToDelivery(row);
      }),
    );
  }

  async listDeliveries(filter: { jobId?: string | undefined; status?: WebhookDeliveryStatus | undefined; limit: number }): Promise<WebhookDelivery[]> {
    return withTranslatedErrors('list webhook deliveries', async () => {
      let query = this.db
        .selectFrom('webhook_deliveries')
        .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
        .selectAll('webhook_deliveries')
        .select('webhook_endpoints.url');
      if (filter.jobId !== undefined) query = query.where('webhook_deliveries.job_id', '=', filter.jobId);
      if (filter.status !== undefined) query = query.where('webhook_deliveries.status', '=', filter.status);
      const rows = await query.orderBy('webhook_deliveries.created_at_ms', 'desc').orderBy('webhook_deliveries.id', 'desc').limit(filter.limit).execute();
      return rows.map(rowToDelivery);
    });
  }

  async pendingCount(jobId?: string): Promise<number> {
    return withTranslatedErrors('count pending webhook deliveries', async () => {
      let query = this.db.selectFrom('webhook_deliveries').select((expression) => expression.fn.countAll<number>().as('count')).where('status', '=', 'pending');
      if (jobId !== undefined) query = query.where('job_id', '=', jobId);
      const row = await query.executeTakeFirst();
      return Number(row?.count ?? 0);
    });
  }

  async nextDueAtMs(nowMs: number): Promise<number | undefined> {
    return withTranslatedErrors('read the next webhook due time', async () => {
      // Asked after every completion (the deliverer's wake): a fixed text, not the query builder (hot-statement.ts).
      const [row] = await hotRows<{ due: number | null }>(
        this.db,
        "SELECT min(next_attempt_at_ms) AS due FROM webhook_deliveries WHERE status = 'pending' AND (lease_expires_at_ms IS NULL OR lease_expires_at_ms <= ?)",
        [nowMs],
      );
      return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
    });
  }

  async pruneFinished(beforeMs: number): Promise<number> {
    return withTranslatedErrors('prune old webhook deliveries', async () => {
      const result = await this.db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('finished_at_ms', '<', beforeMs).executeTakeFirst();
      // Test endpoints live only as long as their deliveries.
      await this.db
        .deleteFrom('webhook_endpoints')
        .where('job_id', 'is', null)
        .where((expression) => expression.not(expression.exists(expression.selectFrom('webhook_deliveries').select('id').whereRef('webhook_deliveries.endpoint_id', '=', 'webhook_endpoints.id'))))
        .execute();
      return Number(result.numDeletedRows);
    });
  }
}

function rowToDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    url: row.url,
    eventType: row.event_type,
    jobId: row.job_id ?? undefined,
    taskId: row.task_id ?? undefined,
    eventPayload: JSON.parse(row.event_payload_json) as Record<string, unknown>,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastAttemptAtMs: row.last_attempt_at_ms ?? undefined,
    lastStatusCode: row.last_status_code ?? undefined,
    lastError: row.last_error ?? undefined,
    createdAtMs: row.created_at_ms,
    finishedAtMs: row.finished_at_ms ?? undefined,
  };
}
