import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
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
import { learnedNextStartAtMs, learnedRateAfterRateLimited, learnedRateAfterStart, usesPace } from '../../engine/limits/learned-pacing.js';
import { decideLimitEligibility } from '../../engine/limits/limit-eligibility.js';
import { withLearnedRateStates } from '../../engine/limits/learned-pacing.js';
import { nextStartAtMs as learnedStateNextStartAtMs, type RequestUsage } from '../../engine/learned-rate/learned-rate.js';
import type { PauseLift } from '../../engine/limits/pause-lift.js';
import { earliestWakeAtMs, nextStartAtMs } from '../../engine/limits/next-start.js';
import { rateWindowStartMs } from '../../engine/limits/rate-window.js';
import { requestStartEffects } from '../../engine/limits/request-start.js';
import { claimByPlan, type LeaseStep } from '../../engine/scheduling/follow-claim-plan.js';
import { completionsByJob, finishCompletionBatch, type CompletionBatchAccess } from '../../engine/outcomes/completion-batch.js';
import { decideSetbackWrite, setbackEvent } from '../../engine/outcomes/task-setback.js';
import { readHeadTasks, readLimitSnapshot, readRunnableJobs, rowToLimitState } from './claim-snapshot.js';
import { appendEvent, appendEvents, type NewEvent } from './event-log.js';
import { readAllLearnedRates, readLearnedRates, writeLearnedRate } from './learned-rate-rows.js';
import { runImmediateTransaction } from './immediate-transaction.js';
import { finalizeJobIfDone } from './job-finalizer.js';
import { rowToJob, rowToTask } from './row-mappers.js';
import { hotRows, hotRun, type HotParameter } from './hot-statement.js';
import type { Database, JobsTable, ProviderStateTable, TasksTable } from './schema.js';
import { translateSqliteError } from './translate-sqlite-error.js';

/** The task columns a completion's image rows and event need (a whole row is ~20 values to copy). */
type CompletedTaskRow = Pick<Selectable<TasksTable>, 'id' | 'job_id' | 'prompt' | 'prompt_id'>;

/** The fenced completion of one task without reading it back (`completeBatch` reads the batch in one go). */
const completeTaskUpdateSql = `UPDATE tasks SET status = 'completed', lease_token = NULL, lease_owner = NULL, lease_expires_at_ms = NULL, cost_usd = ?, last_error_code = NULL, last_error_message = NULL, finished_at_ms = ?, updated_at_ms = ?
 WHERE id = ? AND lease_token = ? AND status = 'running'`;

/** The fenced completion of one task (hot path: a fixed text, hot-statement.ts). */
const completeTaskSql = `UPDATE tasks SET status = 'completed', lease_token = NULL, lease_owner = NULL, lease_expires_at_ms = NULL, cost_usd = ?, last_error_code = NULL, last_error_message = NULL, finished_at_ms = ?, updated_at_ms = ?
 WHERE id = ? AND lease_token = ? AND status = 'running' RETURNING id, job_id, prompt, prompt_id`;

/** The insert of `count` image rows; the file name derives from (task, index), so a repeated write is the same image. */
function insertImagesSql(count: number): string {
  return `INSERT INTO images (id, task_id, job_id, group_id, idx, file_key, thumbnail_key, media_type, width, height, byte_size, crc32, seed, prompt, prompt_id, created_at_ms)
 VALUES ${Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
 ON CONFLICT (task_id, idx) DO UPDATE SET file_key = excluded.file_key, thumbnail_key = excluded.thumbnail_key, width = excluded.width, height = excluded.height, byte_size = excluded.byte_size, crc32 = excluded.crc32, seed = excluded.seed`;
}

/** A completion waiting for the group commit, with its caller's promise. */
interface PendingCompletion {
  input: CompleteTaskInput;
  resolve: (outcome: TaskOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Completions one `completeBatch` writes with shared statements, and image rows per insert: far
 * below SQLite's 32,766 bound parameters (16 per image row, 5 per event row, 1 per spend term).
 */
const maxCompletionsPerStatement = 500;
const maxImageRowsPerStatement = 1_000;

/** Random bytes per lease token (32 hex digits). */
const leaseTokenBytes = 16;

/**
 * The durable queue on SQLite. Every state change is one IMMEDIATE transaction and every write
 * about a running task is fenced by its lease token, so several engines (and the CLI) can share
 * one database: a task is leased by one of them at a time, and a worker that lost its lease can
 * no longer complete, fail or release the task.
 */
export class SqliteTaskQueue implements TaskQueue {
  /** Completions waiting for the next group commit. */
  private readonly pendingCompletions: PendingCompletion[] = [];

  constructor(private readonly db: Kysely<Database>) {}

  async claimNext(request: ClaimRequest): Promise<ClaimedTask | undefined> {
    return (await this.claimMany(request, 1))[0];
  }

  /**
   * Snapshot → pure plan → write, in one IMMEDIATE transaction (docs/decisions/0028): a few
   * set-based reads (limit states, running tasks per job and key, the RPM window, the runnable
   * jobs), then `ClaimPlanner` decides each pick, simulating it on the snapshot so a batch obeys
   * exactly the rules of single claims; only head tasks are read per job, on demand.
   */
  async claimMany(request: ClaimRequest, maxTasks: number): Promise<ClaimedTask[]> {
    if (request.providers.length === 0 || maxTasks < 1) return [];
    return this.guard('claim tasks', () => runImmediateTransaction(this.db, (transaction) => this.claimInTransaction(transaction, request, maxTasks)));
  }

  private async claimInTransaction(transaction: Kysely<Database>, request: ClaimRequest, maxTasks: number): Promise<ClaimedTask[]> {
    const { nowMs } = request;
    // Jobs already marked `processing` in this transaction: their later tasks skip the write.
    const leasedJobs = new Map<string, Job>();
    return claimByPlan(request.providers, maxTasks, {
      readLimitSnapshot: () => readLimitSnapshot(transaction, request.providers, nowMs),
      writeLifts: (lifts) => this.writeLifts(transaction, lifts, nowMs),
      readRunnableJobs: (jobProviderKeys, loadByJob) => readRunnableJobs(transaction, jobProviderKeys, loadByJob),
      readHeads: (step) => readHeadTasks(transaction, step.jobId, step.availableOnly, nowMs, step.withUsage, step.limit),
      leaseAll: (leases) => this.leaseAll(transaction, request, leases, leasedJobs),
      pauseForBudget: async (jobId, reason) => {
        leasedJobs.delete(jobId);
        await this.pauseForBudget(transaction, jobId, reason, nowMs);
      },
    });
  }

  /** Clears the pauses the limit rules lifted, each with its `provider.resumed` event. */
  private async writeLifts(transaction: Kysely<Database>, lifts: readonly PauseLift[], nowMs: number): Promise<void> {
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
   * token), one job write per job, each request start, and one insert for their events
   * (`job.started` before a job's first `task.started`) — the writes single leases made, batched.
   */
  private async leaseAll(transaction: Kysely<Database>, request: ClaimRequest, leases: readonly LeaseStep[], leasedJobs: Map<string, Job>): Promise<ClaimedTask[]> {
    if (leases.length === 0) return [];
    const { nowMs } = request;
    const tokens = randomBytes(leaseTokenBytes * leases.length).toString('hex');
    const leaseTokens = leases.map((_, index) => tokens.slice(index * leaseTokenBytes * 2, (index + 1) * leaseTokenBytes * 2));
    const parameters: HotParameter[] = [];
    for (const [index, lease] of leases.entries()) parameters.push(lease.taskId, leaseTokens[index]!);
    parameters.push(request.workerId, nowMs + request.leaseMs, nowMs, nowMs);
    for (const lease of leases) parameters.push(lease.taskId);
    const taskIds = leases.map((lease) => lease.taskId);
    // Hot path: a fixed SQL text per batch size instead of the query builder (hot-statement.ts).
    // The rows are read back by a SELECT, not RETURNING: in SQLite the RETURNING of a whole row
    // cost ~28 µs per row against ~12 µs for the update and a read (measured apart, issue 20).
    await hotRun(
      transaction,
      `UPDATE tasks SET status = 'running', lease_token = CASE id ${leases.map(() => 'WHEN ? THEN ?').join(' ')} END, lease_owner = ?, lease_expires_at_ms = ?, started_at_ms = ?, updated_at_ms = ?
       WHERE id IN (${leases.map(() => '?').join(', ')}) AND status = 'queued'`,
      parameters,
    );
    const rows = await hotRows<Selectable<TasksTable>>(transaction, `SELECT * FROM tasks WHERE id IN (${leases.map(() => '?').join(', ')})`, taskIds);
    // A row that was not queued kept its old token: only rows carrying this lease's token were leased here.
    const rowById = new Map(rows.map((row) => [row.id, row]));
    const claimed: ClaimedTask[] = [];
    const events: NewEvent[] = [];
    for (const [index, lease] of leases.entries()) {
      const task = rowById.get(lease.taskId);
      if (!task || task.lease_token !== leaseTokens[index] || task.status !== 'running') throw new ImagefleetError('internal', `Task ${lease.taskId} was planned for a claim but is no longer queued.`);
      // One write per job per claim: a second lease in the same transaction would write the same values.
      let job = leasedJobs.get(lease.jobId);
      if (job === undefined) {
        const [row] = await hotRows<Selectable<JobsTable>>(
          transaction,
          "UPDATE jobs SET status = 'processing', status_reason = NULL, last_claimed_at_ms = ?, updated_at_ms = ? WHERE id = ? RETURNING *",
          [nowMs, nowMs, lease.jobId],
        );
        if (!row) throw new ImagefleetError('internal', `Job ${lease.jobId} was planned for a claim but no longer exists.`);
        job = rowToJob(row);
        leasedJobs.set(lease.jobId, job);
      }
      await this.recordRequestStart(transaction, lease.policy, nowMs, lease.usage);
      if (lease.jobStarting) events.push({ type: 'job.started', jobId: lease.jobId, payload: {}, nowMs });
      events.push({ type: 'task.started', jobId: lease.jobId, taskId: lease.taskId, payload: { ordinal: task.ordinal, attempt: task.attempts + 1 }, nowMs });
      const leaseToken = leaseTokens[index];
      claimed.push({ task: rowToTask(task), job, leaseToken, ...(lease.usage === undefined ? {} : { requestUsage: lease.usage }) });
    }
    await appendEvents(transaction, events);
    return claimed;
  }

  /** Writes what a request start means for the limits (engine/limits decides: cool-down, RPM log, learned pace). */
  private async recordRequestStart(transaction: Kysely<Database>, policy: ProviderLimitPolicy, nowMs: number, usage?: RequestUsage): Promise<void> {
    const effects = requestStartEffects(policy, nowMs);
    if (usesPace(policy)) {
      const stored = (await readLearnedRates(transaction, [effects.limitKey])).get(effects.limitKey);
      await writeLearnedRate(transaction, effects.limitKey, learnedRateAfterStart(stored, policy, nowMs, usage), nowMs);
    }
    if (effects.holdUntilMs !== undefined) {
      await this.upsertProviderState(transaction, effects.limitKey, nowMs, { next_request_at_ms: effects.holdUntilMs });
    }
    if (effects.logStart) {
      await transaction.insertInto('request_log').values({ provider_key: effects.limitKey, started_at_ms: nowMs }).execute();
      await transaction.deleteFrom('request_log').where('provider_key', '=', effects.limitKey).where('started_at_ms', '<=', effects.pruneAtOrBeforeMs).execute();
    }
  }

  private async pauseForBudget(transaction: Kysely<Database>, jobId: string, reason: string, nowMs: number): Promise<void> {
    await transaction.updateTable('jobs').set({ status: 'paused', status_reason: reason, updated_at_ms: nowMs }).where('id', '=', jobId).execute();
    await appendEvent(transaction, { type: 'job.paused', jobId, payload: { reason, cause: 'budget' }, nowMs });
  }

  async renewLease(taskId: string, leaseToken: string, nowMs: number, leaseMs: number): Promise<boolean> {
    return this.guard('renew a lease', async () => {
      const result = await this.db
        .updateTable('tasks')
        .set({ lease_expires_at_ms: nowMs + leaseMs })
        .where('id', '=', taskId)
        .where('lease_token', '=', leaseToken)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /**
   * Fenced completion, group-committed: completions that arrive in the same turn of the event loop
   * share one IMMEDIATE transaction (one commit); when one of them fails, the batch is redone with
   * a savepoint each, so one failing completion does not undo the others. Each caller still
   * resolves only after the commit.
   */
  completeTask(input: CompleteTaskInput): Promise<TaskOutcome> {
    return new Promise((resolve, reject) => {
      this.pendingCompletions.push({ input, resolve, reject });
      if (this.pendingCompletions.length === 1) setImmediate(() => void this.flushCompletions());
    });
  }

  private async flushCompletions(): Promise<void> {
    const batch = this.pendingCompletions.splice(0);
    let outcomes: Array<{ outcome: TaskOutcome } | { error: unknown }>;
    try {
      // Fast path: no savepoints, and what the completions share written once (`completeBatch`).
      // A completion that throws rolls the whole transaction back, and the batch runs again below,
      // one completion at a time with one savepoint each, so a failure still costs only its own completion. Lost leases do not throw (they resolve
      // `accepted: false`), so the slow path is for storage errors and bugs.
      outcomes = await runImmediateTransaction(this.db, async (transaction) => {
        const results: Array<{ outcome: TaskOutcome }> = [];
        // In slices, so no statement of a very large batch (thousands of remote-job tasks ending in
        // one turn) comes near SQLite's limit on bound parameters.
        for (let start = 0; start < batch.length; start += maxCompletionsPerStatement) {
          const slice = batch.slice(start, start + maxCompletionsPerStatement).map((item) => item.input);
          for (const outcome of await this.completeBatch(transaction, slice)) results.push({ outcome });
        }
        return results;
      });
    } catch (fastPathError) {
      if (batch.length === 1) {
        batch[0]!.reject(translateSqliteError(fastPathError, 'complete a task'));
        return;
      }
      try {
        outcomes = await this.completeWithSavepoints(batch.map((item) => item.input));
      } catch (error) {
        for (const item of batch) item.reject(translateSqliteError(error, 'complete a task'));
        return;
      }
    }
    outcomes.forEach((result, index) => {
      const item = batch[index]!;
      if ('outcome' in result) item.resolve(result.outcome);
      else item.reject(translateSqliteError(result.error, 'complete a task'));
    });
  }

  /** The batch in one transaction, each completion inside its own savepoint so one failing does not undo the others. */
  private completeWithSavepoints(inputs: CompleteTaskInput[]): Promise<Array<{ outcome: TaskOutcome } | { error: unknown }>> {
    return runImmediateTransaction(this.db, async (transaction) => {
      const results: Array<{ outcome: TaskOutcome } | { error: unknown }> = [];
      for (const input of inputs) {
        await hotRun(transaction, 'SAVEPOINT completion', []);
        try {
          results.push({ outcome: await this.completeInTransaction(transaction, input) });
          await hotRun(transaction, 'RELEASE completion', []);
        } catch (error) {
          await hotRun(transaction, 'ROLLBACK TO completion', []);
          await hotRun(transaction, 'RELEASE completion', []);
          results.push({ error });
        }
      }
      return results;
    });
  }

  private async completeInTransaction(transaction: Kysely<Database>, input: CompleteTaskInput): Promise<TaskOutcome> {
    const { nowMs } = input;
    const [task] = await hotRows<CompletedTaskRow>(transaction, completeTaskSql, [input.costUsd, nowMs, nowMs, input.taskId, input.leaseToken]);
    if (!task) return this.refusedCompletion(transaction, input.taskId);

    const [job] = await hotRows<{ group_id: string }>(transaction, 'UPDATE jobs SET spent_usd = spent_usd + ?, updated_at_ms = ? WHERE id = ? RETURNING group_id', [input.costUsd, nowMs, task.job_id]);
    if (!job) throw new ImagefleetError('internal', `Job ${task.job_id} of task ${task.id} does not exist.`);

    if (input.images.length > 0) {
      const parameters: HotParameter[] = [];
      for (const image of input.images) {
        parameters.push(randomUUID(), task.id, task.job_id, job.group_id, image.index, image.fileKey, image.thumbnailKey, image.mediaType, image.width, image.height, image.byteSize, image.crc32 ?? null, image.seed ?? null, task.prompt, task.prompt_id, nowMs);
      }
      await hotRun(transaction, insertImagesSql(input.images.length), parameters);
    }

    const outcomes: TaskOutcome[] = [{ accepted: true }];
    await finishCompletionBatch([{ input, task, index: 0 }], outcomes, this.completionBatchAccess(transaction));
    return outcomes[0]!;
  }

  /**
   * The group commit's fast path: the same writes as `completeInTransaction` for each completion,
   * in order, with what they share written once — one spend update per job (the costs added one by
   * one, as before), one insert for all image rows, one read and write of each key's concurrency
   * and learned rate (the same rules applied once per completion), one insert for the events, and
   * the job-end probe once per job after its last completion of the batch.
   */
  private async completeBatch(transaction: Kysely<Database>, inputs: readonly CompleteTaskInput[]): Promise<TaskOutcome[]> {
    const outcomes: TaskOutcome[] = [];
    const accepted: Array<{ input: CompleteTaskInput; task: CompletedTaskRow; index: number }> = [];
    const acceptedIndexes: number[] = [];
    for (const [index, input] of inputs.entries()) {
      const { changedRows } = await hotRun(transaction, completeTaskUpdateSql, [input.costUsd, input.nowMs, input.nowMs, input.taskId, input.leaseToken]);
      if (changedRows > 0) {
        acceptedIndexes.push(index);
        outcomes.push({ accepted: true });
      } else outcomes.push(await this.refusedCompletion(transaction, input.taskId));
    }
    if (acceptedIndexes.length === 0) return outcomes;
    // Read back in one statement rather than by RETURNING per completion (slower in SQLite, see leaseAll).
    const completedRows = await hotRows<CompletedTaskRow>(
      transaction,
      `SELECT id, job_id, prompt, prompt_id FROM tasks WHERE id IN (${acceptedIndexes.map(() => '?').join(', ')})`,
      acceptedIndexes.map((index) => inputs[index]!.taskId),
    );
    const completedById = new Map(completedRows.map((row) => [row.id, row]));
    for (const index of acceptedIndexes) accepted.push({ input: inputs[index]!, task: completedById.get(inputs[index]!.taskId)!, index });

    const byJob = completionsByJob(accepted);
    const groupIdByJob = new Map<string, string>();
    for (const [jobId, completions] of byJob) {
      // `spent_usd + ? + ? …` adds left to right: the same sum, to the last bit, as one update per completion.
      const [job] = await hotRows<{ group_id: string }>(
        transaction,
        `UPDATE jobs SET spent_usd = spent_usd${' + ?'.repeat(completions.length)}, updated_at_ms = ? WHERE id = ? RETURNING group_id`,
        [...completions.map((completion) => completion.input.costUsd), completions.at(-1)!.input.nowMs, jobId],
      );
      if (!job) throw new ImagefleetError('internal', `Job ${jobId} of task ${completions[0]!.task.id} does not exist.`);
      groupIdByJob.set(jobId, job.group_id);
    }

    let imageParameters: HotParameter[] = [];
    let imageCount = 0;
    for (const { input, task } of accepted) {
      for (const image of input.images) {
        imageParameters.push(randomUUID(), task.id, task.job_id, groupIdByJob.get(task.job_id)!, image.index, image.fileKey, image.thumbnailKey, image.mediaType, image.width, image.height, image.byteSize, image.crc32 ?? null, image.seed ?? null, task.prompt, task.prompt_id, input.nowMs);
        imageCount += 1;
        if (imageCount === maxImageRowsPerStatement) {
          await hotRun(transaction, insertImagesSql(imageCount), imageParameters);
          imageParameters = [];
          imageCount = 0;
        }
      }
    }
    if (imageCount > 0) await hotRun(transaction, insertImagesSql(imageCount), imageParameters);

    await finishCompletionBatch(accepted, outcomes, this.completionBatchAccess(transaction));
    return outcomes;
  }

  /** Why a fenced completion wrote nothing: canceled (or gone), or the lease was lost. */
  private async refusedCompletion(transaction: Kysely<Database>, taskId: string): Promise<TaskOutcome> {
    const [current] = await hotRows<{ status: string }>(transaction, 'SELECT status FROM tasks WHERE id = ?', [taskId]);
    return current === undefined || current.status === 'canceled' ? { accepted: false, canceled: true } : { accepted: false };
  }

  /** The group commit's reads and writes for `finishCompletionBatch`: fixed texts on the hot path (hot-statement.ts). */
  private completionBatchAccess(transaction: Kysely<Database>): CompletionBatchAccess {
    return {
      readConcurrencyLimit: async (providerKey) => (await hotRows<{ concurrency_limit: number | null }>(transaction, 'SELECT concurrency_limit FROM provider_state WHERE scope_key = ?', [providerKey]))[0]?.concurrency_limit,
      writeConcurrencyLimit: async (providerKey, limit, nowMs) => {
        await hotRun(transaction, 'UPDATE provider_state SET concurrency_limit = ?, updated_at_ms = ? WHERE scope_key = ?', [limit ?? null, nowMs, providerKey]);
      },
      readLearnedRate: async (providerKey) => (await readLearnedRates(transaction, [providerKey])).get(providerKey),
      writeLearnedRate: (providerKey, learned, nowMs) => writeLearnedRate(transaction, providerKey, learned, nowMs),
      appendEvents: (events) => appendEvents(transaction, events),
      finalizeJobIfDone: (jobId, nowMs) => finalizeJobIfDone(transaction, jobId, nowMs),
    };
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
      runImmediateTransaction(this.db, async (transaction) => {
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

  private async setBackInTransaction(transaction: Kysely<Database>, input: SetbackInput): Promise<TaskOutcome> {
    const { nowMs, setback } = input;
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
  private async releaseInTransaction(transaction: Kysely<Database>, taskId: string, leaseToken: string, nowMs: number): Promise<boolean> {
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
        .set({ run_online: 1, remote_handle: null })
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

  async startRequest(policy: ProviderLimitPolicy, nowMs: number): Promise<RequestStart> {
    return this.guard('start a request', () =>
      runImmediateTransaction(this.db, async (transaction) => {
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
  private async nextStartAtMs(transaction: Kysely<Database>, policy: ProviderLimitPolicy, nowMs: number): Promise<number> {
    const states = await transaction.selectFrom('provider_state').selectAll().where('scope_key', 'in', [policy.providerKey, policy.providerId]).execute();
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
      ? learnedNextStartAtMs((await readLearnedRates(transaction, [policy.providerKey])).get(policy.providerKey), policy, nowMs)
      : undefined;
    return nextStartAtMs(policy, states.map(rowToLimitState), limitingStartMs, nowMs, learnedAtMs);
  }

  async recoverExpiredLeases(nowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult> {
    return this.guard('recover expired leases', () =>
      runImmediateTransaction(this.db, async (transaction) => {
        const expired = await transaction
          .selectFrom('tasks')
          .select(['id', 'job_id', 'lease_expirations', 'lease_owner'])
          .where('status', '=', 'running')
          .where('lease_expires_at_ms', '<', nowMs)
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

  async reclaimLeases(owners: string[], nowMs: number, maxLeaseExpirations: number): Promise<RecoveryResult> {
    if (owners.length === 0) return { requeued: 0, poisoned: 0 };
    return this.guard('reclaim leases of stopped workers', () =>
      runImmediateTransaction(this.db, async (transaction) => {
        const held = await transaction
          .selectFrom('tasks')
          .select(['id', 'job_id', 'lease_expirations', 'lease_owner'])
          .where('status', '=', 'running')
          .where('lease_owner', 'in', owners)
          .execute();
        return this.takeBackTasks(transaction, held, nowMs, maxLeaseExpirations, 'worker-gone');
      }),
    );
  }

  /** Writes, for each running task whose worker is gone, what engine/leases decides: requeue or fail as poison. */
  private async takeBackTasks(
    transaction: Kysely<Database>,
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

  async recordRateLimited(input: { providerKey: string; nowMs: number; untilMs: number; maxConcurrency: number }): Promise<void> {
    await this.guard('record a rate limit', () => runImmediateTransaction(this.db, (transaction) => this.rateLimitedInTransaction(transaction, input)));
  }

  /**
   * A 429: the hold and the halving (engine/limits decides from the key's current state); for a
   * learned key, the controller's estimate, cut and retry delay instead (engine/limits/learned-pacing).
   */
  private async rateLimitedInTransaction(transaction: Kysely<Database>, input: RateLimitedOutcome & { nowMs: number }): Promise<void> {
    if (input.learnedRate === true) {
      const stored = (await readLearnedRates(transaction, [input.providerKey])).get(input.providerKey);
      const learned = learnedRateAfterRateLimited(stored, { nowMs: input.nowMs, startedAtMs: input.startedAtMs, retryAfterMs: input.retryAfterMs, quotaDimension: input.quotaDimension, usage: input.usage });
      if (learned) await writeLearnedRate(transaction, input.providerKey, learned, input.nowMs);
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

  private async pauseInTransaction(transaction: Kysely<Database>, pause: ProviderPause, nowMs: number): Promise<void> {
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
      return withLearnedRateStates(views, await readAllLearnedRates(this.db));
    });
  }

  async nextAvailableAtMs(nowMs: number): Promise<number | undefined> {
    return this.guard('find the next available task', async () => {
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
      const learnedSlots = [...(await readAllLearnedRates(this.db)).values()].map((stored) => learnedStateNextStartAtMs(stored.state, nowMs)).filter((atMs) => atMs > nowMs);
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
    transaction: Kysely<Database>,
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
      throw translateSqliteError(error, action);
    }
  }
}
