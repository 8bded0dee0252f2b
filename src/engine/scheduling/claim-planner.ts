import type { RequestUsage } from '../learned-rate/learned-rate.js';
import { learnedRateAfterStart, requestUsageUnder, usesLearnedRate, usesPace, type StoredLearnedRate } from '../limits/learned-pacing.js';
import { decideLimitEligibility, type LimitSnapshot } from '../limits/limit-eligibility.js';
import { limitKeyResolver } from '../limits/limit-key-resolver.js';
import type { LimitState } from '../limits/limit-state.js';
import { requestStartEffects } from '../limits/request-start.js';
import type { ProviderLimitPolicy } from '../ports/task-queue.js';
import { budgetPauseReason, decideBudget } from './job-budget.js';
import { compareJobOrder, type JobOrderFields } from './job-order.js';
import { headTaskRequiresAvailability, isClaimable, waitsForRunningTask, type ExecutionMode, type QueuedTaskHead } from './task-availability.js';

/** A job that may run (queued or processing) with what the claim rules need to know about it. */
export interface RunnableJob extends JobOrderFields {
  id: string;
  /** The job's `provider:model`. */
  providerKey: string;
  /** `online` or `batch`: which of the model's limit keys the job's tasks count against. */
  lane: string;
  execution: ExecutionMode;
  status: 'queued' | 'processing';
  /** USD; undefined = no budget. */
  budgetUsd: number | undefined;
  /** USD already spent by completed tasks. */
  spentUsd: number;
  /** The job's running tasks. */
  runningCount: number;
  /** Estimated cost of the job's running tasks, USD. */
  inFlightUsd: number;
}

/** What the adapter does next for the claim. */
export type ClaimStep =
  /**
   * Read the job's head task (`availableOnly`: the first available queued task; else the first
   * queued one) and hand it to `provideHead`; `withUsage`: with its `usageFacts` (the key's rate
   * is learned, so its pace charges the call's images and input tokens). `limit`: how many of the
   * job's next heads in that order the adapter may read at once (`provideHeads`); at least 1.
   */
  | { kind: 'read-head'; jobId: string; availableOnly: boolean; withUsage: boolean; limit: number }
  /** Pause the job (status `paused`, this reason, a `job.paused` event with cause `budget`). */
  | { kind: 'pause-for-budget'; jobId: string; reason: string }
  /**
   * Lease the task; record the request start under `policy`, charging `usage` to a learned pace
   * (undefined: not a learned key, or no facts read); `jobStarting` = the job's first claim (`job.started`).
   */
  | { kind: 'lease'; jobId: string; taskId: string; policy: ProviderLimitPolicy; jobStarting: boolean; usage: RequestUsage | undefined }
  /** Nothing more to claim. */
  | { kind: 'done' };

/**
 * The claim as a pure plan over a snapshot (DESIGN §5.5–5.7, docs/decisions/0028). The adapter
 * reads the limit snapshot and the runnable jobs once, then follows the steps; the planner
 * simulates each pick on its snapshot (running counts, RPM window, cool-down, the job's turn,
 * in-flight cost), so picking N tasks in one transaction obeys exactly the rules of N single claims.
 * Head tasks are read on demand, only for the jobs the order reaches.
 */
export class ClaimPlanner {
  private readonly jobs: RunnableJob[];
  private readonly states: Map<string, LimitState>;
  private readonly runningByLimitKey: Map<string, number>;
  private readonly startsInWindowByLimitKey: Map<string, number>;
  private readonly learnedRatesByLimitKey: Map<string, StoredLearnedRate>;
  /** Head task per job id; `null` = read, none; missing = not read since the last pick from it. */
  private readonly heads = new Map<string, QueuedTaskHead | null>();
  /**
   * The heads read ahead per job, after its current head, in the order they become head; with
   * whether the read found fewer than it asked for (then none follows the last one).
   */
  private readonly followingHeads = new Map<string, { heads: QueuedTaskHead[]; exhausted: boolean }>();
  private readonly limitKeyOf: (jobProviderKey: string, lane: string) => string;
  private readonly nowMs: number;
  private picks = 0;

  /**
   * @param snapshot the limit snapshot, with the pauses that lifted already cleared from `states`.
   * @param jobs the runnable jobs of the eligible keys, in any order.
   */
  constructor(
    private readonly policies: readonly ProviderLimitPolicy[],
    snapshot: LimitSnapshot,
    jobs: readonly RunnableJob[],
    private readonly maxTasks: number,
  ) {
    this.nowMs = snapshot.nowMs;
    this.states = new Map(snapshot.states);
    this.runningByLimitKey = new Map(snapshot.runningByLimitKey);
    this.startsInWindowByLimitKey = new Map(snapshot.startsInWindowByLimitKey);
    this.learnedRatesByLimitKey = new Map(snapshot.learnedRatesByLimitKey ?? []);
    this.jobs = jobs.map((job) => ({ ...job })).sort(compareJobOrder);
    this.limitKeyOf = limitKeyResolver(policies);
  }

  /** The next step. After `read-head`, call `provideHead` before asking again. */
  next(): ClaimStep {
    if (this.picks >= this.maxTasks) return { kind: 'done' };
    const { eligible } = decideLimitEligibility(this.policies, {
      nowMs: this.nowMs,
      states: this.states,
      runningByLimitKey: this.runningByLimitKey,
      startsInWindowByLimitKey: this.startsInWindowByLimitKey,
      learnedRatesByLimitKey: this.learnedRatesByLimitKey,
    });
    if (eligible.size === 0) return { kind: 'done' };

    for (const job of this.jobs) {
      // Each lane of a model has its own limits: a batch job waits on its batch policy only.
      const limitKey = this.limitKeyOf(job.providerKey, job.lane);
      const policy = eligible.get(limitKey);
      if (!policy) continue;
      if (waitsForRunningTask(job.execution, job.runningCount > 0)) continue;
      const read = this.heads.get(job.id);
      if (read === undefined) {
        return { kind: 'read-head', jobId: job.id, availableOnly: headTaskRequiresAvailability(job.execution), withUsage: usesLearnedRate(policy), limit: this.maxTasks - this.picks };
      }
      const head = read ?? undefined;
      if (!isClaimable(head, this.nowMs)) continue;

      const budget = decideBudget({ budgetUsd: job.budgetUsd, spentUsd: job.spentUsd, inFlightUsd: job.inFlightUsd, nextTaskCostUsd: head.estimatedCostUsd });
      if (budget === 'pause' && job.budgetUsd !== undefined) {
        this.remove(job.id);
        return { kind: 'pause-for-budget', jobId: job.id, reason: budgetPauseReason(job.spentUsd, job.budgetUsd) };
      }
      if (budget !== 'claim') continue;

      const jobStarting = job.status === 'queued';
      const usage = requestUsageUnder(policy, head.usageFacts);
      this.simulateLease(job, head, policy, limitKey, usage);
      return { kind: 'lease', jobId: job.id, taskId: head.id, policy, jobStarting, usage };
    }
    return { kind: 'done' };
  }

  /** The head task the adapter read for `jobId` (undefined: the job has none to offer). */
  provideHead(jobId: string, head: QueuedTaskHead | undefined): void {
    this.provideHeads(jobId, head === undefined ? [] : [head], 1);
  }

  /**
   * The job's next heads the adapter read in one go (`read-head` with `limit`), in head order: the
   * first is the head now, each next one the head once the one before is leased — nothing but this
   * claim's own leases changes the job's queued tasks inside its transaction, so they are exactly
   * what single reads after each lease would return. Fewer than `requested`: no more follow.
   */
  provideHeads(jobId: string, heads: readonly QueuedTaskHead[], requested: number): void {
    const [first, ...rest] = heads;
    this.heads.set(jobId, first ?? null);
    this.followingHeads.set(jobId, { heads: rest, exhausted: heads.length < requested });
  }

  /** What the lease changes for the next pick: the job's turn and load, the key's running count, window or learned pace, and cool-down. */
  private simulateLease(job: RunnableJob, head: QueuedTaskHead, policy: ProviderLimitPolicy, limitKey: string, usage: RequestUsage | undefined): void {
    this.picks += 1;
    job.status = 'processing';
    job.lastClaimedAtMs = this.nowMs;
    job.runningCount += 1;
    job.inFlightUsd += head.estimatedCostUsd;
    this.advanceHead(job.id);
    this.jobs.sort(compareJobOrder);
    this.runningByLimitKey.set(limitKey, (this.runningByLimitKey.get(limitKey) ?? 0) + 1);
    const effects = requestStartEffects(policy, this.nowMs);
    if (usesPace(policy)) {
      this.learnedRatesByLimitKey.set(limitKey, learnedRateAfterStart(this.learnedRatesByLimitKey.get(limitKey), policy, this.nowMs, usage));
    }
    if (effects.logStart) this.startsInWindowByLimitKey.set(effects.limitKey, (this.startsInWindowByLimitKey.get(effects.limitKey) ?? 0) + 1);
    if (effects.holdUntilMs !== undefined) {
      const current = this.states.get(effects.limitKey);
      this.states.set(effects.limitKey, {
        scopeKey: effects.limitKey,
        pausedReason: current?.pausedReason,
        pausedUntilMs: current?.pausedUntilMs,
        pausedCredentialFingerprint: current?.pausedCredentialFingerprint,
        concurrencyLimit: current?.concurrencyLimit,
        nextRequestAtMs: effects.holdUntilMs,
      });
    }
  }

  /** After a lease: the next head read ahead, none when the read ran out, or a fresh read. */
  private advanceHead(jobId: string): void {
    const following = this.followingHeads.get(jobId);
    const next = following?.heads.shift();
    if (next !== undefined) this.heads.set(jobId, next);
    else if (following?.exhausted === true) this.heads.set(jobId, null);
    else {
      this.heads.delete(jobId);
      this.followingHeads.delete(jobId);
    }
  }

  private remove(jobId: string): void {
    const index = this.jobs.findIndex((job) => job.id === jobId);
    if (index >= 0) this.jobs.splice(index, 1);
  }
}

/** The snapshot's states with the lifted pauses cleared, as the store holds them after writing the lifts. */
export function withLiftsApplied(states: ReadonlyMap<string, LimitState>, liftedScopeKeys: readonly string[]): Map<string, LimitState> {
  const next = new Map(states);
  for (const scopeKey of liftedScopeKeys) {
    const state = next.get(scopeKey);
    if (state) next.set(scopeKey, { ...state, pausedReason: undefined, pausedUntilMs: undefined, pausedCredentialFingerprint: undefined });
  }
  return next;
}
