import { describe, expect, it } from 'vitest';
import { measureCallTimes } from '../../src/core/call-times.js';
import { estimatePlan } from '../../src/core/estimate.js';
import { createLocalProvider } from '../../src/providers/local/local-provider.js';

describe('time estimates calibrated from measured calls', () => {
  it('measures the mean call and the throughput within each job, leaving out idle time between jobs', () => {
    const calls = [
      // Job a: 4 calls, 2 at a time, 1 s each → 2 s of work.
      { jobId: 'a', startedAtMs: 0, finishedAtMs: 1000 },
      { jobId: 'a', startedAtMs: 0, finishedAtMs: 1000 },
      { jobId: 'a', startedAtMs: 1000, finishedAtMs: 2000 },
      { jobId: 'a', startedAtMs: 1000, finishedAtMs: 2000 },
      // Job b, an hour later: 2 calls in 1 s.
      { jobId: 'b', startedAtMs: 3_600_000, finishedAtMs: 3_601_000 },
      { jobId: 'b', startedAtMs: 3_600_000, finishedAtMs: 3_601_000 },
    ];
    const measured = measureCallTimes(calls)!;
    expect(measured.sampleSize).toBe(6);
    expect(measured.meanCallMs).toBe(1000);
    expect(measured.callsPerSecond).toBeCloseTo(2, 6);
    expect(measureCallTimes(calls.slice(0, 2))).toBeUndefined();
  });

  it('uses the measured throughput instead of the seeded latency, and says so', () => {
    const capabilities = createLocalProvider().models()[0]!;
    const base = { taskCount: 300, imageCount: 300, capabilities, size: '512' as const, lane: 'online' as const, requestsPerMinute: 0, maxConcurrency: 4 };
    const seeded = estimatePlan(base);
    expect(seeded.assumptions).toContain('nothing measured yet');
    const calibrated = estimatePlan({ ...base, measured: { sampleSize: 50, meanCallMs: 700, callsPerSecond: 5 } });
    expect(calibrated.estimatedDurationMs).toBe(60_000);
    expect(calibrated.assumptions).toContain('as measured over the last 50 calls');
    // One call at a time (a sequential job): calls × the mean call time.
    expect(estimatePlan({ ...base, maxConcurrency: 1, measured: { sampleSize: 50, meanCallMs: 700, callsPerSecond: 5 } }).estimatedDurationMs).toBe(210_000);
    // A rate limit slower than the work still bounds the time.
    expect(estimatePlan({ ...base, requestsPerMinute: 60, measured: { sampleSize: 50, meanCallMs: 700, callsPerSecond: 5 } }).estimatedDurationMs).toBe(300_000);
  });
});
