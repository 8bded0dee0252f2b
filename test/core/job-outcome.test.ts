import { describe, expect, it } from 'vitest';
import { decideJobOutcome, jobFinishedPayload, type JobTaskCounts } from '../../src/core/job-outcome.js';

function counts(partial: Partial<JobTaskCounts>): JobTaskCounts {
  return { queued: 0, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0, ...partial };
}

describe('decideJobOutcome', () => {
  it('is undefined while a task is queued or running', () => {
    expect(decideJobOutcome('processing', counts({ queued: 1, completed: 3 }))).toBeUndefined();
    expect(decideJobOutcome('processing', counts({ running: 1, completed: 3 }))).toBeUndefined();
    expect(decideJobOutcome('paused', counts({ queued: 2 }))).toBeUndefined();
  });

  it('is undefined for a job that already ended: its outcome stands', () => {
    for (const status of ['completed', 'failed', 'canceled'] as const) {
      expect(decideJobOutcome(status, counts({ completed: 2 }))).toBeUndefined();
    }
  });

  it('completes a job whose tasks all completed', () => {
    expect(decideJobOutcome('processing', counts({ completed: 4 }))).toEqual({ status: 'completed', reason: null, completed: 4, failed: 0, blocked: 0, canceled: 0 });
  });

  it('completes a job with some completed and some canceled tasks', () => {
    expect(decideJobOutcome('processing', counts({ completed: 1, canceled: 2 }))?.status).toBe('completed');
  });

  it('cancels a job whose tasks were all canceled', () => {
    expect(decideJobOutcome('paused', counts({ canceled: 3 }))).toEqual({ status: 'canceled', reason: null, completed: 0, failed: 0, blocked: 0, canceled: 3 });
  });

  it('fails a job with any failed task, saying how many completed', () => {
    expect(decideJobOutcome('processing', counts({ failed: 2, completed: 5 }))).toEqual({
      status: 'failed',
      reason: '2 failed; 5 completed',
      completed: 5,
      failed: 2,
      blocked: 0,
      canceled: 0,
    });
  });

  it('fails a job with a blocked task, naming the safety filter', () => {
    expect(decideJobOutcome('processing', counts({ blocked: 1, completed: 0 }))?.reason).toBe("1 blocked by the provider's safety filter; 0 completed");
    expect(decideJobOutcome('processing', counts({ failed: 2, blocked: 1, completed: 5, canceled: 1 }))?.reason).toBe(
      "2 failed, 1 blocked by the provider's safety filter; 5 completed",
    );
  });

  it('completes a job with no tasks at all', () => {
    expect(decideJobOutcome('queued', counts({}))?.status).toBe('completed');
  });
});

describe('jobFinishedPayload', () => {
  it('reports the outcome, its counts and what the job spent', () => {
    const outcome = decideJobOutcome('processing', counts({ failed: 1, completed: 2 }));
    expect(outcome).toBeDefined();
    expect(jobFinishedPayload(outcome!, 0.12)).toEqual({ status: 'failed', reason: '1 failed; 2 completed', completed: 2, failed: 1, blocked: 0, canceled: 0, spentUsd: 0.12 });
  });
});
