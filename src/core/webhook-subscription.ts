/**
 * A job's webhook endpoints as a submission names them (API body, CLI `--webhook`, web forms).
 * Only the URL's form is checked here; its address is checked when it is called (DNS can change).
 */
import { z } from 'zod';
import { checkWebhookUrl } from './webhook-target-policy.js';
import { defaultWebhookEventTypes, maxWebhookUrlLength, maxWebhooksPerJob, webhookEventTypes, type WebhookEventType } from './webhook-events.js';
import { isWebhookSecret } from './webhook-signature.js';

export const webhookSubscriptionSchema = z.strictObject({
  url: z
    .string()
    .max(maxWebhookUrlLength, { error: `must be at most ${maxWebhookUrlLength} characters` })
    .superRefine((text, context) => {
      const checked = checkWebhookUrl(text);
      if ('refusal' in checked) context.addIssue({ code: 'custom', message: checked.refusal });
    })
    .describe('The http(s) URL that receives a signed POST (Standard Webhooks) for each event. Private and loopback addresses are refused unless the server allows them.')
    // The form the check above enforces, for the API document (the address rules cannot be a pattern).
    .meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://\\S+$' }),
  events: z
    .array(z.enum(webhookEventTypes, { error: `must be one of ${webhookEventTypes.join(', ')}` }))
    .min(1, { error: 'needs at least one event (omit it for the default)' })
    .optional()
    .describe(`Events delivered: ${webhookEventTypes.join(', ')}. Default: ${defaultWebhookEventTypes.join(', ')}.`),
  secret: z
    .string()
    .refine(isWebhookSecret, { error: 'must be whsec_ followed by base64 of 24 to 64 bytes' })
    .optional()
    .describe('Signing secret, whsec_ + base64 of 24 to 64 random bytes. Default: a new one, returned once in the submit response.')
    .meta({ pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$' }),
});

/** One endpoint as submitted. */
export type WebhookSubscription = z.output<typeof webhookSubscriptionSchema>;

export const webhookSubscriptionsSchema = z
  .array(webhookSubscriptionSchema)
  .max(maxWebhooksPerJob, { error: `must list at most ${maxWebhooksPerJob} webhooks` })
  .optional()
  .describe(`Webhook endpoints told about this job's events, at most ${maxWebhooksPerJob}. Default: none (plus the server-wide IMAGEFLEET_WEBHOOK_URL, when set).`);

/** The events an endpoint gets: its own list, else the default. */
export function subscribedEvents(subscription: { events?: readonly WebhookEventType[] | undefined }): WebhookEventType[] {
  return [...new Set(subscription.events ?? defaultWebhookEventTypes)];
}
