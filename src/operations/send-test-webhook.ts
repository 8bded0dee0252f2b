/**
 * "Send test event" (Settings, `POST /api/webhooks/test`): queues one signed `webhook.test`
 * delivery through the same outbox, signer and SSRF-guarded sender as real events, so a success
 * proves the whole path, and the attempt shows in the delivery list.
 */
import { randomUUID } from 'node:crypto';
import { ImagefleetError, invalidInput } from '../core/errors.js';
import { generateWebhookSecret } from '../core/webhook-signature.js';
import { webhookSubscriptionSchema } from '../core/webhook-subscription.js';
import { checkWebhookUrl, hostOf, refusalOfAddress } from '../core/webhook-target-policy.js';
import { fromZodError } from '../core/zod-issues.js';
import { isIP } from 'node:net';
import type { WebhookDelivery } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';
import { serverWideWebhook } from './server-wide-webhook.js';

export interface SendTestWebhookInput {
  /** Where to send it; undefined = the server-wide endpoint (`IMAGEFLEET_WEBHOOK_URL`). */
  url?: string | undefined;
  /** Its secret; undefined with a URL = a new one, returned once. */
  secret?: string | undefined;
}

export interface SendTestWebhookResult {
  /** The queued delivery (pending until the delivery worker sends it). */
  delivery: WebhookDelivery;
  /** The secret generated for this test, when none was given; undefined otherwise. */
  generatedSecret: string | undefined;
}

/** Queues the test delivery and wakes the delivery worker; `invalid_input` for a refused URL or a missing server-wide webhook. */
export async function sendTestWebhook(input: SendTestWebhookInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'config' | 'webhookDeliverer'>): Promise<SendTestWebhookResult> {
  const defaultWebhook = serverWideWebhook(dependencies.config);
  const { allowPrivateTargets } = dependencies.config.webhooks;
  let url: string;
  let secret: string;
  let generatedSecret: string | undefined;
  if (input.url === undefined) {
    if (input.secret !== undefined) throw invalidInput([{ path: 'secret', message: 'give a url with the secret, or neither to test the server-wide webhook' }], 'Invalid test webhook');
    if (defaultWebhook === undefined) {
      throw new ImagefleetError('invalid_input', 'No server-wide webhook is configured (IMAGEFLEET_WEBHOOK_URL); give a url to test.', { issues: [{ path: 'url', message: 'required: no server-wide webhook is configured' }] });
    }
    ({ url, secret } = defaultWebhook);
  } else {
    const parsed = webhookSubscriptionSchema.safeParse({ url: input.url, ...(input.secret === undefined ? {} : { secret: input.secret }) });
    if (!parsed.success) throw fromZodError(parsed.error, 'Invalid test webhook');
    url = parsed.data.url;
    generatedSecret = parsed.data.secret === undefined ? generateWebhookSecret() : undefined;
    secret = parsed.data.secret ?? generatedSecret ?? '';
    const checked = checkWebhookUrl(url);
    const host = 'url' in checked ? hostOf(checked.url) : '';
    const refusal = allowPrivateTargets || isIP(host) === 0 ? undefined : refusalOfAddress(host);
    if (refusal !== undefined) throw invalidInput([{ path: 'url', message: `${host} is ${refusal}; webhooks go to public addresses unless the server sets IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE=true` }], 'Invalid test webhook');
  }
  const nowMs = dependencies.clock.now();
  const delivery = await dependencies.store.webhooks.enqueueTest({
    endpoint: { id: `ep_${randomUUID().replaceAll('-', '')}`, url, secret, eventTypes: [] },
    nowMs,
    payload: { message: 'A test event from imagefleet: the signature and the route to your receiver work.' },
  });
  dependencies.webhookDeliverer.wake();
  return { delivery, generatedSecret };
}
