/**
 * Webhook delivery end to end in one process: a real fleet (SQLite, local provider, the delivery
 * worker) posting to a real HTTP receiver on loopback. Private targets are allowed here (the
 * receiver is on 127.0.0.1); the SSRF refusals are tested with them off in webhook-ssrf.test.ts.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startWebhookReceiver, typeOf, verifyBySpecification, verifyWithSvix, type WebhookReceiver } from './webhook-receiver.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function openFleet(env: Record<string, string> = {}): Promise<Fleet> {
  const temp = await makeTempDir('imagefleet-webhooks-');
  const config = loadConfig(
    { IMAGEFLEET_DATA_DIR: path.join(temp.directory, 'data'), IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000', IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'true', IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: '100,100,100', ...env },
    { cwd: temp.directory },
  );
  const fleet = await createFleet(config);
  cleanups.push(async () => {
    await fleet.stop();
    await temp.cleanup();
  });
  return fleet;
}

async function openReceiver(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  return receiver;
}

function studioJob(webhooks: unknown[], count = 3) {
  return { mode: 'studio', batchSize: 1, items: [{ referenceAssetIds: [], prompts: [{ text: 'a lighthouse at dusk', count }] }], webhooks };
}

describe('webhook delivery', () => {
  it('posts signed job and task events that verify with svix and with the specification', async () => {
    const receiver = await openReceiver();
    const fleet = await openFleet();
    const submitted = await fleet.submitJob(studioJob([{ url: receiver.url, secret, events: ['job.completed', 'task.completed'] }]));
    expect(submitted.webhooks).toEqual([expect.objectContaining({ url: receiver.url, generatedSecret: undefined })]);
    fleet.start();
    await receiver.waitFor((received) => received.some((entry) => typeOf(entry) === 'job.completed'), 20_000, 'job.completed');
    await receiver.waitFor((received) => received.filter((entry) => typeOf(entry) === 'task.completed').length === 3, 5_000, 'three task.completed');

    expect(receiver.received).toHaveLength(4);
    for (const entry of receiver.received) {
      expect(entry.headers['content-type']).toBe('application/json');
      expect(String(entry.headers['webhook-id'])).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(() => verifyWithSvix(entry, secret)).not.toThrow();
      expect(verifyBySpecification(entry, secret)).toBe(true);
      expect(verifyBySpecification(entry, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    }
    expect(new Set(receiver.received.map((entry) => entry.headers['webhook-id'])).size).toBe(4);

    const completed = JSON.parse(receiver.received.find((entry) => typeOf(entry) === 'job.completed')?.body ?? '{}') as { data: Record<string, unknown>; timestamp: string };
    expect(completed.data).toMatchObject({
      id: submitted.job?.id,
      status: 'completed',
      counts: { total: 3, completed: 3 },
      links: { status: `/api/jobs/${submitted.job?.id}/status`, results: `/api/jobs/${submitted.job?.id}/results`, zip: `/api/download/${submitted.job?.groupId}?job=${submitted.job?.id}` },
    });
    expect(Date.parse(completed.timestamp)).toBeGreaterThan(0);
    const task = JSON.parse(receiver.received.find((entry) => typeOf(entry) === 'task.completed')?.body ?? '{}') as { data: { task: { images: Array<{ url: string }> } } };
    expect(task.data.task.images).toEqual([expect.objectContaining({ url: expect.stringMatching(/^\/api\/images\//) as unknown })]);

    // The receiver answers before the worker records the answer.
    await expect.poll(async () => (await fleet.store.webhooks.listDeliveries({ limit: 10 })).filter((delivery) => delivery.status === 'delivered').length, { timeout: 5_000 }).toBe(4);
    const deliveries = await fleet.store.webhooks.listDeliveries({ limit: 10 });
    expect(deliveries.every((delivery) => delivery.status === 'delivered' && delivery.attempts === 1 && delivery.lastStatusCode === 204)).toBe(true);
    expect(JSON.stringify(deliveries)).not.toContain(secret);
  });

  it('generates a secret when the job names none and returns it once', async () => {
    const receiver = await openReceiver();
    const fleet = await openFleet();
    const submitted = await fleet.submitJob(studioJob([{ url: receiver.url }], 1));
    const generated = submitted.webhooks[0]?.generatedSecret ?? '';
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    fleet.start();
    await receiver.waitFor((received) => received.length === 1, 20_000, 'job.completed');
    expect(typeOf(receiver.received[0] ?? { body: '', headers: {}, path: '', receivedAtMs: 0 })).toBe('job.completed');
    expect(() => verifyWithSvix(receiver.received[0]!, generated)).not.toThrow();
  });

  it('retries after 500s with the same webhook-id and the same body, then stops at the first 2xx', async () => {
    const receiver = await openReceiver();
    receiver.answerWith((index) => (index < 2 ? 500 : 200));
    const fleet = await openFleet();
    await fleet.submitJob(studioJob([{ url: receiver.url, secret }], 1));
    fleet.start();
    await receiver.waitFor((received) => received.length === 3, 20_000, 'three attempts');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(receiver.received).toHaveLength(3);
    const [first, second, third] = receiver.received;
    expect(new Set(receiver.received.map((entry) => entry.headers['webhook-id'])).size).toBe(1);
    expect(second?.body).toBe(first?.body);
    expect(third?.body).toBe(first?.body);
    for (const entry of receiver.received) expect(verifyBySpecification(entry, secret)).toBe(true);
    expect((second?.receivedAtMs ?? 0) - (first?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(90);

    await expect.poll(async () => (await fleet.store.webhooks.listDeliveries({ limit: 1 }))[0]?.status, { timeout: 5_000 }).toBe('delivered');
    const [delivery] = await fleet.store.webhooks.listDeliveries({ limit: 10 });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: undefined });
  });

  it('gives up when the retry schedule is used up, keeping the last answer', async () => {
    const receiver = await openReceiver();
    receiver.answerWith(() => 503);
    const fleet = await openFleet({ IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: '50,50' });
    await fleet.submitJob(studioJob([{ url: receiver.url, secret }], 1));
    fleet.start();
    await receiver.waitFor((received) => received.length === 3, 20_000, 'three attempts');
    await expect.poll(async () => (await fleet.store.webhooks.listDeliveries({ limit: 1 }))[0]?.status, { timeout: 5_000 }).toBe('failed');
    const [delivery] = await fleet.store.webhooks.listDeliveries({ limit: 1 });
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 503 });
    expect(delivery?.lastError).toContain('gave up after 3 attempts');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(3);
  });

  it('does not follow a redirect, even to a receiver it could reach', async () => {
    const target = await openReceiver();
    const redirector = await openReceiver();
    redirector.answerWith(() => ({ redirectTo: target.url }));
    const fleet = await openFleet({ IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: '50' });
    await fleet.submitJob(studioJob([{ url: redirector.url, secret }], 1));
    fleet.start();
    await expect.poll(async () => (await fleet.store.webhooks.listDeliveries({ limit: 1 }))[0]?.status, { timeout: 20_000 }).toBe('failed');
    const [delivery] = await fleet.store.webhooks.listDeliveries({ limit: 1 });
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 302 });
    expect(delivery?.lastError).toContain('redirects are not followed');
    expect(target.received).toHaveLength(0);
  });

  it('sends the server-wide webhook for every job, and a test event on request', async () => {
    const receiver = await openReceiver();
    const fleet = await openFleet({ IMAGEFLEET_WEBHOOK_URL: receiver.url, IMAGEFLEET_WEBHOOK_SECRET: secret, IMAGEFLEET_WEBHOOK_EVENTS: 'job.completed' });
    const submitted = await fleet.submitJob(studioJob([], 1));
    expect(submitted.webhooks).toEqual([]);
    fleet.start();
    await receiver.waitFor((received) => received.length === 1, 20_000, 'job.completed');
    const test = await fleet.sendTestWebhook({});
    expect(test.generatedSecret).toBeUndefined();
    await receiver.waitFor((received) => received.length === 2, 5_000, 'the test event');
    expect(receiver.received.map(typeOf)).toEqual(['job.completed', 'webhook.test']);
    for (const entry of receiver.received) expect(() => verifyWithSvix(entry, secret)).not.toThrow();
    expect(receiver.received[1]?.headers['webhook-id']).toBe(test.delivery.id);
  });

  it('enqueues the delivery in the transaction of the event: a paused job has its row before any worker runs', async () => {
    const receiver = await openReceiver();
    const fleet = await openFleet();
    const submitted = await fleet.submitJob(studioJob([{ url: receiver.url, secret, events: ['job.paused'] }], 1));
    await fleet.engine.pauseJob(submitted.job?.id ?? '', 'lunch');
    const [delivery] = await fleet.store.webhooks.listDeliveries({ jobId: submitted.job?.id, limit: 10 });
    expect(delivery).toMatchObject({ eventType: 'job.paused', status: 'pending', attempts: 0, eventPayload: { reason: 'lunch', cause: 'user' } });
    expect(receiver.received).toHaveLength(0);
    fleet.start();
    await receiver.waitFor((received) => received.length === 1, 10_000, 'job.paused');
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ type: 'job.paused', data: { status: 'paused', event: { reason: 'lunch' } } });
  });

  it('on stop, aborts an attempt in flight and gives the row back without counting it', async () => {
    const receiver = await openReceiver();
    receiver.answerWith(() => 'hang');
    const fleet = await openFleet({ IMAGEFLEET_WEBHOOK_TIMEOUT_MS: '30000' });
    await fleet.submitJob(studioJob([{ url: receiver.url, secret }], 1));
    fleet.start();
    await receiver.waitFor((received) => received.length === 1, 20_000, 'the first attempt');
    const startedMs = Date.now();
    await fleet.webhookDeliverer.stop();
    expect(Date.now() - startedMs).toBeLessThan(2000);
    const [delivery] = await fleet.store.webhooks.listDeliveries({ limit: 1 });
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });
    // Released, not leased: another process may claim it at once.
    expect(await fleet.store.webhooks.claimDue({ nowMs: Date.now(), leaseMs: 1000, limit: 5 })).toHaveLength(1);
  });

  it('delivers job.canceled for a canceled job, and nothing for events the endpoint did not choose', async () => {
    const receiver = await openReceiver();
    const fleet = await openFleet();
    const submitted = await fleet.submitJob(studioJob([{ url: receiver.url, secret, events: ['job.canceled', 'job.failed'] }, { url: `${receiver.url}?only=completed`, secret, events: ['job.completed'] }], 2));
    await fleet.engine.cancelJob(submitted.job?.id ?? '');
    fleet.start();
    await receiver.waitFor((received) => received.length === 1, 10_000, 'job.canceled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.map(typeOf)).toEqual(['job.canceled']);
    expect(receiver.received[0]?.path).toBe('/hooks/imagefleet');
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ data: { status: 'canceled', counts: { canceled: 2 } } });
  });
});

