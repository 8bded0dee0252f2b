import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import type {
  AttemptOutcomeInput,
  ClaimedTask,
  ClaimRequest,
  CompleteTaskInput,
  ProviderLimitPolicy,
  ProviderPause,
  ProviderStateView,
  RateLimitedOutcome,
  RecoveryResult,
  RequestStart,
  SetbackInput,
  TaskOutcome,
  TaskQueue,
} from '../../engine/ports.js';
import { decideTakeBack, workerLostErrorCode, type TakeBackCause } from '../../engine/leases/lease-take-back.js';
import { onRateLimited } from '../../engine/limits/adaptive-concurrency.js';
import { learnedNextStartAtMs, learnedRateAfterRateLimited, learnedRateAfterStart, usesPace, withLearnedRateStates } from '../../engine/limits/learned-pacing.js';
import { decideLimitEligibility } from '../../engine/limits/limit-eligibility.js';
import { nextStartAtMs as learnedStateNextStartAtMs, type RequestUsage } from '../../engine/learned-rate/learned-rate.js';
import type { PauseLift } from '../../engine/limits/pause-lift.js';
import { earliestWakeAtMs, nextStartAtMs } from '../../engine/limits/next-start.js';
import { rateWindowStartMs } from '../../engine/limits/rate-window.js';
import { requestStartEffects } from '../../engine/limits/request-start.js';
import { claimByPlan, type LeaseStep } from '../../engine/scheduling/follow-claim-plan.js';
import { completionsByJob, finishCompletionBatch, type CompletionBatchAccess } from '../../engine/outcomes/completion-batch.js';
import { decideSetbackWrite, setbackEvent } from '../../engine/outcomes/task-setback.js';
import { takeScopeLocks } from './advisory-locks.js';
import { databaseNowMsSql, decisionNowMs, type PostgresClock } from './database-clock.js';
import { toMicroUsd } from './money.js';
import {
  postgresRowToLimitState as rowToLimitState,
  readPostgresHeadTasks as readHeadTasks,
  readPostgresLimitSnapshot as readLimitSnapshot,
  readPostgresRunnableJobs as readRunnableJobs,
} from './postgres-claim-snapshot.js';
import { appendPostgresEvent as appendEvent, appendPostgresEvents as appendEvents, type NewPostgresEvent } from './postgres-event-log.js';
import { finalizePostgresJobIfDone as finalizeJobIfDone } from './postgres-job-finalizer.js';
import { readAllPostgresLearnedRates, readPostgresLearnedRates, writePostgresLearnedRate } from './postgres-learned-rate-rows.js';
import { postgresRowToJob as rowToJob, postgresRowToTask as rowToTask } from './postgres-row-mappers.js';
import { runPostgresTransaction } from './postgres-transaction.js';
import type { ImagesTable, PostgresDatabase, ProviderStateTable, TasksTable } from './schema.js';
import { isRetryablePostgresError, translatePostgresError } from './translate-postgres-error.js';

/** Completions one `completeBatch` writes with shared statements (4 array parameters each, so no size limit applies; this bounds the statement's work). */
const maxCompletionsPerStatement = 500;
/** Image rows per insert: 16 parameters each, far below Postgres' 65,535 bound parameters. */
const maxImageRowsPerStatement = 1_000;

/**
 * The durable queue on Postgres, shared by engines on any number of machines. Every state change is
 * one transaction that takes its locks in the fixed order of docs/decisions/0039 (limit scopes
 * sorted, then jobs, then tasks, then the event tail); every write about a running task is fenced
 * by its lease token, so a worker that lost its lease can no longer complete, fail or release the
 * task. The rules are engine/core's, exactly as on SQLite (../database/task-queue.ts).
 */
export class PostgresTaskQueue implements TaskQueue {
  /** Completions waiting for the next group commit. */
  private readonly pendingCompletions: Array<{ input: CompleteTaskInput; resolve: (outcome: TaskOutcome) => void; reject: (error: unknown) => void }> = [];

  /** @param clock whose time leases, recovery and rate windows use (database-clock.ts); default the database's. */
  constructor(
    private readonly db: Kysely<PostgresDatabase>,
    private readonly clock: PostgresClock = 'database',
  ) {}

  async claimNext(request: ClaimRequest): Promise<ClaimedTask | undefined> {
    return (await this.claimMany(request, 1))[0];
  }

  /**
   * Scope locks → snapshot → pure plan → write, in one transaction (docs/decisions/0028): a few
   * set-based reads (limit states, running tasks per job and key, the RPM window, the runnable
   * jobs), then `ClaimPlanner` decides each pick, simulating it on the snapshot so a batch obeys
   * exactly the rules of single claims; only head tasks are read per job, on demand.
   */
  async claimMany(request: ClaimRequest, maxTasks: number): Promise<ClaimedTask[]> {
    if (request.providers.length === 0 || maxTasks < 1) return [];
    return this.guard('claim tasks', () =>
      runPostgresTransaction(this.db, async (transaction) => {
        await takeScopeLocks(transaction, request.providers.flatMap((policy) => [policy.providerKey, policy.providerId]));
        // Read after the locks, so the time is the moment this claim decides, not when it queued.
        const nowMs = await decisionNowMs(transaction, this.clock, request.nowMs);
        const timedRequest = { ...request, nowMs };
        // Jobs already marked `processing` in this transaction: their later tasks skip the write.
        const leasedJobs = new Map<string, Job>();
        return claimByPlan(request.providers, maxTasks, {
          readLimitSnapshot: () => readLimitSnapshot(transaction, request.providers, nowMs),
          writeLifts: (lifts) => this.writeLifts(transaction, lifts, nowMs),
          readRunnableJobs: (jobProviderKeys, loadByJob) => readRunnableJobs(transaction, jobProviderKeys, loadByJob),
          readHeads: (step) => readHeadTasks(transaction, step.jobId, step.availableOnly, nowMs, step.withUsage, step.limit),
          leaseAll: (leases) => this.leaseAll(transaction, timedRequest, leases, leasedJobs),
          pauseForBudget: async (jobId, reason) => {
            leasedJobs.delete(jobId);
            await this.pauseForBudget(transaction, jobId, reason, nowMs);
          },
        });
      }),
    );
  }

  /** Clears the pauses the limit rules lifted, each with its `provider.resumed` event. */
  private async writeLifts(transaction: Kysely<PostgresDatabase>, lifts: readonly PauseLift[], nowMs: number): Promise<void> {
    for (const lift of lifts) {
      await transaction
        .updateTable('provider_state')
        .set({ paused_reason: null, paused_until_ms: null, paused_credential_fingerprint: null, updated_at_ms: nowMs })
        .where('scope_key', '=', lift.scopeKey)
        .execute();
      await appendEvent(transaction, { type: 'provider.resumed', payload: { scopeKey: lift.scopeKey, reason: lift.reason }, nowMs });
    }
  }

  /**
   * Leases the planned tasks, in plan order: one statement for the task rows (each its own fresh
   * token, the rows returned), one for the jobs not yet marked `processing` in this claim, each
   * request start, then the events in one insert (`job.started` before a job's first `task.started`)
   * — the writes single leases made, in a few round trips instead of four or more per task.
   */
  private async leaseAll(transaction: Kysely<PostgresDatabase>, request: ClaimRequest, leases: readonly LeaseStep[], leasedJobs: Map<string, Job>): Promise<ClaimedTask[]> {
    const { nowMs } = request;
    const taskIds = leases.map((lease) => lease.taskId);
    const leaseTokens = leases.map(() => randomBytes(16).toString('hex'));
    const { rows } = await sql<Selectable<TasksTable>>`
      UPDATE tasks SET status = 'running', lease_token = planned.lease_token, lease_owner = ${request.workerId},
        lease_expires_at_ms = ${nowMs + request.leaseMs}, started_at_ms = ${nowMs}, updated_at_ms = ${nowMs}
      FROM unnest(${taskIds}::text[], ${leaseTokens}::text[]) AS planned (id, lease_token)
      WHERE tasks.id = planned.id AND tasks.status = 'queued'
      RETURNING tasks.*`.execute(transaction);
    const rowById = new Map(rows.map((row) => [row.id, row]));

    const startingJobIds = [...new Set(leases.map((lease) => lease.jobId))].filter((jobId) => !leasedJobs.has(jobId));
    if (startingJobIds.length > 0) {
      const jobRows = await transaction
        .updateTable('jobs')
        .set({ status: 'processing', status_reason: null, last_claimed_at_ms: nowMs, updated_at_ms: nowMs })
        .where('id', 'in', startingJobIds)
        .returningAll()
        .execute();
      for (const row of jobRows) leasedJobs.set(row.id, rowToJob(row));
    }

    const claimed: ClaimedTask[] = [];
    const events: NewPostgresEvent[] = [];
    for (const [index, lease] of leases.entries()) {
      const task = rowById.get(lease.taskId);
      // The heads were read FOR UPDATE in this transaction, so a row that is not ours now is a bug.
      if (!task || task.lease_token !== leaseTokens[index]) throw new ImagefleetError('internal', `Task ${lease.taskId} was planned for a claim but is no longer queued.`);
      const job = leasedJobs.get(lease.jobId);
      if (!job) throw new ImagefleetError('internal', `Job ${lease.jobId} was planned for a claim but no longer exists.`);
      await this.recordRequestStart(transaction, lease.policy, nowMs, lease.usage);
      if (lease.jobStarting) events.push({ type: 'job.started', jobId: lease.jobId, payload: {}, nowMs });
      events.push({ type: 'task.started', jobId: lease.jobId, taskId: lease.taskId, payload: { ordinal: task.ordinal, attempt: task.attempts + 1 }, nowMs });
      claimed.push({ task: rowToTask(task), job, leaseToken: leaseTokens[index], ...(lease.usage === undefined ? {} : { requestUsage: lease.usage }) });
    }
    await appendEvents(transaction, events);
    return claimed;
  }

  /**
   * Writes what a request start means for the limits (engine/limits decides: cool-down, RPM log,
   * learned pace). The caller holds the key's scope lock, so the learned schedule advances exactly once per start.
   */
  private async recordRequestStart(transaction: Kysely<PostgresDatabase>, policy: ProviderLimitPolicy, nowMs: number, usage?: RequestUsage): Promise<void> {
    const effects = requestStartEffects(policy, nowMs);
    if (usesPace(policy)) {
      const stored = (await readPostgresLearnedRates(transaction, [effects.limitKey])).get(effects.limitKey);
      await writePostgresLearnedRate(transaction, effects.limitKey, learnedRateAfterStart(stored, policy, nowMs, usage), nowMs);
    }
    if (effects.holdUntilMs !== undefined) {
      await this.upsertProviderState(transaction, effects.limitKey, nowMs, { next_request_at_ms: effects.holdUntilMs });
    }
    if (effects.logStart) {
      await transaction.insertInto('request_log').values({ provider_key: effects.limitKey, started_at_ms: nowMs }).execute();
      await transaction.deleteFrom('request_log').where('provider_key', '=', effects.limitKey).where('started_at_ms', '<=', effects.pruneAtOrBeforeMs).execute();
    }
  }

  private async pauseForBudget(transaction: Kysely<PostgresDatabase>, jobId: string, reason: string, nowMs: number): Promise<void> {
    await transaction.updateTable('jobs').set({ status: 'paused', status_reason: reason, updated_at_ms: nowMs }).where('id', '=', jobId).execute();
    await appendEvent(transaction, { type: 'job.paused', jobId, payload: { reason, cause: 'budget' }, nowMs });
  }

  async renewLease(taskId: string, leaseToken: string, nowMs: number, leaseMs: number): Promise<boolean> {
    return this.guard('renew a lease', async () => {
      const result = await this.db
        .updateTable('tasks')
        .set({ lease_expires_at_ms: this.clock === 'database' ? sql<number>`${databaseNowMsSql} + ${leaseMs}` : nowMs + leaseMs })
        .where('id', '=', taskId)
        .where('lease_token', '=', leaseToken)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /**
   * Fenced completion, group-committed: completions that arrive in the same turn of the event loop
   * share one transaction (one commit) with what they share written once; when one of them fails,
   * the batch is redone with a savepoint each, so one failing completion does not undo the others.
   * Each caller still resolves only after the commit.
   */
  completeTask(input: CompleteTaskInput): Promise<TaskOutcome> {
    return new Promise((resolve, reject) => {
      this.pendingCompletions.push({ input, resolve, reject });
      if (this.pendingCompletions.length === 1) setImmediate(() => void this.flushCompletions());
    });
  }

  private async flushCompletions(): Promise<void> {
    const batch = this.pendingCompletions.splice(0);
    const inputs = batch.map((item) => item.input);
    try {
      let outcomes: Array<{ outcome: TaskOutcome } | { error: unknown }>;
      try {
        // Fast path: what the completions share written once (`completeBatch`), no savepoints.
        // A completion that throws fails the transaction, and the batch runs again below with one
        // savepoint each, so a failure still costs only its own completion.
        outcomes = await runPostgresTransaction(this.db, async (transaction) => {
          await this.lockForCompletions(transaction, inputs);
          const results: Array<{ outcome: TaskOutcome }> = [];
          for (let start = 0; start < inputs.length; start += maxCompletionsPerStatement) {
            for (const outcome of await this.completeBatch(transaction, inputs.slice(start, start + maxCompletionsPerStatement))) results.push({ outcome });
          }
          return results;
        });
      } catch (fastPathError) {
        // Retryable errors were retried already; one completion has nothing to separate.
        if (batch.length === 1 || isRetryablePostgresError(fastPathError)) throw fastPathError;
        outcomes = await this.completeWithSavepoints(inputs);
      }
      outcomes.forEach((result, index) => {
        const item = batch[index]!;
        if ('outcome' in result) item.resolve(result.outcome);
        else item.reject(translatePostgresError(result.error, 'complete a task'));
      });
    } catch (error) {
      for (const item of batch) item.reject(translatePostgresError(error, 'complete a task'));
    }
  }

  /**
   * Every scope whose concurrency a completion may grow, then every job a completion may close, up
   * front and sorted: the locking order of docs/decisions/0039.
   */
  private async lockForCompletions(transaction: Kysely<PostgresDatabase>, inputs: readonly CompleteTaskInput[]): Promise<void> {
    await takeScopeLocks(transaction, inputs.map((input) => input.providerKey));
    await lockJobsOfTasks(transaction, inputs.map((input) => input.taskId));
  }

  /** The batch in one transaction, each completion inside its own savepoint so one failing does not undo the others. */
  private completeWithSavepoints(inputs: readonly CompleteTaskInput[]): Promise<Array<{ outcome: TaskOutcome } | { error: unknown }>> {
    return runPostgresTransaction(this.db, async (transaction) => {
      await this.lockForCompletions(transaction, inputs);
      const results: Array<{ outcome: TaskOutcome } | { error: unknown }> = [];
      for (const input of inputs) {
        await sql`SAVEPOINT completion`.execute(transaction);
        try {
          results.push({ outcome: await this.completeInTransaction(transaction, input) });
          await sql`RELEASE completion`.execute(transaction);
        } catch (error) {
          // A deadlock or serialization failure fails the whole batch, which is then run again;
          // any other error fails only its own completion.
          if (isRetryablePostgresError(error)) throw error;
          await sql`ROLLBACK TO completion`.execute(transaction);
          await sql`RELEASE completion`.execute(transaction);
          results.push({ error });
        }
      }
      return results;
    });
  }

  /**
   * A group commit's completions with what they share written once (decision 0050, as on SQLite):
   * one fenced update for the task rows, one spend update for their jobs (micro-USD, so the sum is
   * exact), one insert for the image rows, each key's concurrency and learned rate once, the events
   * in one insert, and the job-end probe once per job after its last completion (which alone gets
   * `finishedJob`). Outcomes in input order.
   */
  private async completeBatch(transaction: Kysely<PostgresDatabase>, inputs: readonly CompleteTaskInput[]): Promise<TaskOutcome[]> {
    const { rows } = await sql<{ id: string; job_id: string; prompt: string; prompt_id: string; lease_token: string }>`
      UPDATE tasks SET status = 'completed', lease_token = NULL, lease_owner = NULL, lease_expires_at_ms = NULL,
        cost_micro_usd = completion.cost_micro_usd, last_error_code = NULL, last_error_message = NULL,
        finished_at_ms = completion.now_ms, updated_at_ms = completion.now_ms
      FROM unnest(
        ${inputs.map((input) => input.taskId)}::text[], ${inputs.map((input) => input.leaseToken)}::text[],
        ${inputs.map((input) => toMicroUsd(input.costUsd))}::bigint[], ${inputs.map((input) => input.nowMs)}::bigint[]
      ) AS completion (id, lease_token, cost_micro_usd, now_ms)
      WHERE tasks.id = completion.id AND tasks.lease_token = completion.lease_token AND tasks.status = 'running'
      RETURNING tasks.id, tasks.job_id, tasks.prompt, tasks.prompt_id, completion.lease_token`.execute(transaction);
    const completedById = new Map(rows.map((row) => [row.id, row]));

    const outcomes: TaskOutcome[] = [];
    const accepted: Array<{ input: CompleteTaskInput; task: { id: string; job_id: string; prompt: string; prompt_id: string }; index: number }> = [];
    for (const [index, input] of inputs.entries()) {
      const task = completedById.get(input.taskId);
      // Only the completion holding the lease wrote the row; another of the same task in the batch (a stale token) is refused.
      if (task !== undefined && task.lease_token === input.leaseToken) {
        accepted.push({ input, task, index });
        outcomes.push({ accepted: true });
      } else outcomes.push(await this.refusedCompletion(transaction, input.taskId));
    }
    if (accepted.length === 0) return outcomes;

    const byJob = completionsByJob(accepted);
    const jobIds = [...byJob.keys()];
    const { rows: jobRows } = await sql<{ id: string; group_id: string }>`
      UPDATE jobs SET spent_micro_usd = jobs.spent_micro_usd + spend.added_micro_usd, updated_at_ms = spend.now_ms
      FROM unnest(
        ${jobIds}::text[],
        ${jobIds.map((jobId) => byJob.get(jobId)!.reduce((sum, completion) => sum + toMicroUsd(completion.input.costUsd), 0))}::bigint[],
        ${jobIds.map((jobId) => byJob.get(jobId)!.at(-1)!.input.nowMs)}::bigint[]
      ) AS spend (id, added_micro_usd, now_ms)
      WHERE jobs.id = spend.id
      RETURNING jobs.id, jobs.group_id`.execute(transaction);
    const groupIdByJob = new Map(jobRows.map((row) => [row.id, row.group_id]));
    for (const jobId of jobIds) if (!groupIdByJob.has(jobId)) throw new ImagefleetError('internal', `Job ${jobId} of task ${byJob.get(jobId)![0]!.task.id} does not exist.`);

    const imageRows = accepted.flatMap(({ input, task }) => imageRowsOf(input, task, groupIdByJob.get(task.job_id)!));
    for (let start = 0; start < imageRows.length; start += maxImageRowsPerStatement) await upsertImageRows(transaction, imageRows.slice(start, start + maxImageRowsPerStatement));

    await finishCompletionBatch(accepted, outcomes, this.completionBatchAccess(transaction));
    return outcomes;
  }

  /** Why a fenced completion wrote nothing: canceled (or gone), or the lease was lost. */
  private async refusedCompletion(transaction: Kysely<PostgresDatabase>, taskId: string): Promise<TaskOutcome> {
    const current = await transaction.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirst();
    return current === undefined || current.status === 'canceled' ? { accepted: false, canceled: true } : { accepted: false };
  }

  /** The group commit's reads and writes for `finishCompletionBatch`. */
  private completionBatchAccess(transaction: Kysely<PostgresDatabase>): CompletionBatchAccess {
    return {
      readConcurrencyLimit: async (providerKey) =>
        (await transaction.selectFrom('provider_state').select('concurrency_limit').where('scope_key', '=', providerKey).executeTakeFirst())?.concurrency_limit,
      writeConcurrencyLimit: async (providerKey, limit, nowMs) => {
        await transaction.updateTable('provider_state').set({ concurrency_limit: limit ?? null, updated_at_ms: nowMs }).where('scope_key', '=', providerKey).execute();
      },
      readLearnedRate: async (providerKey) => (await readPostgresLearnedRates(transaction, [providerKey])).get(providerKey),
      writeLearnedRate: (providerKey, learned, nowMs) => writePostgresLearnedRate(transaction, providerKey, learned, nowMs),
      appendEvents: (events) => appendEvents(transaction, events),
      finalizeJobIfDone: (jobId, nowMs) => finalizeJobIfDone(transaction, jobId, nowMs),
    };
  }

  private async completeInTransaction(transaction: Kysely<PostgresDatabase>, input: CompleteTaskInput): Promise<TaskOutcome> {
    const { nowMs } = input;
    const task = await transaction
      .updateTable('tasks')
      .set({
        status: 'completed',
        lease_token: null,
        lease_owner: null,
        lease_expires_at_ms: null,
        cost_micro_usd: toMicroUsd(input.costUsd),
        last_error_code: null,
        last_error_message: null,
        finished_at_ms: nowMs,
        updated_at_ms: nowMs,
      })
      .where('id', '=', input.taskId)
      .where('lease_token', '=', input.leaseToken)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    if (!task) return this.refusedCompletion(transaction, input.taskId);

    const job = await transaction
      .updateTable('jobs')
      .set((expression) => ({ spent_micro_usd: expression('spent_micro_usd', '+', toMicroUsd(input.costUsd)), updated_at_ms: nowMs }))
      .where('id', '=', task.job_id)
      .returning(['group_id'])
      .executeTakeFirstOrThrow();

    await upsertImageRows(transaction, imageRowsOf(input, task, job.group_id));

    const outcomes: TaskOutcome[] = [{ accepted: true }];
    await finishCompletionBatch([{ input, task, index: 0 }], outcomes, this.completionBatchAccess(transaction));
    return outcomes[0]!;
  }

  async setBackTask(input: SetbackInput): Promise<TaskOutcome> {
    return this.recordAttemptOutcome({ taskId: input.taskId, leaseToken: input.leaseToken, nowMs: input.nowMs, outcome: { kind: 'setback', setback: input.setback } });
  }

  /**
   * One transaction per outcome (completions: the group commit). The pause and the 429 hold are
   * written whatever happened to the lease; every task write is fenced by the lease token.
   */
  async recordAttemptOutcome(input: AttemptOutcomeInput): Promise<TaskOutcome> {
    const { taskId, leaseToken, nowMs, outcome } = input;
    if (outcome.kind === 'completed') return this.completeTask({ taskId, leaseToken, nowMs, ...outcome });
    return this.guard(outcome.kind === 'setback' ? 'record a task failure' : 'give a task back', () =>
      runPostgresTransaction(this.db, async (transaction) => {
        if (outcome.kind === 'setback' && outcome.rateLimited) await takeScopeLocks(transaction, [outcome.rateLimited.providerKey]);
        if (outcome.kind === 'provider-paused') await takeScopeLocks(transaction, [outcome.pause.scopeKey]);
        switch (outcome.kind) {
          case 'setback':
            if (outcome.rateLimited) await this.rateLimitedInTransaction(transaction, { ...outcome.rateLimited, nowMs });
            return this.setBackInTransaction(transaction, { taskId, leaseToken, nowMs, setback: outcome.setback });
          case 'provider-paused':
            await this.pauseInTransaction(transaction, outcome.pause, nowMs);
            return { accepted: await this.releaseInTransaction(transaction, taskId, leaseToken, nowMs) };
          case 'released':
            return { accepted: await this.releaseInTransaction(transaction, taskId, leaseToken, nowMs) };
        }
      }),
    );
  }

  private async setBackInTransaction(transaction: Kysely<PostgresDatabase>, input: SetbackInput): Promise<TaskOutcome> {
    const { nowMs, setback } = input;
    // The job before its task, as every transaction locks them (a failure may close the job).
    await lockJobsOfTasks(transaction, [input.taskId]);
    const fenced = transaction
      .updateTable('tasks')
      .where('id', '=', input.taskId)
      .where('lease_token', '=', input.leaseToken)
      .where('status', '=', 'running');
    const cleared = { lease_token: null, lease_owner: null, lease_expires_at_ms: null, updated_at_ms: nowMs } as const;
    const write = decideSetbackWrite(setback);
    const task = await fenced
      .set((expression) => ({
        ...cleared,
        status: write.status,
        ...(write.availableAtMs === undefined ? {} : { available_at_ms: write.availableAtMs }),
        attempts: write.addsAttempt ? expression('attempts', '+', 1) : expression.ref('attempts'),
        last_error_code: write.errorCode,
        last_error_message: write.message,
        ...(write.finishes ? { finished_at_ms: nowMs } : {}),
      }))
      .returningAll()
      .executeTakeFirst();
    if (!task) return { accepted: false };
    await appendEvent(transaction, { ...setbackEvent(setback, task.attempts), jobId: task.job_id, taskId: task.id, nowMs });
    if (!write.finishes) return { accepted: true };
    return { accepted: true, finishedJob: await finalizeJobIfDone(transaction, task.job_id, nowMs) };
  }

  async releaseTask(taskId: string, leaseToken: string, nowMs: number): Promise<boolean> {
    return this.guard('release a task', async () => this.releaseInTransaction(this.db, taskId, leaseToken, nowMs));
  }

  /** Fenced: the task goes back to the queue, available now, with no attempt counted. */
  private async releaseInTransaction(transaction: Kysely<PostgresDatabase>, taskId: string, leaseToken: string, nowMs: number): Promise<boolean> {
    const result = await transaction
      .updateTable('tasks')
      .set({ status: 'queued', lease_token: null, lease_owner: null, lease_expires_at_ms: null, available_at_ms: nowMs, updated_at_ms: nowMs })
      .where('id', '=', taskId)
      .where('lease_token', '=', leaseToken)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markRunOnline(taskId: string, leaseToken: string): Promise<boolean> {
    return this.guard('mark a task to run online', async () => {
      const result = await this.db
        .updateTable('tasks')
        .set({ run_online: true, remote_handle: null })
        .where('id', '=', taskId)
        .where('lease_token', '=', leaseToken)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async saveRemoteHandle(taskId: string, leaseToken: string, handle: string | undefined): Promise<boolean> {
    return this.guard('save a remote job handle', async () => {
      const result = await this.db
        .updateTable('tasks')
        .set({ remote_handle: handle ?? null })
        .where('id', '=', taskId)
        .where('lease_token', '=', leaseToken)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async startRequest(policy: ProviderLimitPolicy, callerNowMs: number): Promise<RequestStart> {
    return this.guard('start a request', () =>
      runPostgresTransaction(this.db, async (transaction) => {
        await takeScopeLocks(transaction, [policy.providerKey, policy.providerId]);
        const nowMs = await decisionNowMs(transaction, this.clock, callerNowMs);
        const snapshot = await readLimitSnapshot(transaction, [policy], nowMs);
        const limits = decideLimitEligibility([policy], snapshot.limits);
        await this.writeLifts(transaction, limits.lifts, nowMs);
        if (limits.eligible.has(policy.providerKey)) {
          await this.recordRequestStart(transaction, policy, nowMs);
          return { started: true };
        }
        return { started: false, retryAtMs: await this.nextStartAtMs(transaction, policy, nowMs) };
      }),
    );
  }

  /** When `policy` may start a request again (engine/limits decides from its states and RPM window). */
  private async nextStartAtMs(transaction: Kysely<PostgresDatabase>, policy: ProviderLimitPolicy, nowMs: number): Promise<number> {
    const states = await transaction.selectFrom('provider_state').selectAll().where(sql<boolean>`scope_key = ANY(${[policy.providerKey, policy.providerId]}::text[])`).execute();
    let limitingStartMs: number | undefined;
    if (policy.requestsPerMinute > 0) {
      const limiting = await transaction
        .selectFrom('request_log')
        .select('started_at_ms')
        .where('provider_key', '=', policy.providerKey)
        .where('started_at_ms', '>', rateWindowStartMs(nowMs))
        .orderBy('started_at_ms', 'desc')
        .offset(Math.max(0, policy.requestsPerMinute - 1))
        .limit(1)
        .executeTakeFirst();
      limitingStartMs = limiting?.started_at_ms;
    }
    const learnedAtMs = usesPace(policy)
      ? learnedNextStartAtMs((await readPostgresLearnedRates(transaction, [policy.providerKey])).get(policy.providerKey), policy, nowMs)
      : undefined;
    return nextStartAtMs(policy, states.map(rowToLimitState), limitingStartMs, nowMs, learnedAtMs);
  }

  async recoverExpiredLeases(callerNowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult> {
    return this.guard('recover expired leases', () =>
      runPostgresTransaction(this.db, async (transaction) => {
        const nowMs = await decisionNowMs(transaction, this.clock, callerNowMs);
        const expired = await transaction
          .selectFrom('tasks')
          .select(['id', 'job_id', 'lease_expirations', 'lease_owner'])
          .where('status', '=', 'running')
          .where('lease_expires_at_ms', '<', nowMs)
          .orderBy('id')
          // Another machine recovering at the same moment takes the others; none is taken back twice.
          .forUpdate()
          .skipLocked()
          .execute();
        return this.takeBackTasks(transaction, expired, nowMs, maxLeaseExpirations, 'lease-expired');
      }),
    );
  }

  async leaseOwners(): Promise<Array<{ owner: string; taskCount: number }>> {
    return this.guard('list lease owners', async () => {
      const rows = await this.db
        .selectFrom('tasks')
        .select(['lease_owner', (expression) => expression.fn.countAll<number>().as('count')])
        .where('status', '=', 'running')
        .where('lease_owner', 'is not', null)
        .groupBy('lease_owner')
        .orderBy('lease_owner')
        .execute();
      return rows.map((row) => ({ owner: row.lease_owner ?? '', taskCount: Number(row.count) }));
    });
  }

  async reclaimLeases(owners: string[], callerNowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult> {
    if (owners.length === 0) return { requeued: 0, poisoned: 0 };
    return this.guard('reclaim leases of stopped workers', () =>
      runPostgresTransaction(this.db, async (transaction) => {
        const nowMs = await decisionNowMs(transaction, this.clock, callerNowMs);
        const held = await transaction
          .selectFrom('tasks')
          .select(['id', 'job_id', 'lease_expirations', 'lease_owner'])
          .where('status', '=', 'running')
          .where(sql<boolean>`lease_owner = ANY(${owners}::text[])`)
          .orderBy('id')
          .forUpdate()
          .skipLocked()
          .execute();
        return this.takeBackTasks(transaction, held, nowMs, maxLeaseExpirations, 'worker-gone');
      }),
    );
  }

  /** Writes, for each running task whose worker is gone, what engine/leases decides: requeue or fail as poison. */
  private async takeBackTasks(
    transaction: Kysely<PostgresDatabase>,
    tasks: ReadonlyArray<{ id: string; job_id: string; lease_expirations: number; lease_owner: string | null }>,
    nowMs: number,
    maxLeaseExpirations: number,
    cause: TakeBackCause,
  ): Promise<RecoveryResult> {
    let requeued = 0;
    let poisoned = 0;
    for (const task of tasks) {
      const decision = decideTakeBack(task.lease_expirations, maxLeaseExpirations, task.lease_owner ?? undefined, cause);
      const base = { lease_token: null, lease_owner: null, lease_expires_at_ms: null, lease_expirations: decision.leaseExpirations, updated_at_ms: nowMs };
      if (decision.kind === 'poison') {
        await transaction
          .updateTable('tasks')
          .set({ ...base, status: 'failed', last_error_code: workerLostErrorCode, last_error_message: decision.message, finished_at_ms: nowMs })
          .where('id', '=', task.id)
          .execute();
        await appendEvent(transaction, {
          type: 'task.failed',
          jobId: task.job_id,
          taskId: task.id,
          payload: { status: 'failed', errorCode: workerLostErrorCode, message: decision.message },
          nowMs,
        });
        await finalizeJobIfDone(transaction, task.job_id, nowMs);
        poisoned += 1;
      } else {
        await transaction
          .updateTable('tasks')
          .set({ ...base, status: 'queued', available_at_ms: nowMs, last_error_code: workerLostErrorCode, last_error_message: decision.message })
          .where('id', '=', task.id)
          .execute();
        await appendEvent(transaction, { type: 'task.recovered', jobId: task.job_id, taskId: task.id, payload: { leaseExpirations: decision.leaseExpirations }, nowMs });
        requeued += 1;
      }
    }
    return { requeued, poisoned };
  }

  async recordRateLimited(input: RateLimitedOutcome & { nowMs: number }): Promise<void> {
    await this.guard('record a rate limit', () =>
      runPostgresTransaction(this.db, async (transaction) => {
        await takeScopeLocks(transaction, [input.providerKey]);
        await this.rateLimitedInTransaction(transaction, input);
      }),
    );
  }

  /**
   * A 429: the hold and the halving (engine/limits decides from the key's current state); for a
   * learned key, the controller's estimate, cut and retry delay instead (engine/limits/learned-pacing).
   * The caller holds the key's scope lock.
   */
  private async rateLimitedInTransaction(transaction: Kysely<PostgresDatabase>, input: RateLimitedOutcome & { nowMs: number }): Promise<void> {
    if (input.learnedRate === true) {
      const stored = (await readPostgresLearnedRates(transaction, [input.providerKey])).get(input.providerKey);
      const learned = learnedRateAfterRateLimited(stored, { nowMs: input.nowMs, startedAtMs: input.startedAtMs, retryAfterMs: input.retryAfterMs, quotaDimension: input.quotaDimension, usage: input.usage });
      if (learned) await writePostgresLearnedRate(transaction, input.providerKey, learned, input.nowMs);
      await appendEvent(transaction, { type: 'provider.rate_limited', payload: { scopeKey: input.providerKey, untilMs: input.untilMs }, nowMs: input.nowMs });
      return;
    }
    const state = await transaction.selectFrom('provider_state').selectAll().where('scope_key', '=', input.providerKey).executeTakeFirst();
    const next = onRateLimited(state && rowToLimitState(state), input.untilMs, input.maxConcurrency, input.nowMs, input.evenlyPaced !== true);
    await this.upsertProviderState(transaction, input.providerKey, input.nowMs, { next_request_at_ms: next.nextRequestAtMs, concurrency_limit: next.concurrencyLimit });
    await appendEvent(transaction, {
      type: 'provider.rate_limited',
      payload: { scopeKey: input.providerKey, untilMs: input.untilMs },
      nowMs: input.nowMs,
    });
  }

  private async pauseInTransaction(transaction: Kysely<PostgresDatabase>, pause: ProviderPause, nowMs: number): Promise<void> {
    await this.upsertProviderState(transaction, pause.scopeKey, nowMs, {
      paused_reason: pause.reason,
      paused_until_ms: pause.untilMs ?? null,
      paused_credential_fingerprint: pause.credentialFingerprint ?? null,
    });
    await appendEvent(transaction, {
      type: 'provider.paused',
      payload: { scopeKey: pause.scopeKey, reason: pause.reason, untilMs: pause.untilMs ?? null },
      nowMs,
    });
  }

  async resumeProvider(scopeKey: string): Promise<void> {
    await this.guard('resume a provider', async () => {
      await this.db
        .updateTable('provider_state')
        .set({ paused_reason: null, paused_until_ms: null, paused_credential_fingerprint: null })
        .where('scope_key', '=', scopeKey)
        .execute();
    });
  }

  async providerStates(): Promise<ProviderStateView[]> {
    return this.guard('read provider state', async () => {
      const rows = await this.db.selectFrom('provider_state').selectAll().orderBy('scope_key').execute();
      const views: ProviderStateView[] = rows.map((row) => ({
        scopeKey: row.scope_key,
        pausedReason: row.paused_reason ?? undefined,
        pausedUntilMs: row.paused_until_ms ?? undefined,
        nextRequestAtMs: row.next_request_at_ms,
        concurrencyLimit: row.concurrency_limit ?? undefined,
      }));
      return withLearnedRateStates(views, await readAllPostgresLearnedRates(this.db));
    });
  }

  async nextAvailableAtMs(callerNowMs: number): Promise<number | undefined> {
    return this.guard('find the next available task', async () => {
      const nowMs = await decisionNowMs(this.db, this.clock, callerNowMs);
      const task = await this.db
        .selectFrom('tasks')
        .select((expression) => expression.fn.min<number>('available_at_ms').as('next'))
        .where('status', '=', 'queued')
        .where('available_at_ms', '>', nowMs)
        .executeTakeFirst();
      const hold = await this.db
        .selectFrom('provider_state')
        .select((expression) => expression.fn.min<number>('next_request_at_ms').as('next'))
        .where('next_request_at_ms', '>', nowMs)
        .executeTakeFirst();
      const pause = await this.db
        .selectFrom('provider_state')
        .select((expression) => expression.fn.min<number>('paused_until_ms').as('next'))
        .where('paused_until_ms', '>', nowMs)
        .executeTakeFirst();
      // When the oldest request start leaves the RPM window, a slot opens.
      const window = await this.db
        .selectFrom('request_log')
        .select((expression) => expression.fn.min<number>('started_at_ms').as('oldest'))
        .where('started_at_ms', '>', rateWindowStartMs(nowMs))
        .executeTakeFirst();
      const timeOf = (value: number | null | undefined): number | undefined => (typeof value === 'number' ? value : undefined);
      // A learned key's next slot (or the end of an announced retry delay) opens a start.
      const learnedSlots = [...(await readAllPostgresLearnedRates(this.db)).values()].map((stored) => learnedStateNextStartAtMs(stored.state, nowMs)).filter((atMs) => atMs > nowMs);
      return earliestWakeAtMs({
        nextTaskAvailableAtMs: timeOf(task?.next),
        nextHoldEndsAtMs: timeOf(hold?.next),
        nextPauseEndsAtMs: timeOf(pause?.next),
        oldestStartInWindowMs: timeOf(window?.oldest),
        nextLearnedSlotAtMs: learnedSlots.length > 0 ? Math.min(...learnedSlots) : undefined,
      });
    });
  }

  private async upsertProviderState(
    transaction: Kysely<PostgresDatabase>,
    scopeKey: string,
    nowMs: number,
    values: Partial<Pick<ProviderStateTable, 'paused_reason' | 'paused_until_ms' | 'paused_credential_fingerprint' | 'concurrency_limit'>> & {
      next_request_at_ms?: number;
    },
  ): Promise<void> {
    await transaction
      .insertInto('provider_state')
      .values({ scope_key: scopeKey, updated_at_ms: nowMs, ...values })
      .onConflict((conflict) => conflict.column('scope_key').doUpdateSet({ ...values, updated_at_ms: nowMs }))
      .execute();
  }

  private async guard<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translatePostgresError(error, action);
    }
  }
}

/**
 * Locks, in id order, the job rows of these tasks: what a transaction that may close a job takes
 * before it touches the job's tasks, so jobs are always locked before tasks and both before the
 * event tail (docs/decisions/0039). Without it a completion (job row, then the event tail) and a
 * failure of the same job's other task (event tail, then the job row) deadlocked.
 */
/** The image rows of a completion, in the group of the task's job. */
function imageRowsOf(input: CompleteTaskInput, task: Pick<Selectable<TasksTable>, 'id' | 'job_id' | 'prompt' | 'prompt_id'>, groupId: string): Array<Insertable<ImagesTable>> {
  return input.images.map((image) => ({
    id: randomUUID(),
    task_id: task.id,
    job_id: task.job_id,
    group_id: groupId,
    idx: image.index,
    file_key: image.fileKey,
    thumbnail_key: image.thumbnailKey,
    media_type: image.mediaType,
    width: image.width,
    height: image.height,
    byte_size: image.byteSize,
    crc32: image.crc32 ?? null,
    seed: image.seed ?? null,
    prompt: task.prompt,
    prompt_id: task.prompt_id,
    created_at_ms: input.nowMs,
  }));
}

/** Inserts image rows; the file name derives from (task, index), so a repeated write is the same image and updates it. */
async function upsertImageRows(transaction: Kysely<PostgresDatabase>, rows: ReadonlyArray<Insertable<ImagesTable>>): Promise<void> {
  if (rows.length === 0) return;
  await transaction
    .insertInto('images')
    .values([...rows])
    .onConflict((conflict) =>
      conflict.columns(['task_id', 'idx']).doUpdateSet((expression) => ({
        file_key: expression.ref('excluded.file_key'),
        thumbnail_key: expression.ref('excluded.thumbnail_key'),
        width: expression.ref('excluded.width'),
        height: expression.ref('excluded.height'),
        byte_size: expression.ref('excluded.byte_size'),
        crc32: expression.ref('excluded.crc32'),
        seed: expression.ref('excluded.seed'),
      })),
    )
    .execute();
}

async function lockJobsOfTasks(transaction: Kysely<PostgresDatabase>, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  await transaction
    .selectFrom('jobs')
    .select('id')
    .where(sql<boolean>`id IN (SELECT job_id FROM tasks WHERE id = ANY(${[...taskIds]}::text[]))`)
    .orderBy('id')
    .forUpdate()
    .execute();
}
