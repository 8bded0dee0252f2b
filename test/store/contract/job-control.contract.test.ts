import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claim, claimTask, complete, createJobInNewGroup, endAs, rejectionOf, runJob, taskIdOf, taskStatusesOf } from './contract-fixtures.js';

describe.each(storeFactoriesWithPostgres())('store contract: job control ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<Store> {
    opened = await factory.open();
    return opened.store;
  }

  async function eventsOf(store: Store, jobId: string): Promise<Array<{ type: string; taskId: string | undefined; payload: Record<string, unknown> }>> {
    return (await store.events.readEvents(0, { jobId })).map((event) => ({ type: event.type, taskId: event.taskId, payload: event.payload as Record<string, unknown> }));
  }

  describe('pause and resume', () => {
    it('pauses a queued job with the default reason, records job.paused, and leaves a paused job as it is', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
      const paused = await store.control.pauseJob('job-1', undefined, baseMs + 10);
      expect(paused).toMatchObject({ status: 'paused', statusReason: 'Paused by the user.', updatedAtMs: baseMs + 10 });
      expect((await store.control.pauseJob('job-1', 'again', baseMs + 20)).statusReason).toBe('Paused by the user.');
      const pauses = (await eventsOf(store, 'job-1')).filter((event) => event.type === 'job.paused');
      expect(pauses).toEqual([{ type: 'job.paused', taskId: undefined, payload: { reason: 'Paused by the user.', cause: 'user' } }]);
    });

    it('resumes to queued when no task started, to processing when one did', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
      await store.control.pauseJob('job-1', 'lunch', baseMs);
      const resumed = await store.control.resumeJob('job-1', baseMs + 1);
      expect(resumed).toMatchObject({ status: 'queued', statusReason: undefined });
      await claim(store, baseMs + 2);
      await store.control.pauseJob('job-1', 'lunch', baseMs + 3);
      expect((await store.control.resumeJob('job-1', baseMs + 4)).status).toBe('processing');
      expect((await store.control.resumeJob('job-1', baseMs + 5)).status).toBe('processing');
      expect((await eventsOf(store, 'job-1')).filter((event) => event.type === 'job.resumed')).toHaveLength(2);
    });

    it('finishes a paused job when its last running task completes', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 1 });
      const claimed = await claim(store, baseMs);
      await store.control.pauseJob('job-1', undefined, baseMs + 1);
      const outcome = await complete(store, claimed, baseMs + 2);
      expect(outcome.finishedJob).toMatchObject({ status: 'completed', finishedAtMs: baseMs + 2 });
      expect((await store.jobs.getJob('job-1'))?.status).toBe('completed');
    });

    it('refuses to pause or resume a finished job, and says not_found for an unknown one', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 1 });
      await store.control.cancelJob('job-1', baseMs);
      expect(await rejectionOf(store.control.pauseJob('job-1', undefined, baseMs))).toEqual({
        code: 'conflict',
        message: 'Job job-1 is canceled; only a queued or processing job can be paused.',
      });
      expect(await rejectionOf(store.control.resumeJob('job-1', baseMs))).toEqual({ code: 'conflict', message: 'Job job-1 is canceled; only a paused job can be resumed.' });
      expect(await rejectionOf(store.control.pauseJob('missing', undefined, baseMs))).toEqual({ code: 'not_found', message: 'No job with id missing.' });
      expect((await rejectionOf(store.control.resumeJob('missing', baseMs)))?.code).toBe('not_found');
    });
  });

  describe('cancel a job', () => {
    it('cancels queued and running tasks, keeps finished ones, and refuses the running task a late completion', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 3 });
      const first = await claimTask(store, taskIdOf('job-1', 0), baseMs);
      await complete(store, first, baseMs + 1);
      const running = await claimTask(store, taskIdOf('job-1', 1), baseMs + 2);

      const canceled = await store.control.cancelJob('job-1', baseMs + 3);
      expect(canceled).toMatchObject({ status: 'canceled', statusReason: 'Canceled by the user.', finishedAtMs: baseMs + 3 });
      expect(await taskStatusesOf(store, 'job-1')).toEqual(['completed', 'canceled', 'canceled']);
      const finished = (await eventsOf(store, 'job-1')).filter((event) => event.type === 'job.finished');
      expect(finished).toEqual([{ type: 'job.finished', taskId: undefined, payload: { status: 'canceled', canceledTasks: 2 } }]);

      // The lease was taken away: the worker's completion is refused and nothing is billed.
      expect(await store.queue.renewLease(running.task.id, running.leaseToken, baseMs + 4, 60_000)).toBe(false);
      const late = await complete(store, running, baseMs + 5, 1);
      expect(late.accepted).toBe(false);
      expect(late.canceled).toBe(true);
      expect((await store.jobs.getJob('job-1'))?.spentUsd).toBeCloseTo(0.01);
      expect(await store.images.listImages({ taskId: running.task.id })).toEqual([]);
    });

    it('leaves a canceled job as it is and refuses a completed or failed one', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'done', taskCount: 1, groupName: 'A' });
      await runJob(store, 'done', () => 'completed', baseMs);
      await createJobInNewGroup(store, { jobId: 'broken', taskCount: 1, groupName: 'B' });
      await runJob(store, 'broken', () => 'failed', baseMs);
      await createJobInNewGroup(store, { jobId: 'stopped', taskCount: 1, groupName: 'C' });
      const first = await store.control.cancelJob('stopped', baseMs + 1);
      expect(await store.control.cancelJob('stopped', baseMs + 2)).toEqual(first);

      expect(await rejectionOf(store.control.cancelJob('done', baseMs))).toEqual({ code: 'conflict', message: 'Job done already completed; there is nothing left to cancel.' });
      expect(await rejectionOf(store.control.cancelJob('broken', baseMs))).toEqual({ code: 'conflict', message: 'Job broken already failed; there is nothing left to cancel.' });
      expect((await rejectionOf(store.control.cancelJob('missing', baseMs)))?.code).toBe('not_found');
    });

    it('cancels a paused job', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
      await store.control.pauseJob('job-1', undefined, baseMs);
      expect((await store.control.cancelJob('job-1', baseMs + 1)).status).toBe('canceled');
      expect(await taskStatusesOf(store, 'job-1')).toEqual(['canceled', 'canceled']);
    });
  });

  describe('cancel a task', () => {
    it('cancels a queued task, records task.canceled, and leaves the job running', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2, imagesPerTask: 2 });
      const result = await store.control.cancelTask(taskIdOf('job-1', 1), baseMs);
      expect(result.changed).toBe(true);
      expect(result.finishedJob).toBe(false);
      expect(result.task).toMatchObject({ id: taskIdOf('job-1', 1), status: 'canceled', finishedAtMs: baseMs });
      expect(result.job.status).toBe('queued');
      const canceledEvents = (await eventsOf(store, 'job-1')).filter((event) => event.type === 'task.canceled');
      expect(canceledEvents).toEqual([{ type: 'task.canceled', taskId: taskIdOf('job-1', 1), payload: { imageCount: 2, wasRunning: false } }]);
    });

    it('cancels a running task, refusing its late completion, and closes the job when it was the last', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-2', taskCount: 2 });
      const done = await claimTask(store, taskIdOf('job-2', 0), baseMs);
      await complete(store, done, baseMs + 1);
      const running = await claimTask(store, taskIdOf('job-2', 1), baseMs + 2);
      const result = await store.control.cancelTask(running.task.id, baseMs + 3);
      expect(result).toMatchObject({ changed: true, finishedJob: true, job: { status: 'completed', finishedAtMs: baseMs + 3 } });
      expect((await eventsOf(store, 'job-2')).find((event) => event.type === 'task.canceled')?.payload).toEqual({ imageCount: 1, wasRunning: true });
      expect((await complete(store, running, baseMs + 4)).accepted).toBe(false);
    });

    it('ends a job canceled when its every task was canceled one by one', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
      await store.control.cancelTask(taskIdOf('job-1', 0), baseMs);
      const last = await store.control.cancelTask(taskIdOf('job-1', 1), baseMs + 1);
      expect(last.finishedJob).toBe(true);
      expect(last.job).toMatchObject({ status: 'canceled', statusReason: undefined });
    });

    it('keeps a paused job paused until its last task ends', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
      await store.control.pauseJob('job-1', undefined, baseMs);
      const first = await store.control.cancelTask(taskIdOf('job-1', 0), baseMs + 1);
      expect(first).toMatchObject({ finishedJob: false, job: { status: 'paused' } });
      const last = await store.control.cancelTask(taskIdOf('job-1', 1), baseMs + 2);
      expect(last).toMatchObject({ finishedJob: true, job: { status: 'canceled' } });
    });

    it('leaves a canceled task as it is, refuses a finished one, and says not_found for an unknown one', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 3 });
      await store.control.cancelTask(taskIdOf('job-1', 0), baseMs);
      const again = await store.control.cancelTask(taskIdOf('job-1', 0), baseMs + 1);
      expect(again).toMatchObject({ changed: false, finishedJob: false, task: { status: 'canceled', finishedAtMs: baseMs } });
      const done = await claimTask(store, taskIdOf('job-1', 1), baseMs);
      await complete(store, done, baseMs + 1);
      expect(await rejectionOf(store.control.cancelTask(taskIdOf('job-1', 1), baseMs + 2))).toEqual({
        code: 'conflict',
        message: `Task ${taskIdOf('job-1', 1)} already completed; there is nothing left to cancel.`,
      });
      expect(await rejectionOf(store.control.cancelTask('missing', baseMs))).toEqual({ code: 'not_found', message: 'No task with id missing.' });
    });
  });

  describe('retry', () => {
    it('requeues failed tasks (not blocked ones) with fresh attempts and reopens the job', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 3 });
      await runJob(store, 'job-1', (ordinal) => (['completed', 'failed', 'blocked'] as const)[ordinal]!, baseMs);
      expect((await store.jobs.getJob('job-1'))?.status).toBe('failed');

      expect(await store.control.retryFailed('job-1', baseMs + 100)).toBe(1);
      const job = await store.jobs.getJob('job-1');
      expect(job).toMatchObject({ status: 'processing', statusReason: undefined, finishedAtMs: undefined });
      const retried = await store.jobs.getTask(taskIdOf('job-1', 1));
      expect(retried).toMatchObject({ status: 'queued', attempts: 0, leaseExpirations: 0, availableAtMs: baseMs + 100, finishedAtMs: undefined });
      expect(await taskStatusesOf(store, 'job-1')).toEqual(['completed', 'queued', 'blocked']);
      expect((await eventsOf(store, 'job-1')).filter((event) => event.type === 'job.retrying').map((event) => event.payload)).toEqual([{ tasks: 1 }]);

      // Nothing left to retry: nothing is written.
      expect(await store.control.retryFailed('job-1', baseMs + 200)).toBe(0);
      expect((await eventsOf(store, 'job-1')).filter((event) => event.type === 'job.retrying')).toHaveLength(1);
    });

    it('requeues chosen failed or blocked tasks only, leaving other statuses alone', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 3 });
      await runJob(store, 'job-1', (ordinal) => (['completed', 'failed', 'blocked'] as const)[ordinal]!, baseMs);
      const ids = [0, 1, 2].map((ordinal) => taskIdOf('job-1', ordinal));
      expect(await store.control.retryTasks('job-1', [...ids, 'other-task'], baseMs + 100)).toBe(2);
      expect(await taskStatusesOf(store, 'job-1')).toEqual(['completed', 'queued', 'queued']);
      expect((await store.jobs.getJob('job-1'))?.status).toBe('processing');
      expect(await store.control.retryTasks('job-1', [], baseMs + 200)).toBe(0);
    });

    it('keeps a paused job paused, with its reason, when retrying', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
      const failing = await claimTask(store, taskIdOf('job-1', 0), baseMs);
      await endAs(store, failing, 'failed', baseMs + 1);
      await store.control.pauseJob('job-1', 'Checking the prompts', baseMs + 2);
      expect(await store.control.retryFailed('job-1', baseMs + 3)).toBe(1);
      expect(await store.jobs.getJob('job-1')).toMatchObject({ status: 'paused', statusReason: 'Checking the prompts' });
    });

    it('refuses to retry a canceled job and says not_found for an unknown one', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 1 });
      await store.control.cancelJob('job-1', baseMs);
      const refusal = { code: 'conflict', message: 'Job job-1 was canceled; submit it again instead of retrying.' };
      expect(await rejectionOf(store.control.retryFailed('job-1', baseMs))).toEqual(refusal);
      expect(await rejectionOf(store.control.retryTasks('job-1', [taskIdOf('job-1', 0)], baseMs))).toEqual(refusal);
      expect((await rejectionOf(store.control.retryFailed('missing', baseMs)))?.code).toBe('not_found');
      expect((await rejectionOf(store.control.retryTasks('missing', [], baseMs)))?.code).toBe('not_found');
    });

    it('retries more chosen tasks than one statement can list', async () => {
      const store = await openStore();
      await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 1 });
      const failing = await claim(store, baseMs);
      await endAs(store, failing, 'failed', baseMs + 1);
      const manyIds = [...Array.from({ length: 1_200 }, (_unused, index) => `unknown-${index}`), failing.task.id];
      expect(await store.control.retryTasks('job-1', manyIds, baseMs + 2)).toBe(1);
    });
  });
});
