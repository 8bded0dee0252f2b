/**
 * The SSRF guard with private targets NOT allowed (the default): internal addresses are refused
 * at submit when the URL names them outright, and after DNS at delivery when a host name leads
 * there; nothing reaches the receiver. The sender itself is exercised directly as well.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { createHttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { rejectionOf } from '../support/thrown-by.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function openFleet(): Promise<Fleet> {
  const temp = await makeTempDir('imagefleet-ssrf-');
  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: path.join(temp.directory, 'data'), IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: '50' }, { cwd: temp.directory }));
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

const job = (url: string) => ({ mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'a kite', count: 1 }] }], batchSize: 1, webhooks: [{ url, secret }] });

describe('webhook SSRF guard (private targets not allowed)', () => {
  it.each([
    ['http://127.0.0.1:9/hook', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://[::1]:9/hook', 'loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://0x7f000001/hook', 'loopback'],
    ['http://2130706433/hook', 'loopback'],
    ['http://10.1.2.3/hook', 'private'],
    ['http://[fd00::1]/hook', 'unique-local'],
  ])('refuses %s at submit', async (url, reason) => {
    const fleet = await openFleet();
    const error = await rejectionOf(() => fleet.submitJob(job(url)));
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'webhooks.0.url', message: expect.stringContaining(reason) as unknown }] });
    expect(await fleet.store.jobs.listJobs({})).toEqual([]);
  });

  it('refuses other schemes and credentials in the URL', async () => {
    const fleet = await openFleet();
    await expect(fleet.submitJob(job('file:///etc/passwd'))).rejects.toMatchObject({ issues: [{ path: 'webhooks.0.url', message: 'must use http or https, not file' }] });
    await expect(fleet.submitJob(job('https://user:pass@example.com/hook'))).rejects.toMatchObject({ issues: [{ path: 'webhooks.0.url' }] });
  });

  it('refuses a host name that resolves to loopback at delivery, sending nothing', async () => {
    const receiver = await openReceiver();
    const fleet = await openFleet();
    await fleet.submitJob(job(`http://localhost:${receiver.port}/hook`));
    fleet.start();
    await expect.poll(async () => (await fleet.store.webhooks.listDeliveries({ limit: 1 }))[0]?.status, { timeout: 20_000 }).toBe('failed');
    const [delivery] = await fleet.store.webhooks.listDeliveries({ limit: 1 });
    expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: undefined });
    expect(delivery?.lastError).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a test event to the cloud metadata address', async () => {
    const fleet = await openFleet();
    await expect(fleet.sendTestWebhook({ url: 'http://169.254.169.254/latest/meta-data/' })).rejects.toMatchObject({ code: 'invalid_input', issues: [{ path: 'url' }] });
  });

  it('the sender refuses private targets itself, before any connection', async () => {
    const receiver = await openReceiver();
    const sender = createHttpWebhookSender({ allowPrivateTargets: false, timeoutMs: 2000, maxResponseBytes: 1024, userAgent: 'test' });
    const signal = new AbortController().signal;
    for (const url of [receiver.url, `http://localhost:${receiver.port}/`, 'http://169.254.169.254/', `http://[::ffff:7f00:1]:${receiver.port}/`]) {
      const response = await sender.send({ url, headers: {}, body: '{}' }, signal);
      expect(response, url).toMatchObject({ kind: 'refused' });
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('the sender times out a receiver that never answers and caps what it reads', async () => {
    const receiver = await openReceiver();
    receiver.answerWith(() => 'hang');
    const sender = createHttpWebhookSender({ allowPrivateTargets: true, timeoutMs: 300, maxResponseBytes: 1024, userAgent: 'test' });
    const startedMs = Date.now();
    const response = await sender.send({ url: receiver.url, headers: {}, body: '{}' }, new AbortController().signal);
    expect(response).toEqual({ kind: 'unreachable', reason: 'no complete answer within 300 ms' });
    expect(Date.now() - startedMs).toBeLessThan(2000);
  });
});

describe('the sender connects to the address it checked', () => {
  it('resolves once per attempt and connects to that answer, not to a second lookup', async () => {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const lookups: string[] = [];
    // The name does not exist in real DNS: the POST arrives only if the socket uses the checked answer.
    const sender = createHttpWebhookSender({
      allowPrivateTargets: true,
      timeoutMs: 2000,
      maxResponseBytes: 1024,
      userAgent: 'test',
      resolveHost: (host) => {
        lookups.push(host);
        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      },
    });
    const response = await sender.send({ url: `http://hooks.rebinding.invalid:${receiver.port}/x`, headers: { 'webhook-id': 'msg_1' }, body: '{}' }, new AbortController().signal);
    expect(response).toMatchObject({ kind: 'answered', statusCode: 204 });
    expect(lookups).toEqual(['hooks.rebinding.invalid']);
    expect(receiver.received[0]?.headers.host).toBe(`hooks.rebinding.invalid:${receiver.port}`);
  });

  it('refuses when any of the addresses is internal, even if the first is public', async () => {
    const sender = createHttpWebhookSender({
      allowPrivateTargets: false,
      timeoutMs: 2000,
      maxResponseBytes: 1024,
      userAgent: 'test',
      resolveHost: () => Promise.resolve([{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }]),
    });
    const response = await sender.send({ url: 'https://hooks.example.com/x', headers: {}, body: '{}' }, new AbortController().signal);
    expect(response).toEqual({ kind: 'refused', reason: expect.stringContaining('hooks.example.com resolves to 169.254.169.254, a link-local address') as unknown });
  });
});
