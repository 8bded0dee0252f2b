/** The pure webhook rules: address policy, URL form, signature, retry schedule, event mapping. */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'svix';
import { webhookEventTypeOf } from '../../src/core/webhook-events.js';
import { defaultWebhookRetryDelaysMs, nextWebhookAttemptAtMs } from '../../src/core/webhook-retry-schedule.js';
import { generateWebhookSecret, isWebhookSecret, signWebhook, verifyWebhook } from '../../src/core/webhook-signature.js';
import { checkWebhookUrl, hostOf, refusalOfAddress } from '../../src/core/webhook-target-policy.js';
import { webhookAttemptOutcome } from '../../src/engine/webhook-deliverer.js';

describe('refusalOfAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::1', 'loopback'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(refusalOfAddress(address)).toContain(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(refusalOfAddress(address)).toBeUndefined();
  });

  it('refuses what is not an IP address', () => {
    expect(refusalOfAddress('example.com')).toBe('not an IP address');
  });
});

describe('checkWebhookUrl', () => {
  it('normalizes numeric hosts the way the connection would (WHATWG URL)', () => {
    for (const text of ['http://0x7f000001/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://127.1/']) {
      const checked = checkWebhookUrl(text);
      expect('url' in checked && hostOf(checked.url)).toBe('127.0.0.1');
    }
    const ipv6 = checkWebhookUrl('http://[::1]:8080/x');
    expect('url' in ipv6 && hostOf(ipv6.url)).toBe('::1');
  });

  it('accepts http and https only, without credentials', () => {
    expect(checkWebhookUrl('https://hooks.example.com/imagefleet?token=1')).toHaveProperty('url');
    expect(checkWebhookUrl('ftp://example.com/')).toEqual({ refusal: 'must use http or https, not ftp' });
    expect(checkWebhookUrl('gopher://127.0.0.1:25/')).toHaveProperty('refusal');
    expect(checkWebhookUrl('https://a:b@example.com/')).toHaveProperty('refusal');
    expect(checkWebhookUrl('not a url')).toEqual({ refusal: 'is not a URL' });
  });
});

describe('Standard Webhooks signature', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('matches the specification’s published example', () => {
    // From the Standard Webhooks reference implementations' test suite.
    const body = '{"test": 2432232314}';
    expect(signWebhook({ id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestampSeconds: 1614265330, body }, secret)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies with svix and with our own verifier, and fails on any change', () => {
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'job.completed', data: { id: 'j1' } });
    const signature = signWebhook({ id: 'msg_1', timestampSeconds, body }, secret);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signature };
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    const message = { id: 'msg_1', timestamp: String(timestampSeconds), signatureHeader: `v1,bogus ${signature}`, body };
    expect(verifyWebhook(message, secret, { nowSeconds: timestampSeconds })).toBe(true);
    expect(verifyWebhook({ ...message, id: 'msg_2' }, secret, { nowSeconds: timestampSeconds })).toBe(false);
    expect(verifyWebhook(message, secret, { nowSeconds: timestampSeconds + 301 })).toBe(false);
  });

  it('generates secrets of the whsec_ form that svix accepts', () => {
    const generated = generateWebhookSecret();
    expect(isWebhookSecret(generated)).toBe(true);
    expect(generated).not.toBe(generateWebhookSecret());
    expect(() => new Webhook(generated)).not.toThrow();
    expect(isWebhookSecret('whsec_short')).toBe(false);
    expect(isWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
  });
});

describe('retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h (under a day in all), then gives up', () => {
    const noJitter = () => 0;
    const waits = defaultWebhookRetryDelaysMs.map((_delay, index) => (nextWebhookAttemptAtMs(index + 1, 0, defaultWebhookRetryDelaysMs, noJitter) ?? -1));
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 28_800_000, 28_800_000]);
    const totalHours = waits.reduce((total, wait) => total + wait, 0) / 3_600_000;
    expect(totalHours).toBeGreaterThan(23);
    expect(totalHours).toBeLessThan(24);
    expect(nextWebhookAttemptAtMs(8, 0, defaultWebhookRetryDelaysMs, noJitter)).toBeUndefined();
  });

  it('adds at most 10 % jitter', () => {
    expect(nextWebhookAttemptAtMs(1, 1000, [5000], () => 0.999)).toBe(1000 + 5000 + 499);
  });

  it('delivers on 2xx, retries on other answers and network failures, gives up on refusals', () => {
    const delays = [100];
    expect(webhookAttemptOutcome({ kind: 'answered', statusCode: 204, bodySnippet: '' }, 1, 0, delays, () => 0)).toEqual({ kind: 'delivered', statusCode: 204 });
    expect(webhookAttemptOutcome({ kind: 'answered', statusCode: 500, bodySnippet: 'oops' }, 1, 0, delays, () => 0)).toEqual({ kind: 'retry', nextAttemptAtMs: 100, statusCode: 500, error: 'HTTP 500: oops' });
    expect(webhookAttemptOutcome({ kind: 'answered', statusCode: 301, bodySnippet: '' }, 1, 0, delays, () => 0)).toMatchObject({ kind: 'retry', error: expect.stringContaining('redirects are not followed') as unknown });
    expect(webhookAttemptOutcome({ kind: 'unreachable', reason: 'ECONNREFUSED' }, 2, 0, delays, () => 0)).toMatchObject({ kind: 'failed', error: 'ECONNREFUSED (gave up after 2 attempts)' });
    expect(webhookAttemptOutcome({ kind: 'refused', reason: '127.0.0.1, a loopback address' }, 1, 0, delays, () => 0)).toMatchObject({ kind: 'failed', statusCode: undefined });
  });
});

describe('webhookEventTypeOf', () => {
  it('maps the durable events webhooks carry and nothing else', () => {
    expect(webhookEventTypeOf({ type: 'job.finished', payload: { status: 'completed' } })).toBe('job.completed');
    expect(webhookEventTypeOf({ type: 'job.finished', payload: { status: 'failed' } })).toBe('job.failed');
    expect(webhookEventTypeOf({ type: 'job.finished', payload: { status: 'canceled' } })).toBe('job.canceled');
    expect(webhookEventTypeOf({ type: 'job.paused', payload: {} })).toBe('job.paused');
    expect(webhookEventTypeOf({ type: 'task.completed', payload: {} })).toBe('task.completed');
    expect(webhookEventTypeOf({ type: 'task.started', payload: {} })).toBeUndefined();
    expect(webhookEventTypeOf({ type: 'job.resumed', payload: {} })).toBeUndefined();
  });
});
