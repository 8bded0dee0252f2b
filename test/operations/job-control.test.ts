/** Job control use cases on a real store and engine: pause, resume (wakes), retry failed (wakes, returns the job), cancel job and task, status, lists. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cancelJob } from '../../src/operations/cancel-job.js';
import { cancelTask } from '../../src/operations/cancel-task.js';
import { getJob } from '../../src/operations/get-job.js';
import { jobStatus } from '../../src/operations/job-status.js';
import { listJobResults } from '../../src/operations/list-job-results.js';
import { listJobTasks } from '../../src/operations/list-job-tasks.js';
import { listJobs } from '../../src/operations/list-jobs.js';
import { pauseJob } from '../../src/operations/pause-job.js';
import { resumeJob } from '../../src/operations/resume-job.js';
import { retryFailedTasks } from '../../src/operations/retry-failed-tasks.js';
import { sqliteDatabaseOf } from '../support/sqlite-database-of.js';
import { rejectionOf } from '../support/thrown-by.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

describe('job control operations', () => {
  let context: OperationHarness;
  beforeEach(async () => {
    context = await openOperationHarness();
  });
  afterEach(() => context.cleanup());

  it('pauses with a reason at the fleet clock, and resuming wakes the engine', async () => {
    const { harness, clock, engine } = context;
    const jobId = await harness.createJob();
    clock.advance(5_000);
    const paused = await pauseJob({ jobId, reason: 'lunch' }, { store: harness.store, clock });
    expect(paused).toMatchObject({ status: 'paused', statusReason: 'lunch', updatedAtMs: clock.now() });
    const wakes = engine.wakes;
    const resumed = await resumeJob({ jobId }, { store: harness.store, clock, engine });
    expect(resumed.status).not.toBe('paused');
    expect(engine.wakes).toBe(wakes + 1);
    expect(await rejectionOf(() => pauseJob({ jobId: 'nope' }, { store: harness.store, clock }))).toMatchObject({ code: 'not_found' });
  });

  it('retrying failed tasks requeues them, wakes the engine and returns the reopened job', async () => {
    const { harness, clock, engine } = context;
    const jobId = await harness.createJob({ taskCount: 2 });
    const [failed] = await harness.store.jobs.listTasks(jobId, {});
    const { db } = sqliteDatabaseOf(harness);
    await db.updateTable('tasks').set({ status: 'failed', attempts: 3, finished_at_ms: 1 }).where('id', '=', failed!.id).execute();
    const wakes = engine.wakes;
    const result = await retryFailedTasks({ jobId }, { store: harness.store, clock, engine });
    expect(result.retried).toBe(1);
    expect(result.job.id).toBe(jobId);
    expect(await harness.taskStatuses(jobId)).toEqual({ queued: 2 });
    expect(engine.wakes).toBe(wakes + 1);
    expect(await rejectionOf(() => retryFailedTasks({ jobId: 'nope' }, { store: harness.store, clock, engine }))).toMatchObject({ code: 'not_found' });
  });

  it('cancels one task, then the whole job, through the engine', async () => {
    const { harness, engine } = context;
    const jobId = await harness.createJob({ taskCount: 2 });
    const [first] = await harness.store.jobs.listTasks(jobId, {});
    const cancellation = await cancelTask({ taskId: first!.id }, { engine });
    expect(cancellation).toMatchObject({ changed: true, finishedJob: false, task: { id: first!.id } });
    const job = await cancelJob({ jobId }, { engine });
    expect(job.status).toBe('canceled');
    expect(await harness.taskStatuses(jobId)).toEqual({ canceled: 2 });
  });

  it('reads a job, its status, its tasks page by page and its (empty) results; unknown jobs are not_found', async () => {
    const { harness, clock } = context;
    const store = harness.store;
    const jobId = await harness.createJob({ taskCount: 3, imagesPerTask: 2 });
    expect((await getJob({ jobId }, { store })).id).toBe(jobId);
    expect((await jobStatus({ jobId }, { store, clock })).counts).toMatchObject({ total: 6, pending: 6 });
    const first = await listJobTasks({ jobId, limit: 2 }, { store });
    expect(first.tasks.map((task) => task.ordinal)).toEqual([0, 1]);
    expect(first.nextOffset).toBe(2);
    const second = await listJobTasks({ jobId, offset: first.nextOffset, limit: 2 }, { store });
    expect(second.tasks.map((task) => task.ordinal)).toEqual([2]);
    expect(second.nextOffset).toBeUndefined();
    expect(await listJobResults({ jobId, limit: 5 }, { store })).toEqual({ images: [], hasMore: false, total: 0 });
    const page = await listJobs({ limit: 1 }, { store });
    expect(page.entries.map((entry) => entry.job.id)).toEqual([jobId]);
    expect(page.hasMore).toBe(true);
    for (const missing of [() => getJob({ jobId: 'nope' }, { store }), () => jobStatus({ jobId: 'nope' }, { store, clock }), () => listJobTasks({ jobId: 'nope', limit: 1 }, { store }), () => listJobResults({ jobId: 'nope', limit: 1 }, { store }), () => listJobs({ groupId: 'nope', limit: 1 }, { store })]) {
      expect(await rejectionOf(missing)).toMatchObject({ code: 'not_found' });
    }
  });
});
