import { describe, expect, it } from 'vitest';
import { completionRateWindowMs, rateWindowOf, summarizeJobProgress } from '../../src/core/job-progress.js';

const minuteMs = 60_000;
const createdAtMs = 1_700_000_000_000;

function images(partial: Partial<Record<'queued' | 'running' | 'completed' | 'failed' | 'blocked' | 'canceled', number>>) {
  return { queued: 0, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0, ...partial };
}

describe('rateWindowOf', () => {
  it('measures the last five minutes of a running job', () => {
    const nowMs = createdAtMs + 60 * minuteMs;
    expect(rateWindowOf({ createdAtMs, finishedAtMs: undefined }, nowMs)).toEqual({ endMs: nowMs, startMs: nowMs - completionRateWindowMs });
  });

  it('starts no earlier than the job', () => {
    expect(rateWindowOf({ createdAtMs, finishedAtMs: undefined }, createdAtMs + minuteMs)).toEqual({ endMs: createdAtMs + minuteMs, startMs: createdAtMs });
  });

  it('ends where a finished job ended, so its rate does not sink afterwards', () => {
    const finishedAtMs = createdAtMs + 10 * minuteMs;
    expect(rateWindowOf({ createdAtMs, finishedAtMs }, finishedAtMs + 60 * minuteMs)).toEqual({ endMs: finishedAtMs, startMs: finishedAtMs - completionRateWindowMs });
  });
});

describe('summarizeJobProgress', () => {
  const fiveMinutes = { startMs: createdAtMs, endMs: createdAtMs + 5 * minuteMs };

  it('counts images, progress, rate and the ETA of a running job', () => {
    const progress = summarizeJobProgress({ status: 'processing' }, images({ queued: 8, running: 2, completed: 10 }), 10, fiveMinutes);
    expect(progress.counts).toEqual({ total: 20, pending: 8, running: 2, completed: 10, failed: 0, blocked: 0, canceled: 0 });
    expect(progress.progress).toBe(0.5);
    expect(progress.ratePerMinute).toBe(2);
    expect(progress.etaSeconds).toBe(300);
  });

  it('counts failed, blocked and canceled images as finished', () => {
    expect(summarizeJobProgress({ status: 'failed' }, images({ completed: 1, failed: 1, blocked: 1, canceled: 1 }), 0, fiveMinutes).progress).toBe(1);
  });

  it('rounds the rate to hundredths and the ETA up to whole seconds', () => {
    const progress = summarizeJobProgress({ status: 'processing' }, images({ queued: 1, completed: 1 }), 1, { startMs: 0, endMs: 3 * minuteMs });
    expect(progress.ratePerMinute).toBe(0.33);
    expect(progress.etaSeconds).toBe(180);
  });

  it('has no ETA before anything completed, 0 with nothing left, none for a job not running', () => {
    expect(summarizeJobProgress({ status: 'queued' }, images({ queued: 3 }), 0, fiveMinutes).etaSeconds).toBeUndefined();
    expect(summarizeJobProgress({ status: 'processing' }, images({ completed: 3 }), 0, fiveMinutes).etaSeconds).toBe(0);
    expect(summarizeJobProgress({ status: 'paused' }, images({ queued: 3, completed: 3 }), 3, fiveMinutes).etaSeconds).toBeUndefined();
    expect(summarizeJobProgress({ status: 'completed' }, images({ completed: 3 }), 3, fiveMinutes).etaSeconds).toBeUndefined();
  });

  it('reports a job without images as done', () => {
    expect(summarizeJobProgress({ status: 'completed' }, images({}), 0, fiveMinutes).progress).toBe(1);
  });

  it('measures a window of at least one second', () => {
    expect(summarizeJobProgress({ status: 'processing' }, images({ queued: 1, completed: 1 }), 1, { startMs: 0, endMs: 0 }).ratePerMinute).toBe(60);
  });
});
