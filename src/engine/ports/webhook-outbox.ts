/** Webhook endpoints, the delivery outbox and the sender. A port: adapters in src/store implement it. */
import type { WebhookEventType } from '../../core/webhook-events.js';

/** A webhook endpoint about to be stored, its secret already chosen. */
export interface NewWebhookEndpoint {
  /** `ep_…`, unique. */
  id: string;
  url: string;
  /** `whsec_…`; used only to sign. */
  secret: string;
  /** Events this endpoint receives. */
  eventTypes: WebhookEventType[];
}

/** Where a delivery stands: `pending` (waiting or being tried), `delivered`, or `failed` (retries used up). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One outbox row as lists show it: everything but the endpoint's secret. */
export interface WebhookDelivery {
  /** The `webhook-id` header, the same on every attempt. */
  id: string;
  endpointId: string;
  url: string;
  /** A webhook event type, or `webhook.test`. */
  eventType: string;
  jobId: string | undefined;
  taskId: string | undefined;
  /** The details the engine recorded with the event. */
  eventPayload: Record<string, unknown>;
  status: WebhookDeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due, epoch ms (meaningful while pending). */
  nextAttemptAtMs: number;
  lastAttemptAtMs: number | undefined;
  /** HTTP status of the last answer; undefined when there was none (refused, timeout, network). */
  lastStatusCode: number | undefined;
  /** Why the last attempt failed. */
  lastError: string | undefined;
  /** When the event happened, epoch ms. */
  createdAtMs: number;
  /** When it was delivered or given up, epoch ms. */
  finishedAtMs: number | undefined;
}

/** A delivery leased to one worker, with what it needs to sign and send. */
export interface ClaimedWebhookDelivery {
  delivery: WebhookDelivery;
  /** The body fixed by an earlier attempt; undefined before the first. */
  body: string | undefined;
  secret: string;
  /** Fresh random token; the attempt's outcome is recorded only while it still holds. */
  leaseToken: string;
}

/** How one attempt ended. */
export type WebhookAttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; nextAttemptAtMs: number; statusCode: number | undefined; error: string }
  | { kind: 'failed'; statusCode: number | undefined; error: string };

/** The webhook outbox. Rows are enqueued by the store itself, in the transaction that appends the event. */
export interface WebhookOutbox {
  /** Leases up to `limit` pending deliveries that are due (and not leased by a live worker), oldest first. */
  claimDue(input: { nowMs: number; leaseMs: number; limit: number }): Promise<ClaimedWebhookDelivery[]>;
  /**
   * Fenced: stores the body of a delivery's first attempt before it is sent, so an attempt cut short
   * by a crash is retried with the same bytes. False when the lease is gone.
   */
  saveBody(deliveryId: string, leaseToken: string, body: string): Promise<boolean>;
  /** Fenced: records an attempt (and the body sent) if the lease still holds. False otherwise. */
  recordAttempt(input: { deliveryId: string; leaseToken: string; nowMs: number; body: string; outcome: WebhookAttemptOutcome }): Promise<boolean>;
  /** Fenced: gives a claimed delivery back untouched (shutdown). */
  releaseDelivery(deliveryId: string, leaseToken: string): Promise<boolean>;
  /** Stores a job-less endpoint and one `webhook.test` delivery to it, due now. */
  enqueueTest(input: { endpoint: NewWebhookEndpoint; nowMs: number; payload: Record<string, unknown> }): Promise<WebhookDelivery>;
  /** Deliveries newest first, optionally of one job or status. */
  listDeliveries(filter: { jobId?: string | undefined; status?: WebhookDeliveryStatus | undefined; limit: number }): Promise<WebhookDelivery[]>;
  /** Pending deliveries, optionally of one job (the CLI waits for them before it exits). */
  pendingCount(jobId?: string): Promise<number>;
  /** Earliest time a pending delivery no live lease holds becomes due, or undefined. */
  nextDueAtMs(nowMs: number): Promise<number | undefined>;
  /** Deletes delivered and failed rows finished before `beforeMs`. */
  pruneFinished(beforeMs: number): Promise<number>;
}

/** One signed webhook POST, ready to send. */
export interface WebhookRequest {
  url: string;
  /** Standard Webhooks headers and content type. */
  headers: Record<string, string>;
  body: string;
}

/** What became of one POST. */
export type WebhookResponse =
  /** The receiver answered (any status; redirects are not followed). */
  | { kind: 'answered'; statusCode: number; bodySnippet: string }
  /** The target is not allowed (scheme, private address); nothing was sent. */
  | { kind: 'refused'; reason: string }
  /** DNS, connection, TLS or timeout failure. */
  | { kind: 'unreachable'; reason: string };

/** Sends webhook POSTs under the SSRF rules (`core/webhook-target-policy.ts`). */
export interface WebhookSender {
  send(request: WebhookRequest, signal: AbortSignal): Promise<WebhookResponse>;
}
