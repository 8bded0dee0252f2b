/**
 * The hidden-quota fake the learned-rate benchmark and simulation rely on: the policy's windows,
 * retry delays and bodies (pure), and the HTTP server through the real Gemini provider and SDK.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../../src/core/errors.js';
import { parseQuotaFailure } from '../../../src/core/quota-failure.js';
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import { HiddenQuotaPolicy } from '../../fakes/gemini/hidden-quota-policy.js';
import { startHiddenQuotaServer, type HiddenQuotaServer } from '../../fakes/gemini/hidden-quota-server.js';
import { imageRequest } from '../../providers/gemini/gemini-test-kit.js';

describe('hidden quota policy', () => {
  it('accepts N per window and says when a slot frees, in the body Google sends', () => {
    const policy = new HiddenQuotaPolicy({ requests: { limit: 2, windowMs: 5000 } });
    expect(policy.decide(0).accepted).toBe(true);
    expect(policy.decide(1000).accepted).toBe(true);
    const refused = policy.decide(2000);
    expect(refused).toMatchObject({ accepted: false, refusedBy: 'requests', retryAfterMs: 3000 });
    if (refused.accepted) throw new Error('expected a refusal');
    expect(parseQuotaFailure(refused.body)).toEqual({ dimension: 'requests-per-minute', retryAfterMs: 3000, quotaValue: 24 });
    expect(policy.decide(5000).accepted).toBe(true);
    expect(policy.arrivals.map((arrival) => arrival.status)).toEqual([200, 200, 429, 200]);
  });

  it('after a lowered limit, waits until enough accepted calls have left the window', () => {
    const policy = new HiddenQuotaPolicy({ requests: { limit: 6, windowMs: 60_000 } });
    for (let atMs = 0; atMs < 6000; atMs += 1000) policy.decide(atMs);
    policy.setLimits({ requests: { limit: 3, windowMs: 60_000 } });
    // Six in the window, three allowed: room for one more once four have left (the fourth at 3 s).
    expect(policy.decide(10_000)).toMatchObject({ accepted: false, retryAfterMs: 53_000 });
  });

  it('names images and input tokens per minute in their own quotaId', () => {
    const policy = new HiddenQuotaPolicy({ imagesPerMinute: 4, inputTokensPerMinute: 1000 });
    expect(policy.decide(0, { images: 3, inputTokens: 100 }).accepted).toBe(true);
    const images = policy.decide(10, { images: 2, inputTokens: 100 });
    if (images.accepted) throw new Error('expected a refusal');
    expect(parseQuotaFailure(images.body)).toMatchObject({ dimension: 'images-per-minute', retryAfterMs: 59_990, quotaValue: 4 });
    const tokens = policy.decide(20, { images: 1, inputTokens: 950 });
    if (tokens.accepted) throw new Error('expected a refusal');
    expect(parseQuotaFailure(tokens.body)).toMatchObject({ dimension: 'input-tokens-per-minute', quotaValue: 1000 });
  });
});

describe('hidden quota server', () => {
  let server: HiddenQuotaServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves images through the Gemini provider until the hidden quota refuses, with its retry delay', async () => {
    server = await startHiddenQuotaServer({ limits: { requests: { limit: 2, windowMs: 5000 } }, latencyMs: { minMs: 5, maxMs: 20 } });
    const provider = createGeminiProvider({ apiKey: 'hidden-quota-key', baseUrl: server.baseUrl, timeoutMs: 10_000, batch: { maxRequestsPerBatch: 100, gatherMs: 30, pollIntervalMs: 10 } });
    const first = await provider.generate(imageRequest());
    expect(first.images.length).toBe(1);
    await provider.generate(imageRequest());
    const error = await provider.generate(imageRequest()).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isImagefleetError(error) && error.code).toBe('provider_rate_limited');
    expect(isImagefleetError(error) ? error.retryAfterMs : undefined).toBeGreaterThan(4000);
    expect(server.arrivals().map((arrival) => arrival.status)).toEqual([200, 200, 429]);
  });

  it('answers the raw 429 with QuotaFailure, RetryInfo and Retry-After, per key when asked', async () => {
    server = await startHiddenQuotaServer({ limits: { requests: { limit: 1, windowMs: 60_000 } }, scope: 'key', latencyMs: { minMs: 1, maxMs: 2 } });
    const call = (apiKey: string) =>
      fetch(`${server?.baseUrl}/v1beta/models/gemini-3.1-flash-image:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'a mug' }] }] }) });
    expect((await call('first')).status).toBe(200);
    expect((await call('second')).status).toBe(200);
    const refused = await call('first');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(55);
    expect(parseQuotaFailure(await refused.text())).toMatchObject({ dimension: 'requests-per-minute', quotaValue: 1 });
    server.setLimits({ requests: { limit: 2, windowMs: 60_000 } });
    expect((await call('first')).status).toBe(200);
  });
});
