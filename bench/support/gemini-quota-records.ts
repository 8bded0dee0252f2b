import type { FakeGenerateCall } from '../../test/fakes/gemini/fake-gemini-server.js';
import type { QuotaRecord } from './quota-analysis.js';

/** The Gemini fake's online calls as quota records, with what fits no record counted apart. */
export interface GeminiQuotaRecords {
  /** One record per online call the per-minute quota decided: accepted (200) or refused (429 with a retry delay). */
  records: QuotaRecord[];
  /** Online calls answered neither 200 nor a per-minute 429 (503s, daily-quota 429s, 4xx): none are expected in the benchmark. */
  otherReplies: number;
}

/**
 * Turns the Gemini fake's record of generateContent calls into the records `analyseQuotaClient`
 * reads. The fake waits its latency before the quota decides, so a call's `arrivalMs` (what the
 * window counts) is when it was decided and `receivedAtMs` when it reached the fake; a refusal is
 * answered at once, so its reply time is its decision time. Batch lines are not online calls and
 * are left out.
 */
export function geminiQuotaRecords(calls: readonly FakeGenerateCall[]): GeminiQuotaRecords {
  const records: QuotaRecord[] = [];
  let otherReplies = 0;
  for (const call of calls) {
    if (call.source !== 'online') continue;
    const common = { apiKey: call.apiKey ?? '', arrivalMs: call.decidedAtMs, respondedAtMs: call.decidedAtMs, receivedAtMs: call.receivedAtMs };
    if (call.httpStatus === 200) records.push({ ...common, status: 200, retryDelayMs: undefined });
    else if (call.httpStatus === 429 && call.reply === 'quota' && call.retryDelayMs !== undefined) records.push({ ...common, status: 429, retryDelayMs: call.retryDelayMs });
    else otherReplies += 1;
  }
  return { records, otherReplies };
}
