/**
 * Which domain events reach webhooks (issue 19, DESIGN §5.8): the webhook vocabulary is a small,
 * stable projection of the one event vocabulary (`core/events.ts`), so a receiver never has to know
 * internal event names such as `job.finished`.
 */
import type { DomainEventType } from './events.js';

/** Event types a webhook endpoint may subscribe to. */
export const webhookEventTypes = ['job.completed', 'job.failed', 'job.canceled', 'job.paused', 'task.completed'] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The event a "send test event" delivers; never produced by a job, so it is not subscribable. */
export const webhookTestEventType = 'webhook.test';

/** What an endpoint receives when it names no events: every job-level event, no per-image noise. */
export const defaultWebhookEventTypes: readonly WebhookEventType[] = ['job.completed', 'job.failed', 'job.canceled', 'job.paused'];

/** Most webhook endpoints one job may name. */
export const maxWebhooksPerJob = 5;

/** Longest webhook URL, in characters. */
export const maxWebhookUrlLength = 2000;

/**
 * The webhook event a domain event stands for, or undefined when it is not one webhooks carry.
 * `job.finished` splits by its final status; other types map one to one. Takes any type name and
 * payload, so a row another version wrote maps (or not) without throwing.
 */
export function webhookEventTypeOf(event: { type: DomainEventType | (string & {}); payload: unknown }): WebhookEventType | undefined {
  switch (event.type) {
    case 'job.finished': {
      const status = typeof event.payload === 'object' && event.payload !== null ? (event.payload as { status?: unknown }).status : undefined;
      if (status === 'completed') return 'job.completed';
      if (status === 'failed') return 'job.failed';
      if (status === 'canceled') return 'job.canceled';
      return undefined;
    }
    case 'job.paused':
      return 'job.paused';
    case 'task.completed':
      return 'task.completed';
    default:
      return undefined;
  }
}
