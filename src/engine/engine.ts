import { randomUUID } from 'node:crypto';
import { toImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { Logger } from '../core/logger.js';
import type { ImageProvider } from '../providers/contract.js';
import { InProcessEventBus } from './engine-events.js';
import { buildLimitPolicies, type LimitsLookup } from './limit-policies.js';
import type { AssetRepository, BlobStore, ClaimedTask, Clock, DomainEventBus, DomainEventListener, JobControl, OutputImageWriter, TaskCancellation, TaskQueue } from './ports.js';
import { abortReasons, runClaimedTask, type RemotePhase, type TaskRunnerContext } from './task-runner.js';

/** Engine tuning (see docs/configuration.md for the matching environment variables). */
export interface EngineSettings {
  /** Names this process in leases and logs; default a random id. */
  workerId?: string | undefined;
  /** Lease length, ms. A dead worker's tasks come back after about this long. */
  leaseMs: number;
  /** Provider calls in flight at once in this process. Tasks submitting to or waiting on a remote job (a Gemini batch) do not count. */
  maxInFlight: number;
  /** Tasks submitting to or waiting on remote jobs at once in this process; default 10,000. Each provider's batch-lane concurrency bounds them first. */
  maxRemoteWaits?: number | undefined;
  /** Lease length of a task that only waits on a remote job, ms (renewed every third); default max(leaseMs, 5 min). */
  remoteLeaseMs?: number | undefined;
  /** On stop, how long in-flight calls may run before they are aborted and released, ms. */
  shutdownGraceMs: number;
  /** Transient failures before a task fails. */
  maxAttempts: number;
  /** Worker deaths while holding a task before it is failed as poison. */
  maxLeaseExpirations: number;
  /** Longest idle sleep between claim attempts, ms. */
  idlePollMs: number;
  /** Backoff base and cap for transient failures, ms. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Written into every output's provenance. */
  appVersion: string;
}

/** What the engine needs from the providers: the registry satisfies it. */
export interface ProviderCatalog {
  list(): readonly ImageProvider[];
  get(providerId: string): ImageProvider;
}

export interface EngineDependencies {
  queue: TaskQueue;
  control: JobControl;
  assets: AssetRepository;
  blobs: BlobStore;
  /** Writes output images and their thumbnails (src/imaging's `createOutputImageWriter(blobs)`). */
  outputs: OutputImageWriter;
  providers: ProviderCatalog;
  limitsFor: LimitsLookup;
  clock: Clock;
  logger: Logger;
  /** Uniform [0, 1) source for backoff jitter; injectable for exact tests. */
  random?: () => number;
  /** The store's bus (its committed events; the engine adds `task.progress`); a private one when absent. */
  events?: DomainEventBus;
}

interface InFlightTask {
  jobId: string;
  controller: AbortController;
  done: Promise<void>;
  /** Set once the task submits to or polls a remote job: it then counts against `maxRemoteWaits`, not `maxInFlight`. */
  remotePhase: RemotePhase | undefined;
}

const defaultMaxRemoteWaits = 10_000;
/** Why the idle sleep was cut short (nothing reads it; see `wake`). */
const wakeReason = 'wake';
const minimumRemoteLeaseMs = 5 * 60_000;

/**
 * The durable engine (DESIGN §5): claims tasks from the shared queue under priorities, fairness
 * and limits, runs them with a lease kept alive by heartbeats, records outcomes with fenced
 * writes, recovers expired leases, and shuts down gracefully.
 */
/** Failures the engine keeps for the health report. */
export const maxRecentErrors = 5;

/** One failure of the engine itself (not a provider's answer to a task). */
export interface EngineError {
  /** When it happened, epoch ms (the engine's clock). */
  atMs: number;
  /** What failed, without secrets (URL credentials are redacted). */
  message: string;
}

export class Engine {
  readonly workerId: string;
  private readonly events: DomainEventBus;
  private readonly inFlight = new Map<string, InFlightTask>();
  private readonly errors: EngineError[] = [];
  private readonly runnerContext: TaskRunnerContext;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Set while a graceful stop waits for in-flight calls. */
  private stopping: { shortenGrace: (graceMs: number) => void; done: Promise<void> } | undefined;
  private wakeController = new AbortController();
  private lastRecoveryAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dependencies: EngineDependencies,
    private readonly settings: EngineSettings,
  ) {
    this.workerId = settings.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.events = dependencies.events ?? new InProcessEventBus();
    this.runnerContext = {
      queue: dependencies.queue,
      assets: dependencies.assets,
      blobs: dependencies.blobs,
      outputs: dependencies.outputs,
      clock: dependencies.clock,
      logger: dependencies.logger,
      events: this.events,
      getProvider: (providerId) => dependencies.providers.get(providerId),
      limitsFor: dependencies.limitsFor,
      retryPolicy: {
        maxAttempts: settings.maxAttempts,
        retryBaseMs: settings.retryBaseMs,
        retryMaxMs: settings.retryMaxMs,
        random: dependencies.random ?? Math.random,
      },
      leaseMs: settings.leaseMs,
      remoteLeaseMs: settings.remoteLeaseMs ?? Math.max(settings.leaseMs, minimumRemoteLeaseMs),
      appVersion: settings.appVersion,
      onRemotePhase: (taskId, phase) => {
        const entry = this.inFlight.get(taskId);
        if (!entry || entry.remotePhase === phase) return;
        entry.remotePhase = phase;
        // A call slot just freed up.
        this.wake();
      },
    };
  }

  get isRunning(): boolean {
    return this.running;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The engine's own latest failures (claiming work, running a task), newest last; at most `maxRecentErrors`. */
  get recentErrors(): ReadonlyArray<EngineError> {
    return this.errors;
  }

  private recordError(message: string): void {
    this.errors.push({ atMs: this.dependencies.clock.now(), message });
    if (this.errors.length > maxRecentErrors) this.errors.shift();
  }

  /** Tasks of this process submitting to or waiting on remote jobs (part of `inFlightCount`). */
  get remoteWaitCount(): number {
    let count = 0;
    for (const entry of this.inFlight.values()) if (entry.remotePhase !== undefined) count += 1;
    return count;
  }

  /** Tasks of this process holding a call slot (`maxInFlight`). */
  private get callCount(): number {
    return this.inFlight.size - this.remoteWaitCount;
  }

  /** New tasks this process may claim now: free call slots, within the room left for remote waits. */
  private get claimableCount(): number {
    const maxRemoteWaits = this.settings.maxRemoteWaits ?? defaultMaxRemoteWaits;
    return Math.max(0, Math.min(this.settings.maxInFlight - this.callCount, maxRemoteWaits - this.remoteWaitCount));
  }

  /** Listens to the domain events of this process: the store's committed ones and `task.progress`. */
  subscribe(listener: DomainEventListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Starts claiming. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.runLoop();
  }

  /** Claims again now instead of at the next poll (after a submit, resume or retry). */
  wake(): void {
    // An explicit reason: a bare abort() builds a DOMException with a stack trace, and this runs after every task.
    this.wakeController.abort(wakeReason);
  }

  /**
   * Graceful stop: no new claims; in-flight calls get `graceMs` to finish; the rest are aborted
   * and released (no attempt used), so another worker can pick them up at once. Calling it again
   * while it waits shortens the wait to the new `graceMs` (0 = abort in-flight calls now) and
   * resolves when the first call does.
   */
  async stop(graceMs = this.settings.shutdownGraceMs): Promise<void> {
    if (this.stopping) {
      // A second stop while the first one waits (Ctrl-C twice) can only shorten the grace.
      this.stopping.shortenGrace(graceMs);
      return this.stopping.done;
    }
    if (!this.running) return;
    this.running = false;
    const graceOver = new AbortController();
    const shortenGrace = (shorterMs: number): void => {
      if (shorterMs <= 0) graceOver.abort();
      else void this.dependencies.clock.sleep(shorterMs, graceOver.signal).then(() => graceOver.abort());
    };
    const done = (async () => {
      this.wake();
      await this.loop;
      // A task only polling a remote job loses nothing by stopping now: its handle is saved and the
      // next worker re-attaches. Tasks still submitting get the grace period to save theirs.
      for (const entry of this.inFlight.values()) if (entry.remotePhase === 'polling') entry.controller.abort(abortReasons.shutdown);
      const drained = Promise.all([...this.inFlight.values()].map((entry) => entry.done));
      await Promise.race([drained, this.dependencies.clock.sleep(graceMs, graceOver.signal)]);
      graceOver.abort();
      for (const entry of this.inFlight.values()) entry.controller.abort(abortReasons.shutdown);
      await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
    })();
    this.stopping = { shortenGrace, done };
    try {
      await done;
    } finally {
      this.stopping = undefined;
    }
  }

  async pauseJob(jobId: string, reason?: string): Promise<Job> {
    return this.dependencies.control.pauseJob(jobId, reason, this.dependencies.clock.now());
  }

  async resumeJob(jobId: string): Promise<Job> {
    const job = await this.dependencies.control.resumeJob(jobId, this.dependencies.clock.now());
    this.wake();
    return job;
  }

  /** Cancels the job and aborts its calls running in this process at once (others see it on their next heartbeat). */
  async cancelJob(jobId: string): Promise<Job> {
    const job = await this.dependencies.control.cancelJob(jobId, this.dependencies.clock.now());
    for (const entry of this.inFlight.values()) {
      if (entry.jobId === jobId) entry.controller.abort(abortReasons.canceled);
    }
    return job;
  }

  /**
   * Cancels one task; its call, when running in this process, is aborted at once (other processes
   * see the cleared lease on their next heartbeat, and their completion is refused by the fence).
   */
  async cancelTask(taskId: string): Promise<TaskCancellation> {
    const cancellation = await this.dependencies.control.cancelTask(taskId, this.dependencies.clock.now());
    this.inFlight.get(taskId)?.controller.abort(abortReasons.canceled);
    // Its task.canceled (and job.finished) are published by the store once the cancel commits.
    return cancellation;
  }

  async retryFailed(jobId: string): Promise<number> {
    const retried = await this.dependencies.control.retryFailed(jobId, this.dependencies.clock.now());
    this.wake();
    return retried;
  }

  private async runLoop(): Promise<void> {
    const { clock, logger } = this.dependencies;
    while (this.running) {
      let failed = false;
      try {
        await this.recoverIfDue();
        while (this.running && this.claimableCount > 0) {
          const claimed = await this.dependencies.queue.claimMany(
            {
              nowMs: clock.now(),
              workerId: this.workerId,
              leaseMs: this.settings.leaseMs,
              providers: buildLimitPolicies(this.dependencies.providers.list(), this.dependencies.limitsFor),
            },
            this.claimableCount,
          );
          for (const task of claimed) this.launch(task);
          if (claimed.length === 0) break;
        }
      } catch (error) {
        failed = true;
        const message = toImagefleetError(error).message;
        this.recordError(message);
        logger.error({ error: message, workerId: this.workerId }, 'Engine could not claim work; retrying shortly.');
      }
      if (!this.running) break;
      await this.idle(failed);
    }
  }

  private async idle(afterFailure: boolean): Promise<void> {
    const { clock } = this.dependencies;
    let waitMs = afterFailure ? Math.max(this.settings.idlePollMs, 1_000) : this.settings.idlePollMs;
    if (!afterFailure && this.claimableCount > 0) {
      try {
        const nextAtMs = await this.dependencies.queue.nextAvailableAtMs(clock.now());
        if (nextAtMs !== undefined) waitMs = Math.max(0, Math.min(waitMs, nextAtMs - clock.now()));
      } catch {
        // The regular poll interval is the fallback.
      }
    }
    if (this.wakeController.signal.aborted) this.wakeController = new AbortController();
    else await clock.sleep(waitMs, this.wakeController.signal);
    if (this.wakeController.signal.aborted) this.wakeController = new AbortController();
  }

  private launch(claimed: ClaimedTask): void {
    const controller = new AbortController();
    // Registered before the runner starts: it may report its remote phase before its first await.
    const entry: InFlightTask = { jobId: claimed.job.id, controller, done: Promise.resolve(), remotePhase: undefined };
    this.inFlight.set(claimed.task.id, entry);
    entry.done = runClaimedTask(claimed, controller, this.runnerContext)
      .catch((error: unknown) => {
        const message = toImagefleetError(error).message;
        this.recordError(message);
        this.dependencies.logger.error({ taskId: claimed.task.id, error: message }, 'Task runner failed unexpectedly.');
      })
      .finally(() => {
        this.inFlight.delete(claimed.task.id);
        this.wake();
      });
  }

  private async recoverIfDue(): Promise<void> {
    const nowMs = this.dependencies.clock.now();
    if (nowMs - this.lastRecoveryAtMs < this.settings.leaseMs / 2) return;
    this.lastRecoveryAtMs = nowMs;
    const result = await this.dependencies.queue.recoverExpiredLeases(nowMs, this.settings.maxLeaseExpirations);
    if (result.requeued + result.poisoned > 0) {
      this.dependencies.logger.warn({ ...result, workerId: this.workerId }, 'Recovered tasks from workers that stopped.');
    }
  }
}
