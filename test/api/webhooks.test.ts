/** The webhook routes over a real fleet: submit with webhooks, the delivery list, "send test event". */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleSubmitJob } from '../../src/server/job-handlers.js';
import { handleListWebhookDeliveries, handleSendTestWebhook } from '../../src/server/webhook-handlers.js';
import { startWebhookReceiver, verifyWithSvix, type WebhookReceiver } from '../webhooks/webhook-receiver.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

interface DeliveryItem {
  id: string;
  url: string;
  eventType: string;
  jobId: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

describe('webhook routes', () => {
  let harness: ApiHarness;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    harness = await openApiHarness({ IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterEach(async () => {
    await harness.close();
    await receiver.close();
  });

  const deliveries = async (query = '') => (await expectJson<{ items: DeliveryItem[] }>(await call(handleListWebhookDeliveries, apiRequest(`/api/webhooks/deliveries${query}`)), 200)).items;

  it('submits a job with a webhook, answers its generated secret once, and lists the delivery without secrets', async () => {
    const submitted = await expectJson<{ id: string; webhooks: Array<{ id: string; url: string; events: string[]; secret: string | null }> }>(
      await call(handleSubmitJob, apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', items: [{ prompt: 'a fox', count: 1 }], webhooks: [{ url: receiver.url }] } })),
      201,
    );
    const [webhook] = submitted.webhooks;
    expect(webhook).toMatchObject({ url: receiver.url, events: ['job.completed', 'job.failed', 'job.canceled', 'job.paused'], secret: expect.stringMatching(/^whsec_/) as unknown });
    harness.fleet.start();
    await receiver.waitFor((received) => received.length === 1, 20_000, 'job.completed');
    expect(() => verifyWithSvix(receiver.received[0]!, webhook?.secret ?? '')).not.toThrow();

    await expect.poll(async () => (await deliveries(`?jobId=${submitted.id}`))[0]?.status, { timeout: 5000 }).toBe('delivered');
    const [item] = await deliveries(`?jobId=${submitted.id}&status=delivered`);
    expect(item).toMatchObject({ url: receiver.url, eventType: 'job.completed', jobId: submitted.id, attempts: 1, lastStatusCode: 204, lastError: null });
    const listed = JSON.stringify(await deliveries());
    expect(listed).not.toContain(webhook?.secret);
    expect(listed).not.toContain('whsec_');
    expect(await deliveries('?status=pending')).toEqual([]);
  });

  it('names the bad webhook field on submit', async () => {
    const response = await call(
      handleSubmitJob,
      apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', items: [{ prompt: 'a fox' }], webhooks: [{ url: 'ftp://x.example/', events: ['job.exploded'], secret: 'nope' }] } }),
    );
    await expectError(response, 400, 'invalid_input', ['webhooks.0.url', 'webhooks.0.events.0', 'webhooks.0.secret']);
  });

  it('queues a test event (202) that the worker delivers, signed with the secret it returns', async () => {
    harness.fleet.start();
    const body = await expectJson<{ delivery: DeliveryItem; secret: string }>(await call(handleSendTestWebhook, apiRequest('/api/webhooks/test', { json: { url: receiver.url } })), 202);
    expect(body.delivery).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0, url: receiver.url });
    await receiver.waitFor((received) => received.length === 1, 10_000, 'the test event');
    expect(receiver.received[0]?.headers['webhook-id']).toBe(body.delivery.id);
    expect(() => verifyWithSvix(receiver.received[0]!, body.secret)).not.toThrow();
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ type: 'webhook.test', data: { message: expect.stringContaining('test event') as unknown } });
  });

  it('refuses a test event without a url when no server-wide webhook is configured', async () => {
    await expectError(await call(handleSendTestWebhook, apiRequest('/api/webhooks/test', { method: 'POST' })), 400, 'invalid_input', ['url']);
    await expectError(await call(handleListWebhookDeliveries, apiRequest('/api/webhooks/deliveries?status=lost')), 400, 'invalid_input', ['status']);
  });
});
