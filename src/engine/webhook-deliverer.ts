/**
 * The webhook delivery worker (issue 19): claims due outbox rows with a lease, signs each body
 * with its endpoint's secret (Standard Webhooks) and posts it; a 2xx answer delivers it, anything
 * else schedules the next attempt by the retry schedule until it is used up. Delivery is at least
 * once: the same `webhook-id` on every attempt lets receivers drop repeats. Runs in every engine
 * process (`serve`, `worker`, the CLI) beside the task engine.
 */
import { nextWebhookAttemptAtMs } from '../core/webhook-retry-schedule.js';
import { signWebhook } from '../core/webhook-signature.js';
import type { Logger } from '../core/logger.js';
import type { ClaimedWebhookDelivery, Clock, WebhookAttemptOutcome, WebhookDelivery, WebhookOutbox, WebhookResponse, WebhookSender } from './ports.js';

export interface WebhookDelivererDependencies {
  outbox: WebhookOutbox;
  sender: WebhookSender;
  clock: Clock;
  logger: Logger;
  /** The JSON body of a delivery's first attempt (the job's status document and links). */
  buildBody: (delivery: WebhookDelivery) => Promise<string>;
  random: () => number;
}

export interface WebhookDelivererSettings {
  /** Waits after each failed attempt, in ms; their count is the number of retries. */
  retryDelaysMs: readonly number[];
  /** How long a claim reserves a delivery, in ms; longer than one attempt's timeout. */
  leaseMs: number;
  /** Longest wait between two looks at the outbox when idle, in ms. */
  pollMs: number;
  /** Most deliveries this process sends at once. */
  maxInFlight: number;
}

/** Decides what an attempt's response means for its delivery (the rules, apart from the I/O). */
export function webhookAttemptOutcome(response: WebhookResponse, attemptsMade: number, nowMs: number, retryDelaysMs: readonly number[], random: () => number): WebhookAttemptOutcome {
  if (response.kind === 'refused') return { kind: 'failed', statusCode: undefined, error: `refused: ${response.reason}` };
  if (response.kind === 'answered' && response.statusCode >= 200 && response.statusCode < 300) return { kind: 'delivered', statusCode: response.statusCode };
  const statusCode = response.kind === 'answered' ? response.statusCode : undefined;
  const error =
    response.kind === 'unreachable'
      ? response.reason
      : response.statusCode >= 300 && response.statusCode < 400
        ? `HTTP ${response.statusCode}: redirects are not followed; give the final URL`
        : `HTTP ${response.statusCode}${response.bodySnippet === '' ? '' : `: ${response.bodySnippet}`}`;
  const nextAttemptAtMs = nextWebhookAttemptAtMs(attemptsMade, nowMs, retryDelaysMs, random);
  if (nextAttemptAtMs === undefined) return { kind: 'failed', statusCode, error: `${error} (gave up after ${attemptsMade} attempts)` };
  return { kind: 'retry', nextAttemptAtMs, statusCode, error };
}

/** Shortest idle wait, in ms, so a row due now but not claimable (a race) cannot spin the loop. */
const minimumWaitMs = 50;

export class WebhookDeliverer {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeController = new AbortController();
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    private readonly dependencies: WebhookDelivererDependencies,
    private readonly settings: WebhookDelivererSettings,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts looking for due deliveries. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.runLoop();
  }

  /** Looks at the outbox now instead of at the next poll (an event was just recorded). */
  wake(): void {
    // An explicit reason: a bare abort() builds a DOMException with a stack trace, and this runs after every completed task.
    this.wakeController.abort('wake');
  }

  /** Stops claiming, aborts attempts in flight and gives their deliveries back (no attempt counted). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    for (const entry of this.inFlight.values()) entry.controller.abort();
    await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
  }

  private async runLoop(): Promise<void> {
    const { outbox, clock, logger } = this.dependencies;
    while (this.running) {
      if (this.wakeController.signal.aborted) this.wakeController = new AbortController();
      const wake = this.wakeController.signal;
      let claimed: ClaimedWebhookDelivery[] = [];
      const room = this.settings.maxInFlight - this.inFlight.size;
      try {
        if (room > 0) claimed = await outbox.claimDue({ nowMs: clock.now(), leaseMs: this.settings.leaseMs, limit: room });
      } catch (error) {
        logger.warn({ error: String(error) }, 'Could not claim webhook deliveries.');
      }
      for (const entry of claimed) this.track(entry);
      if (claimed.length > 0 && claimed.length === room) {
        // A full batch: look again as soon as one attempt ends.
        await Promise.race([...this.inFlight.values()].map((entry) => entry.done).concat(clock.sleep(this.settings.pollMs, wake)));
        continue;
      }
      if (claimed.length > 0) continue;
      let waitMs = this.settings.pollMs;
      try {
        const nowMs = clock.now();
        const dueAtMs = await outbox.nextDueAtMs(nowMs);
        if (dueAtMs !== undefined) waitMs = Math.max(minimumWaitMs, Math.min(waitMs, dueAtMs - nowMs));
      } catch {
        // The next claim reports the problem.
      }
      await clock.sleep(waitMs, wake);
    }
  }

  private track(claimed: ClaimedWebhookDelivery): void {
    const controller = new AbortController();
    const done = this.attempt(claimed, controller.signal)
      .catch((error: unknown) => {
        this.dependencies.logger.warn({ deliveryId: claimed.delivery.id, error: String(error) }, 'A webhook attempt could not be recorded.');
      })
      .finally(() => {
        this.inFlight.delete(claimed.delivery.id);
        this.wake();
      });
    this.inFlight.set(claimed.delivery.id, { controller, done });
  }

  private async attempt(claimed: ClaimedWebhookDelivery, signal: AbortSignal): Promise<void> {
    const { outbox, sender, clock, logger, random } = this.dependencies;
    const { delivery, leaseToken } = claimed;
    let body = claimed.body;
    if (body === undefined) {
      body = await this.dependencies.buildBody(delivery);
      // Kept before the first send: a crash mid-attempt must not change the bytes of the retry.
      if (!(await outbox.saveBody(delivery.id, leaseToken, body))) return;
    }
    const timestampSeconds = Math.floor(clock.now() / 1000);
    const response = await sender.send(
      {
        url: delivery.url,
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestampSeconds),
          'webhook-signature': signWebhook({ id: delivery.id, timestampSeconds, body }, claimed.secret),
        },
        body,
      },
      signal,
    );
    if (signal.aborted) {
      // Shutdown: the receiver may or may not have it; the next worker sends it again (same id).
      await outbox.releaseDelivery(delivery.id, leaseToken);
      return;
    }
    const nowMs = clock.now();
    const attemptsMade = delivery.attempts + 1;
    const outcome = webhookAttemptOutcome(response, attemptsMade, nowMs, this.settings.retryDelaysMs, random);
    const recorded = await outbox.recordAttempt({ deliveryId: delivery.id, leaseToken, nowMs, body, outcome });
    // The URL's path and query may carry a receiver's token; log only its origin.
    const fields = { deliveryId: delivery.id, eventType: delivery.eventType, jobId: delivery.jobId, target: originOf(delivery.url), attempt: attemptsMade };
    if (!recorded) logger.warn(fields, 'A webhook attempt ended after its lease was lost; another worker owns the delivery now.');
    else if (outcome.kind === 'delivered') logger.debug({ ...fields, statusCode: outcome.statusCode }, 'Webhook delivered.');
    else if (outcome.kind === 'retry') logger.info({ ...fields, error: outcome.error, nextAttemptAtMs: outcome.nextAttemptAtMs }, 'Webhook attempt failed; it will be retried.');
    else logger.warn({ ...fields, error: outcome.error }, 'Webhook delivery failed for good.');
  }
}

function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'an invalid URL';
}
