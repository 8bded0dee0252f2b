/**
 * The webhook outbox on Postgres (`WebhookOutbox` port; docs/decisions/0019). Deliveries are
 * enqueued with their event (postgres-webhook-writes.ts), so an event and its delivery commit
 * together. Senders on several machines lease due rows `FOR UPDATE SKIP LOCKED`, so two never
 * take the same row and none waits for another. Which events reach webhooks, the retry schedule
 * and the signature are the engine's and core's.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { webhookTestEventType } from '../../core/webhook-events.js';
import type { ClaimedWebhookDelivery, NewWebhookEndpoint, WebhookAttemptOutcome, WebhookDelivery, WebhookDeliveryStatus, WebhookOutbox } from '../../engine/ports.js';
import { runPostgresTransaction } from './postgres-transaction.js';
import { insertPostgresWebhookEndpoints, newDeliveryId } from './postgres-webhook-writes.js';
import type { PostgresDatabase, WebhookDeliveriesTable } from './schema.js';
import { withTranslatedPostgresErrors as withTranslatedErrors } from './translate-postgres-error.js';

type DeliveryRow = Selectable<WebhookDeliveriesTable> & { url: string };

/** `WebhookOutbox` on Postgres. */
export class PostgresWebhookOutbox implements WebhookOutbox {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  async claimDue(input: { nowMs: number; leaseMs: number; limit: number }): Promise<ClaimedWebhookDelivery[]> {
    return withTranslatedErrors('claim webhook deliveries', () =>
      runPostgresTransaction(this.db, async (executor) => {
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
          .forUpdate(['webhook_deliveries'])
          .skipLocked()
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
      }),
    );
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
      runPostgresTransaction(this.db, async (executor) => {
        await insertPostgresWebhookEndpoints(executor, null, [input.endpoint], input.nowMs);
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
            event_payload: JSON.stringify(input.payload),
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
      const row = await this.db
        .selectFrom('webhook_deliveries')
        .select((expression) => expression.fn.min<number>('next_attempt_at_ms').as('due'))
        .where('status', '=', 'pending')
        .where((where) => where.or([where('lease_expires_at_ms', 'is', null), where('lease_expires_at_ms', '<=', nowMs)]))
        .executeTakeFirst();
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
    eventPayload: row.event_payload as Record<string, unknown>,
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
