import type { QuotaClientFigures, QuotaWindowFigures } from './scenario-results.js';

const minuteMs = 60_000;
const burstWindowMs = 10_000;

/**
 * One request as a quota-limited server saw it: the generic fake's records are these as they are;
 * the Gemini fake's calls are turned into them by `geminiQuotaRecords`.
 */
export interface QuotaRecord {
  apiKey: string;
  /** When the server's quota decided the request (and counted it, if accepted), epoch ms. */
  arrivalMs: number;
  status: 200 | 429;
  /** For a 429: the delay the reply announced, ms, from `arrivalMs`. */
  retryDelayMs: number | undefined;
  /** When the reply was sent; undefined when the client hung up first. */
  respondedAtMs: number | undefined;
  /**
   * When the request reached the server, if earlier than `arrivalMs` (a server that waits its
   * latency before deciding, like the Gemini fake); what "sent before the announced delay" is
   * judged by. Default `arrivalMs`.
   */
  receivedAtMs?: number;
}

export interface QuotaAnalysisInput {
  apiKey: string;
  /** Every server record (all keys); this key's are picked out. */
  records: readonly QuotaRecord[];
  /** The common start of both clients, epoch ms. */
  startedAtMs: number;
  /** The measured run, from the common start, ms. */
  runMs: number;
  /** Start of the steady-state window from the common start, ms (a whole minute; it ends at runMs). */
  steadyStartMs: number;
  requestsPerMinute: number;
}

/** Turns the server's record into one client's figures (see QuotaClientFigures for each one's meaning). */
export function analyseQuotaClient(input: QuotaAnalysisInput): QuotaClientFigures {
  const ownRecords = input.records.filter((record) => record.apiKey === input.apiKey).map((record) => ({ ...record, offsetMs: record.arrivalMs - input.startedAtMs }));
  const inRun = ownRecords.filter((record) => record.offsetMs >= 0 && record.offsetMs < input.runMs);

  const windowFigures = (startMs: number, endMs: number): QuotaWindowFigures => {
    const inWindow = inRun.filter((record) => record.offsetMs >= startMs && record.offsetMs < endMs);
    const accepted = inWindow.filter((record) => record.status === 200).length;
    const rejected = inWindow.length - accepted;
    const acceptedPerMinute = accepted / ((endMs - startMs) / minuteMs);
    return {
      startMs,
      endMs,
      requests: inWindow.length,
      accepted,
      rejected,
      acceptedPerMinute,
      ratio: acceptedPerMinute / input.requestsPerMinute,
      rejectedShare: inWindow.length === 0 ? 0 : rejected / inWindow.length,
    };
  };

  const acceptedPerMinute: number[] = [];
  for (let minuteStartMs = 0; minuteStartMs + minuteMs <= input.runMs; minuteStartMs += minuteMs) {
    acceptedPerMinute.push(inRun.filter((record) => record.status === 200 && record.offsetMs >= minuteStartMs && record.offsetMs < minuteStartMs + minuteMs).length);
  }

  const acceptedArrivals = inRun.filter((record) => record.status === 200).map((record) => record.arrivalMs);
  const limit = input.requestsPerMinute;
  let gapTotalMs = 0;
  let gapCount = 0;
  for (let index = 0; index + limit < acceptedArrivals.length; index += 1) {
    gapTotalMs += acceptedArrivals[index + limit]! - acceptedArrivals[index]!;
    gapCount += 1;
  }

  // Burstiness: the most requests (any answer) that arrived within 10 s of each other.
  const arrivals = inRun.map((record) => record.arrivalMs);
  let peakRequestsPerTenSeconds = 0;
  for (let first = 0, last = 0; last < arrivals.length; last += 1) {
    while (arrivals[last]! - arrivals[first]! >= burstWindowMs) first += 1;
    peakRequestsPerTenSeconds = Math.max(peakRequestsPerTenSeconds, last - first + 1);
  }

  // A request is early when the client already held a 429 reply whose delay had not run out.
  let earlyRequests = 0;
  for (const record of ownRecords) {
    const sentAtMs = record.receivedAtMs ?? record.arrivalMs;
    const early = ownRecords.some(
      (refusal) => refusal.status === 429 && refusal.respondedAtMs !== undefined && refusal.retryDelayMs !== undefined && sentAtMs > refusal.respondedAtMs && sentAtMs < refusal.arrivalMs + refusal.retryDelayMs,
    );
    if (early) earlyRequests += 1;
  }

  return {
    apiKey: input.apiKey,
    steady: windowFigures(input.steadyStartMs, input.runMs),
    wholeRun: windowFigures(0, input.runMs),
    acceptedPerMinute,
    sustainedRatio: gapCount === 0 ? undefined : minuteMs / (gapTotalMs / gapCount),
    earlyRequests,
    peakRequestsPerTenSeconds,
  };
}
