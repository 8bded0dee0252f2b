/**
 * The quota benchmark's Gemini round: the fake's call record turned into quota records, the
 * analysis judging "early" by when a request reached the server, and the summary rows' verdicts
 * (fast: no benchmark run).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { geminiQuotaRecords } from '../../bench/support/gemini-quota-records.js';
import { quotaRows } from '../../bench/support/figure-rows.js';
import { analyseQuotaClient, type QuotaRecord } from '../../bench/support/quota-analysis.js';
import type { GeminiQuotaRound, QuotaClientFigures, QuotaUtilisationResult } from '../../bench/support/scenario-results.js';
import { startFakeGeminiServer, type FakeGenerateCall, type FakeGeminiServer } from '../fakes/gemini/fake-gemini-server.js';
import { imageRequest, providerFor, thrownBy } from '../providers/gemini/gemini-test-kit.js';

function call(overrides: Partial<FakeGenerateCall>): FakeGenerateCall {
  return {
    source: 'online',
    apiVersion: 'v1beta',
    model: 'gemini-3.1-flash-image',
    apiKey: 'k',
    body: {},
    prompt: 'p',
    imageConfig: undefined,
    seed: undefined,
    inlineImages: [],
    fileUris: [],
    httpStatus: 200,
    reply: 'image',
    billed: true,
    receivedAtMs: 1_000,
    decidedAtMs: 2_000,
    ...overrides,
  };
}

describe('geminiQuotaRecords', () => {
  it('keeps accepted calls and per-minute refusals, timed by the quota decision, and counts the rest apart', () => {
    const { records, otherReplies } = geminiQuotaRecords([
      call({}),
      call({ httpStatus: 429, reply: 'quota', billed: false, retryDelayMs: 30_000, receivedAtMs: 3_000, decidedAtMs: 4_000 }),
      call({ httpStatus: 429, reply: 'quota', billed: false }), // the per-day quota: no retry delay
      call({ httpStatus: 503, reply: 'unavailable', billed: false }),
      call({ source: 'batch' }),
    ]);
    expect(records).toEqual([
      { apiKey: 'k', arrivalMs: 2_000, respondedAtMs: 2_000, receivedAtMs: 1_000, status: 200, retryDelayMs: undefined },
      { apiKey: 'k', arrivalMs: 4_000, respondedAtMs: 4_000, receivedAtMs: 3_000, status: 429, retryDelayMs: 30_000 },
    ]);
    expect(otherReplies).toBe(2);
  });
});

describe('analyseQuotaClient with a server that decides after its latency', () => {
  it('judges an early request by when it reached the server, not when it was decided', () => {
    const refusal: QuotaRecord = { apiKey: 'k', arrivalMs: 10_000, receivedAtMs: 9_000, status: 429, retryDelayMs: 5_000, respondedAtMs: 10_000 };
    // Sent at 14.5 s, before the delay ran out at 15 s, though decided at 15.5 s.
    const early: QuotaRecord = { apiKey: 'k', arrivalMs: 15_500, receivedAtMs: 14_500, status: 200, retryDelayMs: undefined, respondedAtMs: 15_500 };
    // Sent at 15 s exactly: on time.
    const onTime: QuotaRecord = { apiKey: 'k', arrivalMs: 16_000, receivedAtMs: 15_000, status: 200, retryDelayMs: undefined, respondedAtMs: 16_000 };
    const analyse = (records: QuotaRecord[]) => analyseQuotaClient({ apiKey: 'k', records, startedAtMs: 0, runMs: 60_000, steadyStartMs: 0, requestsPerMinute: 10 });
    expect(analyse([refusal, early]).earlyRequests).toBe(1);
    expect(analyse([refusal, onTime]).earlyRequests).toBe(0);
    // Without a receipt time the decision time counts, as for the generic server.
    const { receivedAtMs: _dropped, ...decidedOnly } = early;
    expect(analyse([refusal, decidedOnly]).earlyRequests).toBe(0);
  });
});

describe('the fake Gemini server with the real provider', () => {
  let fake: FakeGeminiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('records when a call arrived, when the quota decided it after the latency, and the delay a refusal announced', async () => {
    fake = await startFakeGeminiServer({ quota: { requestsPerWindow: 1, windowMs: 60_000 }, latencyMs: 50 });
    const provider = providerFor(fake);
    await provider.generate(imageRequest({ modelId: 'nano-banana-2', size: '512' }));
    const refusal = await thrownBy(() => provider.generate(imageRequest({ modelId: 'nano-banana-2', size: '512' })));
    expect(refusal.code).toBe('provider_rate_limited');

    const [accepted, refused] = fake.generateCalls;
    expect(accepted?.decidedAtMs).toBeGreaterThanOrEqual((accepted?.receivedAtMs ?? 0) + 45);
    expect(refused?.retryDelayMs).toBeGreaterThan(59_000);
    expect(refused?.retryDelayMs).toBeLessThanOrEqual(60_000);
    // The provider read the same delay from Google's RetryInfo (to the millisecond the body carries).
    expect(Math.abs((refusal.retryAfterMs ?? 0) - (refused?.retryDelayMs ?? 0))).toBeLessThan(2);
    const { records } = geminiQuotaRecords(fake.generateCalls);
    expect(records.map((record) => record.status)).toEqual([200, 429]);
    expect(fake.billedCount()).toBe(1);
  });
});

function figures(ratio: number, rejected: number, requests: number, earlyRequests = 0): QuotaClientFigures {
  const window = { startMs: 60_000, endMs: 240_000, requests, accepted: requests - rejected, rejected, acceptedPerMinute: ratio * 60, ratio, rejectedShare: requests === 0 ? 0 : rejected / requests };
  return { apiKey: 'k', steady: window, wholeRun: { ...window, startMs: 0 }, acceptedPerMinute: [60, 60, 60, 60], sustainedRatio: 0.988, earlyRequests, peakRequestsPerTenSeconds: 60 };
}

function result(gemini: Partial<GeminiQuotaRound> & { figures?: QuotaClientFigures } = {}): QuotaUtilisationResult {
  const { figures: geminiFigures = figures(1, 0, 180), ...rest } = gemini;
  return {
    scenario: 'quota-utilisation',
    requestsPerMinute: 60,
    latencyMs: 1000,
    latencyJitterMs: 100,
    runMs: 240_000,
    engine: { ...figures(1, 0, 180), maxConcurrency: 16, tasksSubmitted: 400 },
    naive: { ...figures(0.917, 6, 171), loops: 3, pauseMs: 1000, rateLimitWaitMs: 30_000 },
    gemini: {
      ...geminiFigures,
      requestsPerMinute: 60,
      windowMs: 60_000,
      quotaScope: 'project',
      latencyMs: 1000,
      model: 'nano-banana-2',
      wireModel: 'gemini-3.1-flash-image',
      size: '512',
      maxConcurrency: 16,
      tasksSubmitted: 400,
      calls: 240,
      rateLimited: 0,
      otherReplies: 0,
      billedCalls: 240,
      tasksCompleted: 240,
      imageRows: 240,
      statusCounts: { completed: 240, queued: 160 },
      ...rest,
    },
    goalRatio: 0.95,
    goalRejectedShare: 0.02,
    uvThreadpoolSize: '16',
  };
}

describe('quotaRows', () => {
  it('puts the Gemini round first, each of its goals with a verdict, then the generic comparison', () => {
    const rows = quotaRows(result());
    expect(rows.map((row) => row.figure)).toEqual([
      'Gemini (real provider → Gemini fake): achieved ÷ N, steady [60 s, 240 s)',
      'Gemini: 429s the fake returned, steady [60 s, 240 s) (whole scenario)',
      'Gemini: calls sent before the announced retry delay',
      'Gemini: billed calls = tasks completed = image rows; tasks failed',
      'generic fake, engine: achieved ÷ N, steady [60 s, 240 s)',
      'generic fake, engine: share of requests answered 429, steady [60 s, 240 s)',
      'generic fake, naive client: achieved ÷ N, steady [60 s, 240 s)',
      'generic fake, naive client: share answered 429, steady [60 s, 240 s)',
    ]);
    expect(rows.map((row) => row.verdict)).toEqual(['met', 'met', 'met', 'met', 'met', 'met', 'info', 'info']);
    expect(rows[0]?.value).toBe('1.000 (60.0 of 60/min)');
    expect(rows[3]?.value).toBe('240 / 240 / 240; 0 failed');
  });

  it('misses when the Gemini round falls short, meets 429s, sends early, or bills what no task shows', () => {
    const verdicts = (gemini: Parameters<typeof result>[0]) => quotaRows(result(gemini)).slice(0, 4).map((row) => row.verdict);
    expect(verdicts({ figures: figures(0.94, 0, 170) })).toEqual(['missed', 'met', 'met', 'met']);
    expect(verdicts({ figures: figures(1, 5, 185), rateLimited: 5 })).toEqual(['met', 'missed', 'met', 'met']);
    expect(verdicts({ figures: figures(1, 0, 180, 1) })).toEqual(['met', 'met', 'missed', 'met']);
    expect(verdicts({ billedCalls: 241 })).toEqual(['met', 'met', 'met', 'missed']);
    expect(verdicts({ statusCounts: { completed: 240, failed: 1, queued: 159 } })).toEqual(['met', 'met', 'met', 'missed']);
  });
});
