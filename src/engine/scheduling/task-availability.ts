/**
 * Which queued task of a job a claim may take. A parallel job offers its first task (by ordinal)
 * that is available now. A sequential job runs one task at a time, in order: it waits while one
 * runs, and waits for its next task in order even while that task backs off.
 */
import type { ExecutionMode } from '../../core/job.js';
import type { RequestUsageFacts } from '../../core/request-usage-estimate.js';

export type { ExecutionMode };

/** The job's first queued task to consider, as the adapter reads it. */
export interface QueuedTaskHead {
  /** Task id. */
  id: string;
  /** Not claimable before this, epoch ms (retry backoff or a rate-limit setback). */
  availableAtMs: number;
  /** Estimated cost of the call, USD (for the budget rule). */
  estimatedCostUsd: number;
  /**
   * What decides the call's usage (images, prompt length, reference sizes), read when the claim
   * step asked `withUsage` (a learned key); absent = not read, the pace counts the mean request.
   */
  usageFacts?: RequestUsageFacts | undefined;
}

/**
 * Whether a sequential job must wait because one of its tasks runs; parallel jobs never do. When
 * this is false the adapter reads the head task with `headTaskRequiresAvailability`.
 */
export function waitsForRunningTask(execution: ExecutionMode, hasRunningTask: boolean): boolean {
  return execution === 'sequential' && hasRunningTask;
}

/**
 * Whether the head task to read is the first AVAILABLE queued task (parallel) or simply the first
 * queued one in order (sequential: it must not skip ahead of a task that backs off).
 */
export function headTaskRequiresAvailability(execution: ExecutionMode): boolean {
  return execution !== 'sequential';
}

/** Whether the head task can be claimed at `nowMs` (a sequential job's head may still back off). */
export function isClaimable(head: QueuedTaskHead | undefined, nowMs: number): head is QueuedTaskHead {
  return head !== undefined && head.availableAtMs <= nowMs;
}
