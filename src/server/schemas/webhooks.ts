/** The webhook routes' contract: the delivery list and "send test event". Secrets never appear in answers except the one generated for a test. */
import { z } from 'zod';
import { webhookEventTypes } from '../../core/webhook-events.js';
import { idSchema, pageLimitQuerySchema, timestampSchema } from './common.js';

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;

export const deliveriesQuerySchema = z.strictObject({
  jobId: idSchema.optional().describe('Only deliveries about this job.'),
  status: z.enum(webhookDeliveryStatuses, { error: `must be one of ${webhookDeliveryStatuses.join(', ')}` }).optional().describe('Only deliveries in this state.'),
  limit: pageLimitQuerySchema({ maximum: 200, defaultValue: 50, what: 'deliveries' }).optional().describe('Deliveries per answer, 1 to 200. Default 50.'),
});

export const webhookDeliverySchema = z
  .object({
    id: z.string().describe('The webhook-id header: the same on every attempt, so receivers drop repeats.'),
    url: z.string().describe('The endpoint.'),
    eventType: z.string().describe(`One of ${webhookEventTypes.join(', ')}, or webhook.test.`),
    jobId: idSchema.nullable(),
    taskId: idSchema.nullable(),
    status: z.enum(webhookDeliveryStatuses).describe('pending: waiting for its next attempt; delivered: a 2xx answer; failed: refused target or retries used up.'),
    attempts: z.number().int().describe('Attempts made.'),
    nextAttemptAt: timestampSchema.nullable().describe('When the next attempt is due (pending only).'),
    lastAttemptAt: timestampSchema.nullable(),
    lastStatusCode: z.number().int().nullable().describe('HTTP status of the last answer; null when there was none.'),
    lastError: z.string().nullable().describe('Why the last attempt failed.'),
    createdAt: timestampSchema.describe('When the event happened.'),
    finishedAt: timestampSchema.nullable().describe('When it was delivered or given up.'),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryListSchema = z.object({ items: z.array(webhookDeliverySchema).describe('Newest first.') }).meta({ id: 'WebhookDeliveryList' });

export const testWebhookBodySchema = z
  .strictObject({
    url: z
      .string()
      .max(2000)
      .meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://\\S+$' })
      .optional()
      .describe('Where to send the test event (http or https; private and loopback hosts are refused unless the server allows them). Default: the server-wide IMAGEFLEET_WEBHOOK_URL.'),
    secret: z
      .string()
      .max(200)
      .meta({ pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$' })
      .optional()
      .describe('Its secret: whsec_ + base64 of 24 to 64 random bytes. Default with a url: a new one, returned once.'),
  })
  .meta({ id: 'TestWebhook' });

export const testWebhookResponseSchema = z
  .object({
    delivery: webhookDeliverySchema,
    secret: z.string().nullable().describe('The secret generated for this test (verify the signature with it); null when one was given or configured.'),
  })
  .meta({ id: 'TestWebhookQueued' });

/** One endpoint of a submitted job, as the submit answer lists it. */
export const submittedWebhookSchema = z
  .object({
    id: z.string().describe('Endpoint id.'),
    url: z.string(),
    events: z.array(z.enum(webhookEventTypes)).describe('Events it receives.'),
    secret: z.string().nullable().describe('The secret generated for it (shown this once; store it to verify signatures); null when the job gave one.'),
  })
  .meta({ id: 'SubmittedWebhook' });
