/**
 * Every Gemini failure mapped onto the engine's classes, through the real SDK against the fake:
 * rate limits with Google's retry delay, the daily quota until midnight Pacific, bad keys, unknown
 * models, bad requests, server and network failures, blocks and replies without an image. A canary
 * key checks that the key appears in no message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/core/quota-failure.js';
import { isDailyQuota, parseGoogleErrorBody } from '../../src/providers/gemini/google-error-body.js';
import { msUntilPacificMidnight } from '../../src/providers/gemini/pacific-midnight.js';
import { fingerprintApiKey, redactApiKey } from '../../src/providers/gemini/api-key.js';
import { startFakeGeminiServer, type FakeGeminiServer, type FakeReply } from '../fakes/gemini/fake-gemini-server.js';
import { perMinuteQuotaBody } from '../fakes/gemini/fake-replies.js';
import { canaryApiKey, imageRequest, providerFor, thrownBy } from './gemini/gemini-test-kit.js';

describe('Gemini error mapping (through the SDK)', () => {
  let fake: FakeGeminiServer;
  beforeEach(async () => {
    fake = await startFakeGeminiServer();
  });
  afterEach(() => fake.close());

  const failWith = async (reply: FakeReply, overrides: Parameters<typeof providerFor>[1] = {}) => {
    fake.queueReplies(reply);
    return thrownBy(() => providerFor(fake, overrides).generate(imageRequest()));
  };

  it('maps a per-minute 429 to rate limited with the RetryInfo delay', async () => {
    const error = await failWith({ kind: 'rate-limited', retryDelaySeconds: 47.43 });
    expect(error.code).toBe('provider_rate_limited');
    expect(error.retryAfterMs).toBe(47_430);
  });

  it('maps the per-minute quota the fake enforces to rate limited, waiting until the window frees a slot', async () => {
    fake.setOptions({ quota: { requestsPerWindow: 2, windowMs: 60_000 } });
    const provider = providerFor(fake);
    await provider.generate(imageRequest());
    await provider.generate(imageRequest());
    const error = await thrownBy(() => provider.generate(imageRequest()));
    expect(error.code).toBe('provider_rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('maps the per-day quota to a pause of the model until just after midnight US Pacific', async () => {
    const nowMs = Date.UTC(2026, 0, 15, 20, 0, 0); // 12:00 in Los Angeles (PST)
    const error = await failWith({ kind: 'daily-quota' }, { now: () => nowMs });
    expect(error.code).toBe('provider_paused');
    expect(error.retryAfterMs).toBe(12 * 3_600_000 + 60_000);
    expect(error.message).toMatch(/daily quota.*midnight US Pacific/);
  });

  it('maps a refused key (403) to a pause of the provider without an end, naming GEMINI_API_KEY', async () => {
    fake.setOptions({ apiKeys: ['some-other-key'] });
    const error = await thrownBy(() => providerFor(fake).generate(imageRequest()));
    expect(error.code).toBe('provider_paused');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toMatch(/403 PERMISSION_DENIED.*Check GEMINI_API_KEY/);
  });

  it('maps 401 the same way', async () => {
    const error = await failWith({ kind: 'error', httpStatus: 401, status: 'UNAUTHENTICATED', message: 'API key not valid. Please pass a valid API key.' });
    expect(error.code).toBe('provider_paused');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('maps an unknown or retired model (404) to invalid, listing the known models', async () => {
    const error = await thrownBy(() => providerFor(fake, { modelIds: { 'nano-banana-pro': 'gemini-1.0-pro-image-retired' } }).generate(imageRequest()));
    expect(error.code).toBe('provider_invalid');
    expect(error.message).toContain('404 NOT_FOUND');
    expect(error.message).toContain('Known models: nano-banana (gemini-2.5-flash-image), nano-banana-pro (gemini-1.0-pro-image-retired), nano-banana-2 (gemini-3.1-flash-image)');
    expect(error.message).toContain('GEMINI_MODEL_NANO_BANANA_PRO');
  });

  it('maps 400 to invalid with Google’s message', async () => {
    const error = await failWith({ kind: 'error', httpStatus: 400, status: 'INVALID_ARGUMENT', message: 'Unsupported aspect ratio 7:3.' });
    expect(error.code).toBe('provider_invalid');
    expect(error.message).toContain('400 INVALID_ARGUMENT: Unsupported aspect ratio 7:3.');
  });

  it.each([
    [500, 'INTERNAL', 'An internal error has occurred.'],
    [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
    [504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
  ])('maps %i to transient', async (httpStatus, status, message) => {
    const error = await failWith({ kind: 'error', httpStatus, status, message });
    expect(error.code).toBe('provider_transient');
    expect(error.message).toContain(`${httpStatus} ${status}`);
  });

  it('maps a network failure to transient', async () => {
    const closed = await startFakeGeminiServer();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const error = await thrownBy(() => providerFor(fake, { baseUrl }).generate(imageRequest()));
    expect(error.code).toBe('provider_transient');
    expect(error.message).toMatch(/Could not reach Gemini/);
  });

  it('maps a blocked prompt to blocked', async () => {
    const error = await failWith({ kind: 'prompt-blocked', reason: 'PROHIBITED_CONTENT' });
    expect(error.code).toBe('provider_blocked');
    expect(error.message).toContain('PROHIBITED_CONTENT');
  });

  it.each(['SAFETY', 'IMAGE_SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_PROHIBITED_CONTENT'])('maps finish reason %s to blocked', async (finishReason) => {
    const error = await failWith({ kind: 'finish-blocked', finishReason });
    expect(error.code).toBe('provider_blocked');
    expect(error.message).toContain(finishReason);
  });

  it('maps NO_IMAGE to transient', async () => {
    const error = await failWith({ kind: 'no-image' });
    expect(error.code).toBe('provider_transient');
    expect(error.message).toContain('NO_IMAGE');
  });

  it('maps a text-only reply to transient, quoting what the model said', async () => {
    const error = await failWith({ kind: 'text-only', text: 'Here is a lovely mug.' });
    expect(error.code).toBe('provider_transient');
    expect(error.message).toContain('"Here is a lovely mug."');
  });

  it('never puts the key in a message, even when the server repeats it', async () => {
    const error = await failWith({ kind: 'echo-key-error' });
    expect(error.code).toBe('provider_invalid');
    expect(error.message).toContain('[redacted API key]');
    expect(error.message).not.toContain(canaryApiKey);
    const messages: string[] = [];
    for (const reply of [
      { kind: 'rate-limited', retryDelaySeconds: 1 },
      { kind: 'daily-quota' },
      { kind: 'error', httpStatus: 500, status: 'INTERNAL', message: 'boom' },
      { kind: 'no-image' },
    ] satisfies FakeReply[]) {
      messages.push((await failWith(reply)).message);
    }
    fake.setOptions({ apiKeys: ['other'] });
    messages.push((await thrownBy(() => providerFor(fake).generate(imageRequest()))).message);
    for (const message of messages) expect(message).not.toContain(canaryApiKey);
  });
});

describe('Gemini error details', () => {
  it('reads RetryInfo, QuotaFailure ids and Google’s message from an error body', () => {
    const body = parseGoogleErrorBody(JSON.stringify(perMinuteQuotaBody(12.5, 'gemini-3-pro-image')));
    expect(body).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', retryDelayMs: 12_500 });
    expect(body.quotaIdentifiers).toContain('GenerateRequestsPerMinutePerProjectPerModel');
    expect(isDailyQuota(body)).toBe(false);
    expect(isDailyQuota({ ...body, quotaIdentifiers: ['GenerateRequestsPerDayPerProjectPerModel-FreeTier'] })).toBe(true);
  });

  it('falls back to "Please retry in Ns" when a 429 has no RetryInfo, and to nothing when neither is there', () => {
    expect(parseGoogleErrorBody('{"error":{"code":429,"message":"Quota exceeded. Please retry in 3.2s."}}').retryDelayMs).toBe(3200);
    expect(parseGoogleErrorBody('{"error":{"code":429,"message":"Resource exhausted."}}').retryDelayMs).toBeUndefined();
    expect(parseGoogleErrorBody('not json at all').message).toBe('not json at all');
  });

  it('parses protobuf durations', () => {
    expect(parseDurationMs('47s')).toBe(47_000);
    expect(parseDurationMs('0.5s')).toBe(500);
    expect(parseDurationMs('1.0001s')).toBe(1001);
    expect(parseDurationMs('soon')).toBeUndefined();
  });

  it('finds the next midnight in Los Angeles in winter, in summer and across the clock changes', () => {
    const margin = 60_000;
    // 23:30 PST on 2026-01-15 → 30 minutes.
    expect(msUntilPacificMidnight(Date.UTC(2026, 0, 16, 7, 30))).toBe(30 * 60_000 + margin);
    // 00:00:30 PDT on 2026-07-01 → almost a day.
    expect(msUntilPacificMidnight(Date.UTC(2026, 6, 1, 7, 0, 30))).toBe(24 * 3_600_000 - 30_000 + margin);
    // 2026-03-08 is 23 hours long in Los Angeles: from 00:00 PST the next midnight is 23 h away.
    expect(msUntilPacificMidnight(Date.UTC(2026, 2, 8, 8, 0))).toBe(23 * 3_600_000 + margin);
    // 2026-11-01 is 25 hours long: from 00:00 PDT the next midnight is 25 h away.
    expect(msUntilPacificMidnight(Date.UTC(2026, 10, 1, 7, 0))).toBe(25 * 3_600_000 + margin);
  });

  it('fingerprints the key without revealing it, and redacts it from text', () => {
    const fingerprint = fingerprintApiKey(canaryApiKey);
    expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(canaryApiKey).not.toContain(fingerprint);
    expect(fingerprintApiKey(`${canaryApiKey}x`)).not.toBe(fingerprint);
    expect(redactApiKey(`GET /x?key=${canaryApiKey} failed`, canaryApiKey)).toBe('GET /x?key=[redacted API key] failed');
  });
});
