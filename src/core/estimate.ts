/**
 * What a plan will cost and how long it will take, shown before anything runs (`--dry-run`, the
 * web form's summary). Estimates come from the model's price table and the configured limits;
 * they are honest approximations, and `assumptions` says what they assume.
 */
import type { ModelCapabilities } from '../providers/contract.js';
import type { MeasuredCallTimes } from './call-times.js';
import type { ImageSize } from './image-size.js';
import { lanes, type Lane } from './job.js';

export interface PlanEstimate {
  /** Provider calls. */
  taskCount: number;
  /** Images the calls produce. */
  imageCount: number;
  /** Total USD for the whole plan on each lane the model offers at this size (missing = not offered). */
  costUsdByLane: Partial<Record<Lane, number>>;
  /** Approximate wall-clock time to run every call at the configured limits, ms. */
  estimatedDurationMs: number;
  /** Plain-language statement of what the numbers assume. */
  assumptions: string;
}

export interface EstimateInput {
  taskCount: number;
  imageCount: number;
  capabilities: ModelCapabilities;
  size: ImageSize;
  /** The lane the job will use; the duration and the wording of the assumptions follow it. */
  lane: Lane;
  /** Rate limit for this provider+model, requests per minute; 0 = unlimited (or learned, below). */
  requestsPerMinute: number;
  /**
   * When the rate is learned (`…_RPM=auto`, decision 0040): the rate the engine starts from,
   * requests per minute; undefined for a fixed rate. The time estimate does not bound by it (the
   * quota is unknown); the assumptions say so.
   */
  learnedRateStartsAtPerMinute?: number | undefined;
  /** Calls in flight at once (1 for sequential jobs). */
  maxConcurrency: number;
  /** What recent calls of this provider+model on this lane took; absent before any call. */
  measured?: MeasuredCallTimes | undefined;
}

/** USD per image at `size` on `lane`, or undefined when the model does not offer that combination. */
export function pricePerImageUsd(capabilities: ModelCapabilities, size: ImageSize, lane: Lane): number | undefined {
  return capabilities.pricePerImageUsd[size]?.[lane];
}

/** Rounds to a millionth of a dollar, so sums of float prices read as the prices they are. */
export function roundUsd(amountUsd: number): number {
  return Math.round(amountUsd * 1_000_000) / 1_000_000;
}

/**
 * Cost per lane from the price table, and duration as the slower of two bounds: the rate limit
 * (calls ÷ requests per minute) and the work itself. The work is timed from measured calls when
 * there are some — calls ÷ the throughput jobs reached (one call at a time: calls × the mean call
 * time) — and otherwise from the model's seeded typical latency in waves of `maxConcurrency`.
 */
export function estimatePlan(input: EstimateInput): PlanEstimate {
  const { taskCount, imageCount, capabilities, size, lane } = input;
  const costUsdByLane: Partial<Record<Lane, number>> = {};
  const priceNotes: string[] = [];
  for (const offeredLane of lanes) {
    if (!capabilities.lanes.includes(offeredLane)) continue;
    const price = pricePerImageUsd(capabilities, size, offeredLane);
    if (price === undefined) continue;
    costUsdByLane[offeredLane] = roundUsd(imageCount * price);
    priceNotes.push(`${offeredLane} $${price} per image`);
  }

  // Fewer than one call at a time cannot run anything; treat bad limits as the most cautious sane value.
  const concurrency = Math.max(1, Math.floor(input.maxConcurrency));
  const requestsPerMinute = Math.max(0, input.requestsPerMinute);
  const rateBoundMs = requestsPerMinute > 0 ? (taskCount / requestsPerMinute) * 60_000 : 0;
  const { measured } = input;
  const workBoundMs =
    measured === undefined
      ? Math.ceil(taskCount / concurrency) * capabilities.typicalLatencyMs
      : concurrency === 1
        ? taskCount * measured.meanCallMs
        : (taskCount / measured.callsPerSecond) * 1000;
  const estimatedDurationMs = Math.round(Math.max(rateBoundMs, workBoundMs));

  const rateText =
    input.learnedRateStartsAtPerMinute !== undefined
      ? `the rate learned (starts at ${formatCount(input.learnedRateStartsAtPerMinute)}/min; found from the provider's 429s)`
      : requestsPerMinute > 0
        ? `at most ${requestsPerMinute} requests/minute`
        : 'no rate limit';
  const timeBasis =
    measured === undefined
      ? `${concurrency} call${concurrency === 1 ? '' : 's'} at once and ~${formatCount(capabilities.typicalLatencyMs)} ms per call (a default: nothing measured yet)`
      : `${concurrency} call${concurrency === 1 ? '' : 's'} at once, as measured over the last ${formatCount(measured.sampleSize)} calls (~${formatCount(Math.round(measured.meanCallMs))} ms each, ${measured.callsPerSecond.toFixed(2)} calls/s)`;
  const parts = [
    `${formatCount(taskCount)} call${taskCount === 1 ? '' : 's'} for ${formatCount(imageCount)} image${imageCount === 1 ? '' : 's'} at ${size}`,
    `time assumes ${rateText}, ${timeBasis}, with no retries`,
    priceNotes.length > 0 ? `prices from ${capabilities.displayName}'s table: ${priceNotes.join(', ')}` : `${capabilities.displayName} has no price for ${size}`,
  ];
  if (lane === 'batch') parts.push('batch-lane calls finish when the provider completes the batch, which can take up to 24 hours, so the time shown is a lower bound');
  return { taskCount, imageCount, costUsdByLane, estimatedDurationMs, assumptions: `${parts.join('; ')}.` };
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
