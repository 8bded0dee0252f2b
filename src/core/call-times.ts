/**
 * What recent provider calls really took, for honest time estimates. A model's `typicalLatencyMs`
 * is a seeded default; once calls have run, the plan's time comes from them instead: the mean call
 * time, and the throughput jobs actually reached — calls per second of each job's own working
 * span (first start to last finish), so idle time between jobs is not counted. Throughput carries
 * everything a per-call time misses: claims, writes, thumbnails, CPU shared by parallel calls. Pure.
 */

export interface FinishedCall {
  jobId: string;
  startedAtMs: number;
  finishedAtMs: number;
}

export interface MeasuredCallTimes {
  /** Calls measured. */
  sampleSize: number;
  /** Mean time from a call's start to its completion, ms. */
  meanCallMs: number;
  /** Calls completed per second while their jobs were running. */
  callsPerSecond: number;
}

/** Fewer calls than this say too little; the seeded defaults are used instead. */
export const minimumMeasuredCalls = 3;

export function measureCallTimes(calls: readonly FinishedCall[]): MeasuredCallTimes | undefined {
  const valid = calls.filter((call) => Number.isFinite(call.startedAtMs) && Number.isFinite(call.finishedAtMs) && call.finishedAtMs >= call.startedAtMs);
  if (valid.length < minimumMeasuredCalls) return undefined;
  const spans = new Map<string, { firstStartMs: number; lastFinishMs: number; calls: number }>();
  let totalCallMs = 0;
  for (const call of valid) {
    totalCallMs += call.finishedAtMs - call.startedAtMs;
    const span = spans.get(call.jobId);
    if (span) {
      span.firstStartMs = Math.min(span.firstStartMs, call.startedAtMs);
      span.lastFinishMs = Math.max(span.lastFinishMs, call.finishedAtMs);
      span.calls += 1;
    } else {
      spans.set(call.jobId, { firstStartMs: call.startedAtMs, lastFinishMs: call.finishedAtMs, calls: 1 });
    }
  }
  let workingMs = 0;
  for (const span of spans.values()) workingMs += Math.max(1, span.lastFinishMs - span.firstStartMs);
  return { sampleSize: valid.length, meanCallMs: totalCallMs / valid.length, callsPerSecond: (valid.length / workingMs) * 1000 };
}
