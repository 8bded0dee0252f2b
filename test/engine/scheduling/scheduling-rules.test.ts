import { describe, expect, it } from 'vitest';
import { budgetPauseReason, decideBudget } from '../../../src/engine/scheduling/job-budget.js';
import { compareJobOrder, type JobOrderFields } from '../../../src/engine/scheduling/job-order.js';
import { headTaskRequiresAvailability, isClaimable, waitsForRunningTask } from '../../../src/engine/scheduling/task-availability.js';

function job(name: string, overrides: Partial<JobOrderFields> = {}): JobOrderFields & { name: string } {
  return { name, priorityRank: 1, queuePosition: 0, lastClaimedAtMs: 0, createdAtMs: 0, ...overrides };
}

describe('job order', () => {
  it('serves priority first, then jobs moved ahead, then the least recently served, then the oldest', () => {
    const jobs = [
      job('bulk-old', { priorityRank: 0, createdAtMs: 1 }),
      job('served-recently', { lastClaimedAtMs: 900, createdAtMs: 2 }),
      job('waiting', { lastClaimedAtMs: 100, createdAtMs: 3 }),
      job('moved-ahead', { queuePosition: -1, lastClaimedAtMs: 950, createdAtMs: 4 }),
      job('interactive', { priorityRank: 2, lastClaimedAtMs: 999, createdAtMs: 5 }),
      job('never-served-young', { createdAtMs: 7 }),
      job('never-served-old', { createdAtMs: 6 }),
    ];
    expect(jobs.sort(compareJobOrder).map((entry) => entry.name)).toEqual([
      'interactive',
      'moved-ahead',
      'never-served-old',
      'never-served-young',
      'waiting',
      'served-recently',
      'bulk-old',
    ]);
  });

  it('takes turns: a job served just now goes behind its equals', () => {
    const big = job('big', { lastClaimedAtMs: 0, createdAtMs: 1 });
    const small = job('small', { lastClaimedAtMs: 0, createdAtMs: 2 });
    expect([small, big].sort(compareJobOrder)[0]?.name).toBe('big');
    big.lastClaimedAtMs = 10;
    expect([small, big].sort(compareJobOrder)[0]?.name).toBe('small');
  });
});

describe('which task of a job may run', () => {
  it('a sequential job waits while one of its tasks runs; a parallel job does not', () => {
    expect(waitsForRunningTask('sequential', true)).toBe(true);
    expect(waitsForRunningTask('sequential', false)).toBe(false);
    expect(waitsForRunningTask('parallel', true)).toBe(false);
  });

  it('a parallel job offers its first available task; a sequential one its next task in order, even while it backs off', () => {
    expect(headTaskRequiresAvailability('parallel')).toBe(true);
    expect(headTaskRequiresAvailability('sequential')).toBe(false);
    const backingOff = { id: 't2', availableAtMs: 2_000, estimatedCostUsd: 0.04 };
    expect(isClaimable(backingOff, 1_999)).toBe(false);
    expect(isClaimable(backingOff, 2_000)).toBe(true);
    expect(isClaimable(undefined, 2_000)).toBe(false);
  });
});

describe('job budgets', () => {
  it('claims while spent + in flight + the next estimate stays within the budget (float-tolerant)', () => {
    expect(decideBudget({ budgetUsd: undefined, spentUsd: 100, inFlightUsd: 100, nextTaskCostUsd: 100 })).toBe('claim');
    expect(decideBudget({ budgetUsd: 0.3, spentUsd: 0.1, inFlightUsd: 0.1, nextTaskCostUsd: 0.1 })).toBe('claim');
    expect(decideBudget({ budgetUsd: 1, spentUsd: 0.96, inFlightUsd: 0, nextTaskCostUsd: 0.04 })).toBe('claim');
  });

  it('waits while tasks are in flight, and pauses the job once nothing is', () => {
    expect(decideBudget({ budgetUsd: 0.1, spentUsd: 0.04, inFlightUsd: 0.04, nextTaskCostUsd: 0.04 })).toBe('wait');
    expect(decideBudget({ budgetUsd: 0.1, spentUsd: 0.08, inFlightUsd: 0, nextTaskCostUsd: 0.04 })).toBe('pause');
  });

  it('keeps the pause reason users see', () => {
    expect(budgetPauseReason(0.08, 0.1)).toBe('Budget reached: $0.0800 spent of $0.1000, and the next task would pass it. Raise the budget and resume to continue.');
  });
});
