import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseQuotaFailure, quotaDimensionOf } from '../../src/core/quota-failure.js';

const helpDetail = { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] };

function body(violations: Array<Record<string, unknown>>, retryDelay?: string, message = 'You exceeded your current quota.'): Record<string, unknown> {
  return {
    error: {
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message,
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations },
        helpDetail,
        ...(retryDelay === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }]),
      ],
    },
  };
}

describe('parseQuotaFailure', () => {
  it('reads the per-minute request quota and its retry delay, from text or object', () => {
    const reply = body([{ quotaMetric: 'generativelanguage.googleapis.com/generate_requests_per_model', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel', quotaValue: '10' }], '12s');
    expect(parseQuotaFailure(reply)).toEqual({ dimension: 'requests-per-minute', retryAfterMs: 12_000, quotaValue: 10 });
    expect(parseQuotaFailure(JSON.stringify(reply))).toEqual({ dimension: 'requests-per-minute', retryAfterMs: 12_000, quotaValue: 10 });
  });

  it('reads the input-token quota of the reference report, with a fractional delay rounded up', () => {
    const reply = body([{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count', quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute', quotaValue: '4000000' }], '0.5s');
    expect(parseQuotaFailure(reply)).toEqual({ dimension: 'input-tokens-per-minute', retryAfterMs: 500, quotaValue: 4_000_000 });
  });

  it('tells the free-tier ids, images per minute and the per-day quota apart', () => {
    expect(quotaDimensionOf('GenerateRequestsPerMinutePerProjectPerModel-FreeTier')).toBe('requests-per-minute');
    expect(quotaDimensionOf('GenerateContentInputTokensPerModelPerMinute-FreeTier')).toBe('input-tokens-per-minute');
    expect(quotaDimensionOf('GenerateImagesPerMinutePerProjectPerModel')).toBe('images-per-minute');
    expect(quotaDimensionOf('GenerateRequestsPerDayPerProjectPerModel-FreeTier')).toBe('requests-per-day');
    expect(quotaDimensionOf('SomethingNew')).toBe('unknown');
    expect(quotaDimensionOf(undefined, 'generativelanguage.googleapis.com/generate_requests_per_minute')).toBe('requests-per-minute');
  });

  it('lets a per-day violation win over a per-minute one in the same body', () => {
    const reply = body([{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }, { quotaId: 'GenerateRequestsPerDayPerProjectPerModel', quotaValue: '250' }], '3600s');
    expect(parseQuotaFailure(reply)).toEqual({ dimension: 'requests-per-day', retryAfterMs: 3_600_000, quotaValue: 250 });
  });

  it('falls back to the message\'s "Please retry in" and to unknown without details', () => {
    const reply = { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted. Please retry in 47.43s.' } };
    expect(parseQuotaFailure(reply)).toEqual({ dimension: 'unknown', retryAfterMs: 47_430, quotaValue: undefined });
  });

  it('never throws on bodies it cannot read', () => {
    for (const input of ['not json', '', null, 42, [], { error: { details: 'x' } }, { error: { details: [null, { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [null, 7] }] } }]) {
      expect(parseQuotaFailure(input)).toEqual({ dimension: 'unknown', retryAfterMs: undefined, quotaValue: undefined });
    }
  });
});

describe('parseDurationMs', () => {
  it('reads protobuf Durations and rejects other text', () => {
    expect(parseDurationMs('47s')).toBe(47_000);
    expect(parseDurationMs('1.2501s')).toBe(1251);
    expect(parseDurationMs(' 3s ')).toBe(3000);
    expect(parseDurationMs('3')).toBeUndefined();
    expect(parseDurationMs('-1s')).toBeUndefined();
    expect(parseDurationMs(3)).toBeUndefined();
  });
});
