/**
 * The webhook rows written inside other repositories' transactions on Postgres: a job's endpoints
 * (with the job) and the outbox rows of an event (with the event), so an event and its delivery
 * exist together or not at all (docs/decisions/0019). Which events reach webhooks is core's.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PersistedDomainEventType } from '../../core/events.js';
import { webhookEventTypeOf } from '../../core/webhook-events.js';
import type { NewWebhookEndpoint } from '../../engine/ports.js';
import type { PostgresDatabase } from './schema.js';

/** A new `webhook-id`: `msg_` and 32 hex digits. */
export function newDeliveryId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** Stores a job's endpoints (`jobId` null for a test endpoint); inside the job's creating transaction. */
export async function insertPostgresWebhookEndpoints(executor: Kysely<PostgresDatabase>, jobId: string | null, endpoints: readonly NewWebhookEndpoint[], nowMs: number): Promise<void> {
  if (endpoints.length === 0) return;
  await executor
    .insertInto('webhook_endpoints')
    .values(endpoints.map((endpoint) => ({ id: endpoint.id, job_id: jobId, url: endpoint.url, secret: endpoint.secret, event_types: JSON.stringify(endpoint.eventTypes), created_at_ms: nowMs })))
    .execute();
}

/** A job's webhook endpoints as `enqueuePostgresWebhookDeliveries` reads them. */
export type PostgresJobWebhookEndpoints = ReadonlyArray<{ id: string; event_types: string[] }>;

/**
 * One delivery per endpoint of the event's job subscribed to its webhook type; on the event's own
 * transaction. `endpointsByJob`: endpoints already read in this same transaction, by job id
 * (several events of one job in one batch read them once).
 */
export async function enqueuePostgresWebhookDeliveries(
  executor: Kysely<PostgresDatabase>,
  event: { id: number; type: PersistedDomainEventType; jobId: string | undefined; taskId: string | undefined; payload: unknown; nowMs: number },
  endpointsByJob?: Map<string, PostgresJobWebhookEndpoints>,
): Promise<void> {
  if (event.jobId === undefined) return;
  const webhookType = webhookEventTypeOf(event);
  if (webhookType === undefined) return;
  let endpoints = endpointsByJob?.get(event.jobId);
  if (endpoints === undefined) {
    endpoints = await executor.selectFrom('webhook_endpoints').select(['id', 'event_types']).where('job_id', '=', event.jobId).execute();
    endpointsByJob?.set(event.jobId, endpoints);
  }
  const subscribed = endpoints.filter((endpoint) => endpoint.event_types.includes(webhookType));
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
        event_payload: JSON.stringify(event.payload),
        body: null,
        status: 'pending',
        next_attempt_at_ms: event.nowMs,
        created_at_ms: event.nowMs,
      })),
    )
    .onConflict((conflict) => conflict.columns(['event_id', 'endpoint_id']).doNothing())
    .execute();
}
