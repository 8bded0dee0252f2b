/**
 * The quota benchmark's figures are only as good as its fake server and the provider that reads
 * its refusals, so both are checked here (fast: no benchmark run).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { startFakeQuotaServer, type FakeQuotaServer } from '../../bench/support/fake-quota-server.js';
import { createHttpBenchProvider, httpBenchModelId } from '../../bench/support/http-bench-provider.js';
import { retryAfterHeaderMs, retryInfoDelayMs } from '../../bench/support/retry-delay.js';
import { SlidingWindowQuota } from '../../bench/support/sliding-window-quota.js';
import { encodeSmallPng } from '../../bench/support/small-png.js';

describe('SlidingWindowQuota', () => {
  it('accepts N per window per key and says when the oldest accepted request leaves the window', () => {
    const quota = new SlidingWindowQuota(2, 60_000);
    expect(quota.decide('a', 1_000)).toEqual({ accepted: true });
    expect(quota.decide('a', 5_000)).toEqual({ accepted: true });
    expect(quota.decide('a', 10_000)).toEqual({ accepted: false, retryAfterMs: 51_000 });
    expect(quota.decide('b', 10_000)).toEqual({ accepted: true });
    // Refusals do not fill the window: the slot frees exactly when the first request leaves it.
    expect(quota.decide('a', 60_999)).toEqual({ accepted: false, retryAfterMs: 1 });
    expect(quota.decide('a', 61_000)).toEqual({ accepted: true });
  });
});

describe('retry delay parsing', () => {
  it('reads RetryInfo with millisecond precision and Retry-After in seconds or as a date', () => {
    const body = JSON.stringify({ error: { code: 429, details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.345s' }] } });
    expect(retryInfoDelayMs(body)).toBe(12_345);
    expect(retryInfoDelayMs('not json')).toBeUndefined();
    expect(retryAfterHeaderMs('7', 0)).toBe(7_000);
    expect(retryAfterHeaderMs(new Date(30_000).toUTCString(), 0)).toBe(30_000);
    expect(retryAfterHeaderMs(null, 0)).toBeUndefined();
  });
});

describe('fake quota server with the HTTP benchmark provider', () => {
  let server: FakeQuotaServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers beyond the window with a Google-style 429 that the provider maps to rate_limited with the delay', async () => {
    server = await startFakeQuotaServer({ requestsPerWindow: 2, windowMs: 60_000, latencyMs: 0, latencyJitterMs: 0, png: await encodeSmallPng(), pngSidePixels: 64 });
    const provider = createHttpBenchProvider({ baseUrl: server.baseUrl, apiKey: 'key-a', typicalLatencyMs: 0 });
    const request = { modelId: httpBenchModelId, prompt: 'p', references: [], n: 1, size: '1K' as const, aspectRatio: '1:1' as const, signal: new AbortController().signal };

    const first = await provider.generate(request);
    expect(first.images).toHaveLength(1);
    expect(first.images[0]?.mediaType).toBe('image/png');
    await provider.generate(request);
    const refusal = await provider.generate(request).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isImagefleetError(refusal) && refusal.code).toBe('provider_rate_limited');
    const retryAfterMs = isImagefleetError(refusal) ? refusal.retryAfterMs : undefined;
    expect(retryAfterMs).toBeGreaterThan(55_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(server.records.map((record) => record.status)).toEqual([200, 200, 429]);

    // Another key has its own window.
    const other = createHttpBenchProvider({ baseUrl: server.baseUrl, apiKey: 'key-b', typicalLatencyMs: 0 });
    await expect(other.generate(request)).resolves.toMatchObject({ images: [{ width: 64, height: 64 }] });
  });
});
