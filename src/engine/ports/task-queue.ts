/** The durable queue and the provider limits it enforces. A port: adapters in src/store implement it. */
import type { GeneratedImage } from '../../core/image.js';
import type { Job, Lane } from '../../core/job.js';
import type { QuotaDimension } from '../../core/quota-failure.js';
import type { Task } from '../../core/task.js';
import type { InputTokenEstimate } from '../../core/request-usage-estimate.js';
import type { LearnedRateState, RequestUsage } from '../learned-rate/learned-rate.js';

/** A provider's configured limits (the same for each of its models). */
export interface ProviderLimits {
  /** Requests per minute across every process on this store; 0 = unlimited. */
  requestsPerMinute: number;
  /** Most calls in flight at once across every process. */
  maxConcurrency: number;
  /** Minimum gap between two request starts, ms; 0 = none. */
  cooldownMs: number;
  /**
   * True when the requests per minute is `auto` (issue 18): the engine learns the rate from the
   * provider's 429s and paces evenly (`requestsPerMinute` is then 0); absent/false = the user's fixed rate.
   */
  learnedRate?: boolean | undefined;
  /** How the provider counts input tokens (a learned tokens-per-minute pace); absent = the generic estimate. */
  inputTokenEstimate?: InputTokenEstimate | undefined;
}

/** Limits the claimer enforces for one provider+model ("provider key" = `provider:model`). */
export interface ProviderLimitPolicy {
  /** `provider:model`. */
  providerKey: string;
  /** Provider id alone; a pause of the whole provider (bad key) applies to all its models. */
  providerId: string;
  /** Requests per minute across every process on this store; 0 = unlimited. */
  requestsPerMinute: number;
  /** Most calls in flight at once across every process; adaptive concurrency stays ≤ this. */
  maxConcurrency: number;
  /** Minimum gap between two request starts, ms; 0 = none. */
  cooldownMs: number;
  /** Current credential fingerprint; a pause for bad credentials lifts when it changes. */
  credentialFingerprint: string | undefined;
  /**
   * True when the rate is learned (`…_RPM=auto`, decision 0040): starts follow the shared learned
   * pace (engine/limits/learned-pacing.ts) instead of an RPM window. Absent/false = fixed window.
   */
  learnedRate?: boolean | undefined;
  /**
   * True: a user-set `requestsPerMinute` is also spread evenly over the minute (starts at least
   * 60 s ÷ the rate apart, on the shared pacing schedule), so a full window never opens with a burst
   * that trips per-second limits; the RPM window stays the exact bound. Set by `buildLimitPolicies`
   * for online keys; absent/false = the window alone.
   */
  evenPacing?: boolean | undefined;
  /**
   * Lane of the jobs this policy limits; undefined = `online`. A `batch` policy has its own key
   * (`provider:model@batch`), so batch-lane tasks waiting on a remote batch neither use the online
   * concurrency and RPM nor are held by online rate limits.
   */
  lane?: Lane | undefined;
  /** The jobs' `provider:model` when it differs from `providerKey` (lane policies). */
  jobProviderKey?: string | undefined;
  /**
   * How the provider counts a call's input tokens, to charge a learned input-tokens-per-minute pace
   * (core/request-usage-estimate.ts); absent = the generic estimate. Only learned keys use it.
   */
  inputTokenEstimate?: InputTokenEstimate | undefined;
}

/** Outcome of asking to start one request outside a claim (see `TaskQueue.startRequest`). */
export type RequestStart = { started: true } | { started: false; retryAtMs: number };

export interface ClaimRequest {
  nowMs: number;
  /** Identifies the claiming process in the lease (diagnostics only; the token does the fencing). */
  workerId: string;
  leaseMs: number;
  /** Providers this process can run, with their limits. Jobs for other providers are left alone. */
  providers: ProviderLimitPolicy[];
}

export interface ClaimedTask {
  task: Task;
  job: Job;
  /** Fresh random token; every later write about this task must present it. */
  leaseToken: string;
  /**
   * What this attempt asks of the provider as its learned pace charged it at the start (images,
   * estimated input tokens); the runner hands it back with a 429. Absent for keys without a learned rate.
   */
  requestUsage?: RequestUsage | undefined;
}

/** An output image about to be recorded at completion. */
export type NewImageRecord = Pick<GeneratedImage, 'index' | 'fileKey' | 'thumbnailKey' | 'mediaType' | 'width' | 'height' | 'byteSize' | 'crc32' | 'seed'>;

export interface CompleteTaskInput {
  taskId: string;
  leaseToken: string;
  nowMs: number;
  images: NewImageRecord[];
  /** What the call cost, USD (reported or from the price table). */
  costUsd: number;
  warnings: string[];
  providerKey: string;
  maxConcurrency: number;
}

/** What to do with a task whose attempt did not succeed. */
export type TaskSetback =
  /** Try again at `availableAtMs`. `countsAsAttempt` false for rate limits and pauses. */
  | { kind: 'retry'; availableAtMs: number; countsAsAttempt: boolean; errorCode: string; message: string }
  /** End the task: `failed` (invalid, out of attempts) or `blocked` (safety). */
  | { kind: 'end'; status: 'failed' | 'blocked'; errorCode: string; message: string };

export interface SetbackInput {
  taskId: string;
  leaseToken: string;
  nowMs: number;
  setback: TaskSetback;
}

export interface TaskOutcome {
  /** False when the lease had been lost: nothing was written. */
  accepted: boolean;
  /**
   * When not accepted: whether the task had been canceled (so no worker will ever write its files
   * again). The runner then removes the files this attempt wrote (docs/decisions/0022).
   */
  canceled?: boolean | undefined;
  /** Set when this write finished the job. */
  finishedJob?: Job | undefined;
}

export interface ProviderPause {
  /** `provider` (whole provider, e.g. bad key) or `provider:model` (e.g. daily quota). */
  scopeKey: string;
  reason: string;
  /** When the pause lifts by itself (quota reset), epoch ms; undefined = until credentials change. */
  untilMs: number | undefined;
  /** Fingerprint of the credentials that were refused. */
  credentialFingerprint: string | undefined;
}

/**
 * What one attempt of a running task came to, recorded by `TaskQueue.recordAttemptOutcome` in ONE
 * transaction (so a failure path can no longer half-apply: e.g. pause the provider but keep the task).
 * The engine decides it (`classify-failure.ts`, engine/limits); the store only writes it.
 */
export type AttemptOutcome =
  /** Images stored: record them, the cost, and grow the key's adaptive concurrency (group-committed). */
  | {
      kind: 'completed';
      images: NewImageRecord[];
      /** What the call cost, USD (reported or from the price table). */
      costUsd: number;
      warnings: string[];
      /** Limit key the call ran under (`provider:model` or `provider:model@batch`). */
      providerKey: string;
      /** The key's configured concurrency cap (adaptive growth stops there). */
      maxConcurrency: number;
    }
  /**
   * Retry later or end the task. With `rateLimited` (a 429), the key is also held until
   * `untilMs` and its concurrency halved once per hold — written even when the lease was lost,
   * because the provider's limit is real whoever holds the task.
   */
  | {
      kind: 'setback';
      setback: TaskSetback;
      rateLimited?: RateLimitedOutcome | undefined;
    }
  /** The provider cannot serve anything now: pause the scope (written even when the lease was lost) and give the task back. */
  | { kind: 'provider-paused'; pause: ProviderPause }
  /** Give the task back untouched (shutdown). No attempt is counted. */
  | { kind: 'released' };

/** A 429 as the outcome carries it to the store. */
export interface RateLimitedOutcome {
  /** Limit key the call ran under. */
  providerKey: string;
  /** Hold until, epoch ms (a fixed-rate key: the retry delay or a backoff). */
  untilMs: number;
  /** The key's configured concurrency cap. */
  maxConcurrency: number;
  /** True when the key's rate is learned: the 429 feeds the controller instead of the hold and the halving. */
  learnedRate?: boolean | undefined;
  /**
   * True when the key's fixed rate is paced evenly (`ProviderLimitPolicy.evenPacing`): the hold is
   * written but the concurrency is not halved — the pace keeps the rate, and a halved concurrency
   * would cap it below the user's rate (rate ≤ concurrency ÷ latency).
   */
  evenlyPaced?: boolean | undefined;
  /** When the refused request started, epoch ms. */
  startedAtMs?: number | undefined;
  /** The delay the provider announced (RetryInfo / Retry-After), ms; undefined when none. */
  retryAfterMs?: number | undefined;
  /** The quota the 429 named (QuotaFailure `quotaId`); undefined/`unknown` = requests per minute. */
  quotaDimension?: QuotaDimension | undefined;
  /** What the refused request asked for (`ClaimedTask.requestUsage`); undefined = counted as the mean request. */
  usage?: RequestUsage | undefined;
}

export interface AttemptOutcomeInput {
  taskId: string;
  /** The lease the attempt ran under; every task write is fenced by it. */
  leaseToken: string;
  /** When the outcome is recorded, epoch ms. */
  nowMs: number;
  outcome: AttemptOutcome;
}

export interface ProviderStateView {
  scopeKey: string;
  pausedReason: string | undefined;
  pausedUntilMs: number | undefined;
  nextRequestAtMs: number;
  /** Current adaptive concurrency (may be fractional while growing back). */
  concurrencyLimit: number | undefined;
  /**
   * The key's learned-rate controller state as stored (`…_RPM=auto`); undefined when nothing was
   * learned. Raw, so the reader shows it at its own clock (`learnedRateView(state, clock.now())`).
   */
  learnedRateState?: LearnedRateState | undefined;
}

export interface RecoveryResult {
  /** Tasks whose lease expired and went back to the queue. */
  requeued: number;
  /** Tasks failed because workers died holding them too many times (poison tasks). */
  poisoned: number;
}

/** The durable queue: every state change of a task goes through here, in one transaction each. */
export interface TaskQueue {
  /** Atomically picks the next runnable task under priority, fairness, limits and budgets, and leases it. */
  claimNext(request: ClaimRequest): Promise<ClaimedTask | undefined>;
  /** Claims up to `maxTasks` in one transaction, each pick under the same rules as `claimNext`. */
  claimMany(request: ClaimRequest, maxTasks: number): Promise<ClaimedTask[]>;
  /** Extends a lease. False when the lease is gone (expired and taken, or the task was canceled). */
  renewLease(taskId: string, leaseToken: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /**
   * Records what an attempt came to, in one transaction (completions are group-committed: those of
   * one event-loop turn share a transaction, each in its own savepoint). Task writes are fenced by
   * the lease token; `accepted` false = the lease was lost and no task write happened.
   */
  recordAttemptOutcome(input: AttemptOutcomeInput): Promise<TaskOutcome>;
  /** Fenced completion: records images and cost only if the lease token still holds. Same as the `completed` outcome. */
  completeTask(input: CompleteTaskInput): Promise<TaskOutcome>;
  /** Fenced: retry later, or end the task as failed/blocked. Same as the `setback` outcome without a 429. */
  setBackTask(input: SetbackInput): Promise<TaskOutcome>;
  /** Fenced: give the task back untouched. No attempt is counted. Same as the `released` outcome. */
  releaseTask(taskId: string, leaseToken: string, nowMs: number): Promise<boolean>;
  /**
   * Fenced: the task's remote request failed and its job retries online — its next attempts call
   * the provider directly (under the online limits) instead of submitting again; the handle goes.
   */
  markRunOnline(taskId: string, leaseToken: string): Promise<boolean>;
  /** Saves a remote job handle before waiting on it (fenced); `undefined` forgets it (the remote job ended without a result). */
  saveRemoteHandle(taskId: string, leaseToken: string, handle: string | undefined): Promise<boolean>;
  /**
   * Starts one request under `policy` for a task already running under another key (a batch-lane
   * task retried online): checks pause, hold, concurrency and RPM exactly as a claim does and
   * records the start; otherwise says when to ask again.
   */
  startRequest(policy: ProviderLimitPolicy, nowMs: number): Promise<RequestStart>;
  /** Requeues tasks whose lease expired; fails those that expired `maxLeaseExpirations` times. */
  recoverExpiredLeases(nowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult>;
  /** Distinct lease owners (`host:pid:random`) of running tasks, with how many tasks each holds. */
  leaseOwners(): Promise<Array<{ owner: string; taskCount: number }>>;
  /**
   * Takes back at once the running tasks leased by `owners` (processes known to be dead), exactly
   * as if their leases had expired: requeued, counted toward `maxLeaseExpirations` (poison limit).
   */
  reclaimLeases(owners: string[], nowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult>;
  /**
   * A 429: hold every request to this provider key until `untilMs` and halve its concurrency
   * (once per hold, so a burst of 429s from calls already in flight halves it only once).
   */
  recordRateLimited(input: { providerKey: string; nowMs: number; untilMs: number; maxConcurrency: number }): Promise<void>;
  resumeProvider(scopeKey: string): Promise<void>;
  providerStates(): Promise<ProviderStateView[]>;
  /** Earliest future time a queued task becomes available (for the idle sleep), or undefined. */
  nextAvailableAtMs(nowMs: number): Promise<number | undefined>;
}
