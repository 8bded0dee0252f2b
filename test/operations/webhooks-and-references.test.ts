/** The webhook test delivery, the outbox list and signed reference links, on a real store. */
import { mkdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { openReferenceLinks } from '../../src/fleet/reference-links.js';
import { getReferenceImage } from '../../src/operations/get-reference-image.js';
import { listWebhookDeliveries } from '../../src/operations/list-webhook-deliveries.js';
import { sendTestWebhook } from '../../src/operations/send-test-webhook.js';
import { serverWideWebhook } from '../../src/operations/server-wide-webhook.js';
import { rejectionOf } from '../support/thrown-by.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

describe('sendTestWebhook', () => {
  let context: OperationHarness | undefined;
  afterEach(() => context?.cleanup());

  it('without a server-wide webhook needs a url; with one it queues a delivery, returns the new secret once and wakes the delivery worker', async () => {
    context = await openOperationHarness();
    const { harness, clock, config, webhookDeliverer } = context;
    const dependencies = { store: harness.store, clock, config, webhookDeliverer };
    expect(await rejectionOf(() => sendTestWebhook({}, dependencies))).toMatchObject({ code: 'invalid_input', issues: [{ path: 'url' }] });
    expect(webhookDeliverer.wakes).toBe(0);
    const result = await sendTestWebhook({ url: 'https://hooks.example.com/imagefleet' }, dependencies);
    expect(result.generatedSecret).toMatch(/^whsec_/);
    expect(result.delivery).toMatchObject({ url: 'https://hooks.example.com/imagefleet', eventType: 'webhook.test', status: 'pending' });
    expect(webhookDeliverer.wakes).toBe(1);
    expect((await listWebhookDeliveries({ limit: 10 }, { store: harness.store })).map((delivery) => delivery.id)).toEqual([result.delivery.id]);
  });

  it('refuses a private address unless the server allows private targets', async () => {
    context = await openOperationHarness();
    const { harness, clock, config, webhookDeliverer } = context;
    const error = await rejectionOf(() => sendTestWebhook({ url: 'http://10.0.0.8/hook' }, { store: harness.store, clock, config, webhookDeliverer }));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'url' }] });
  });

  it('the server-wide webhook is set only when both its URL and its secret are', () => {
    const base = loadConfig({}).webhooks;
    expect(serverWideWebhook({ webhooks: base })).toBeUndefined();
    expect(serverWideWebhook({ webhooks: { ...base, defaultUrl: 'https://hooks.example.com/x', defaultEvents: ['job.completed'] } })).toBeUndefined();
    expect(serverWideWebhook({ webhooks: { ...base, defaultUrl: 'https://hooks.example.com/x', defaultSecret: 'whsec_abc', defaultEvents: ['job.completed'] } })).toEqual({ url: 'https://hooks.example.com/x', secret: 'whsec_abc', eventTypes: ['job.completed'] });
  });
});

describe('getReferenceImage', () => {
  let context: OperationHarness;
  beforeEach(async () => {
    context = await openOperationHarness();
  });
  afterEach(() => context.cleanup());

  it('serves a stored image for a valid link until it expires on the fleet clock', async () => {
    const { harness, clock, config } = context;
    await mkdir(config.dataDir, { recursive: true });
    const referenceLinks = await openReferenceLinks(config.dataDir, 'http://127.0.0.1:3000', harness.store.webSessions, clock.now());
    const sha256 = 'a'.repeat(64);
    await harness.store.assets.upsertAsset({ id: 'asset-1', sha256, originalName: 'a.png', mediaType: 'image/png', width: 1, height: 1, byteSize: 1, createdAtMs: clock.now(), blobKey: `assets/aa/${sha256}.png` });
    const url = new URL(referenceLinks.urlFor(sha256, 60_000, clock.now())!);
    const input = { sha256, expiresAtSeconds: Number(url.searchParams.get('expires')), signature: url.searchParams.get('signature')! };
    const dependencies = { store: harness.store, referenceLinks, clock };
    expect((await getReferenceImage(input, dependencies)).sha256).toBe(sha256);
    expect(await rejectionOf(() => getReferenceImage({ ...input, sha256: 'b'.repeat(64) }, dependencies))).toMatchObject({ code: 'forbidden' });
    clock.advance(61_000);
    expect(await rejectionOf(() => getReferenceImage(input, dependencies))).toMatchObject({ code: 'forbidden' });
  });
});
