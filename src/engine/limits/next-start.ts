import type { ProviderLimitPolicy } from '../ports/task-queue.js';
import type { LimitState } from './limit-state.js';
import { rateWindowSlotFreedAtMs } from './rate-window.js';

/** A start refused for a reason without an end time (concurrency, untimed pause): ask again after this long, ms. */
export const startRequestRecheckMs = 1_000;

/**
 * When `policy` may start a request again after a refusal: the latest of its timed pauses, its
 * hold and its RPM window's next free slot; else a short recheck (concurrency, untimed pause).
 *
 * @param states the stored states of the policy's provider id and limit key.
 * @param requestsPerMinuteLimitingStartMs the start that must leave the window before another fits: the
 *   `requestsPerMinute`-th newest start in the window, undefined when the window is not full.
 * @param learnedNextStartAtMs for a learned key, its pace's next start (engine/limits/learned-pacing.ts).
 */
export function nextStartAtMs(
  policy: Pick<ProviderLimitPolicy, 'requestsPerMinute'>,
  states: readonly LimitState[],
  requestsPerMinuteLimitingStartMs: number | undefined,
  nowMs: number,
  learnedNextStartAtMs?: number,
): number {
  const candidates: number[] = [];
  if (learnedNextStartAtMs !== undefined) candidates.push(learnedNextStartAtMs);
  for (const state of states) {
    if (state.pausedReason !== undefined && state.pausedUntilMs !== undefined) candidates.push(state.pausedUntilMs);
    if (state.nextRequestAtMs > nowMs) candidates.push(state.nextRequestAtMs);
  }
  if (policy.requestsPerMinute > 0 && requestsPerMinuteLimitingStartMs !== undefined) candidates.push(rateWindowSlotFreedAtMs(requestsPerMinuteLimitingStartMs));
  const later = candidates.filter((candidate) => candidate > nowMs);
  return later.length > 0 ? Math.max(...later) : nowMs + startRequestRecheckMs;
}

/** The times anything the idle engine waits on may change, epoch ms (each undefined when none). */
export interface WakeCandidates {
  /** Earliest future `availableAtMs` of a queued task. */
  nextTaskAvailableAtMs: number | undefined;
  /** Earliest future hold end (`nextRequestAtMs`) of any key. */
  nextHoldEndsAtMs: number | undefined;
  /** Earliest future end of a timed pause. */
  nextPauseEndsAtMs: number | undefined;
  /** Oldest request start still in the RPM window: when it leaves, a slot opens. */
  oldestStartInWindowMs: number | undefined;
  /** Earliest future next start of a learned key's pace (its slot, or the end of a retry delay). */
  nextLearnedSlotAtMs?: number | undefined;
}

/** When the idle engine should look again: the earliest of the candidates, or undefined. */
export function earliestWakeAtMs(candidates: WakeCandidates): number | undefined {
  const windowOpensAtMs = candidates.oldestStartInWindowMs === undefined ? undefined : rateWindowSlotFreedAtMs(candidates.oldestStartInWindowMs);
  const times = [candidates.nextTaskAvailableAtMs, candidates.nextHoldEndsAtMs, candidates.nextPauseEndsAtMs, windowOpensAtMs, candidates.nextLearnedSlotAtMs].filter(
    (value): value is number => typeof value === 'number',
  );
  return times.length > 0 ? Math.min(...times) : undefined;
}
