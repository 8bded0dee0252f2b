import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claim, claimTask, complete, endAs, jobInput, openPolicy, rejectionOf, runJob, taskIdOf } from './contract-fixtures.js';

describe.each(storeFactoriesWithPostgres())('store contract: jobs ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<{ store: Store; groupId: string }> {
    opened = await factory.open();
    const group = await opened.store.groups.createGroup('Jobs');
    return { store: opened.store, groupId: group.id };
  }

  describe('createJob', () => {
    it('stores the job as queued with its tasks queued, available at creation, and maps both back', async () => {
      const { store, groupId } = await openStore();
      const input = jobInput({ groupId, taskCount: 3, imagesPerTask: 2 });
      const job = await store.jobs.createJob(input);
      expect(job).toEqual({ ...input.job, status: 'queued', statusReason: undefined, spentUsd: 0, updatedAtMs: input.job.createdAtMs, finishedAtMs: undefined });
      expect(await store.jobs.getJob(job.id)).toEqual(job);
      expect(await store.jobs.getJob('no-such-job')).toBeUndefined();

      const tasks = await store.jobs.listTasks(job.id, {});
      expect(tasks.map((task) => task.ordinal)).toEqual([0, 1, 2]);
      expect(tasks[0]).toMatchObject({
        ...input.tasks[0],
        jobId: job.id,
        status: 'queued',
        attempts: 0,
        leaseExpirations: 0,
        lastErrorCode: undefined,
        lastErrorMessage: undefined,
        availableAtMs: input.job.createdAtMs,
        remoteHandle: undefined,
        costUsd: undefined,
        updatedAtMs: input.job.createdAtMs,
        finishedAtMs: undefined,
      });
      expect(await store.jobs.getTask(taskIdOf(job.id, 2))).toEqual(tasks[2]);
      expect(await store.jobs.getTask('missing')).toBeUndefined();
      expect(await store.jobs.taskCounts(job.id)).toEqual({ queued: 3, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0 });
    });

    it('keeps a budget and settings as given', async () => {
      const { store, groupId } = await openStore();
      const input = jobInput({ groupId, taskCount: 1 });
      input.job.budgetUsd = 1.5;
      input.job.settings = { size: '2K', aspectRatio: '16:9', negativePrompt: 'blur', loras: [{ name: 'ink', weight: 0.7 }], providerOptions: { steps: 30 } };
      const job = await store.jobs.createJob(input);
      expect(job.budgetUsd).toBe(1.5);
      expect((await store.jobs.getJob(job.id))?.settings).toEqual(input.job.settings);
    });

    it('refuses a job whose group does not exist, and a second job with the same id, writing nothing', async () => {
      const { store, groupId } = await openStore();
      expect((await rejectionOf(store.jobs.createJob(jobInput({ groupId: 'no-such-group', taskCount: 2 }))))?.code).toBe('not_found');
      expect(await store.jobs.getJob('job-1')).toBeUndefined();
      await store.jobs.createJob(jobInput({ groupId, taskCount: 1 }));
      expect((await rejectionOf(store.jobs.createJob(jobInput({ groupId, taskCount: 1 }))))?.code).toBe('conflict');
    });

    it('is atomic: a duplicate ordinal among many tasks leaves no job and no task', async () => {
      const { store, groupId } = await openStore();
      const input = jobInput({ groupId, taskCount: 2_000 });
      input.tasks[1_999]!.ordinal = 10;
      expect((await rejectionOf(store.jobs.createJob(input)))?.code).toBe('conflict');
      expect(await store.jobs.getJob('job-1')).toBeUndefined();
      expect(await store.jobs.listJobs({})).toEqual([]);
    });
  });

  describe('lists', () => {
    it('lists jobs newest first, filtered by status and group, limited', async () => {
      const { store, groupId } = await openStore();
      const other = await store.groups.createGroup('Other');
      await store.jobs.createJob(jobInput({ jobId: 'old', groupId, taskCount: 1, createdAtMs: 1_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'new', groupId, taskCount: 1, createdAtMs: 2_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'elsewhere', groupId: other.id, taskCount: 1, createdAtMs: 3_000 }));
      await store.control.cancelJob('old', baseMs);

      expect((await store.jobs.listJobs({})).map((job) => job.id)).toEqual(['elsewhere', 'new', 'old']);
      expect((await store.jobs.listJobs({ groupId })).map((job) => job.id)).toEqual(['new', 'old']);
      expect((await store.jobs.listJobs({ statuses: ['canceled'] })).map((job) => job.id)).toEqual(['old']);
      expect((await store.jobs.listJobs({ limit: 1 })).map((job) => job.id)).toEqual(['elsewhere']);
      expect(await store.jobs.listJobs({ statuses: [] })).toEqual([]);
    });

    it('pages jobs newest first with their image counts, after a keyset position', async () => {
      const { store, groupId } = await openStore();
      for (const [index, jobId] of ['a', 'b', 'c', 'd'].entries()) {
        await store.jobs.createJob(jobInput({ jobId, groupId, taskCount: 2, imagesPerTask: 3, createdAtMs: index < 2 ? 1_000 : 2_000 + index, mode: index === 3 ? 'cli' : 'studio' }));
      }
      await runJob(store, 'b', (ordinal) => (ordinal === 0 ? 'completed' : 'failed'), baseMs);
      const first = await store.jobs.listJobPage({ limit: 2 });
      expect(first.map((entry) => entry.job.id)).toEqual(['d', 'c']);
      const last = first[1]!.job;
      const second = await store.jobs.listJobPage({ limit: 2, before: { createdAtMs: last.createdAtMs, id: last.id } });
      // Same creation time: the id breaks the tie, descending.
      expect(second.map((entry) => entry.job.id)).toEqual(['b', 'a']);
      expect(second[0]?.imagesByStatus).toEqual({ queued: 0, running: 0, completed: 3, failed: 3, blocked: 0, canceled: 0 });
      expect(second[1]?.imagesByStatus).toEqual({ queued: 6, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0 });
      expect((await store.jobs.listJobPage({ limit: 10, mode: 'cli' })).map((entry) => entry.job.id)).toEqual(['d']);
      expect((await store.jobs.listJobPage({ limit: 10, statuses: ['failed'] })).map((entry) => entry.job.id)).toEqual(['b']);
      expect(await store.jobs.listJobPage({ limit: 10, statuses: [] })).toEqual([]);
    });

    it('counts tasks per status, pages tasks in plan order, and lists a group’s tasks with their job', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ groupId, taskCount: 6 }));
      await runJob(store, 'job-1', (ordinal) => (ordinal === 5 ? 'failed' : 'completed'), baseMs);
      await store.control.retryTasks('job-1', [0, 2, 3, 5].map((ordinal) => taskIdOf('job-1', ordinal)), baseMs);
      expect(await store.jobs.taskCounts('job-1')).toEqual({ queued: 1, running: 0, completed: 5, failed: 0, blocked: 0, canceled: 0 });
      expect((await store.jobs.listTasks('job-1', { statuses: ['queued'] })).map((task) => task.ordinal)).toEqual([5]);
      expect((await store.jobs.listTasks('job-1', { limit: 2, offset: 2 })).map((task) => task.ordinal)).toEqual([2, 3]);
      expect((await store.jobs.listTasks('job-1', { offset: 4 })).map((task) => task.ordinal)).toEqual([4, 5]);
      expect(await store.jobs.listTasks('job-1', { statuses: [] })).toEqual([]);

      const inGroup = await store.jobs.listTasksInGroup(groupId, { statuses: ['queued'] });
      expect(inGroup.map((entry) => [entry.task.id, entry.provider, entry.model, entry.jobName])).toEqual([[taskIdOf('job-1', 5), 'local', 'variations-v1', 'Contract job']]);
      expect(await store.jobs.listTasksInGroup(groupId, { jobId: 'other', statuses: ['queued'] })).toEqual([]);
      expect(await store.jobs.listTasksInGroup(groupId, { statuses: [] })).toEqual([]);
    });
  });

  describe('completedTaskKeys', () => {
    it('finds the keys among those asked that completed, in any job', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ groupId, taskCount: 4 }));
      await runJob(store, 'job-1', (ordinal) => (ordinal === 3 ? 'failed' : 'completed'), baseMs);
      await store.jobs.createJob(jobInput({ jobId: 'job-2', groupId, taskCount: 1, keyOf: () => 'key-job-1-3' }));
      const keys = await store.jobs.completedTaskKeys(['key-job-1-1', 'key-job-1-3', 'unknown', 'key-job-1-1']);
      expect([...keys].sort()).toEqual(['key-job-1-1']);
      await runJob(store, 'job-2', () => 'completed', baseMs);
      expect([...(await store.jobs.completedTaskKeys(['key-job-1-3']))]).toEqual(['key-job-1-3']);
      expect(await store.jobs.completedTaskKeys([])).toEqual(new Set());
    });

    it('looks up more keys than one statement can list', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ groupId, taskCount: 3 }));
      await runJob(store, 'job-1', () => 'completed', baseMs);
      const keys = [...Array.from({ length: 2_000 }, (_unused, index) => `unknown-${index}`), 'key-job-1-2'];
      expect([...(await store.jobs.completedTaskKeys(keys))]).toEqual(['key-job-1-2']);
    });
  });

  describe('progressFigures', () => {
    it('counts images per status, images completed since a time, and the most frequent errors', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ groupId, taskCount: 6, imagesPerTask: 2 }));
      await runJob(store, 'job-1', () => 'completed', baseMs);
      expect((await store.jobs.progressFigures('job-1', baseMs, 10)).imagesCompletedSince).toBe(12);
      expect((await store.jobs.progressFigures('job-1', baseMs + 1, 10)).imagesCompletedSince).toBe(0);

      await store.jobs.createJob(jobInput({ jobId: 'job-2', groupId, taskCount: 5, imagesPerTask: 2 }));
      const outcomes = ['completed', 'failed', 'failed', 'blocked'] as const;
      for (const [ordinal, outcome] of outcomes.entries()) {
        const claimed = await claimTask(store, taskIdOf('job-2', ordinal), baseMs + 10);
        if (outcome === 'completed') await complete(store, claimed, baseMs + 20);
        else await endAs(store, claimed, outcome, baseMs + 20);
      }
      const waiting = await claimTask(store, taskIdOf('job-2', 4), baseMs + 30);
      await store.queue.setBackTask({
        taskId: waiting.task.id,
        leaseToken: waiting.leaseToken,
        nowMs: baseMs + 31,
        setback: { kind: 'retry', availableAtMs: baseMs + 60_000, countsAsAttempt: true, errorCode: 'provider_transient', message: 'upstream 503' },
      });
      const figures = await store.jobs.progressFigures('job-2', baseMs + 15, 10);
      expect(figures.imagesByStatus).toEqual({ queued: 2, running: 0, completed: 2, failed: 4, blocked: 2, canceled: 0 });
      expect(figures.imagesCompletedSince).toBe(2);
      expect(figures.errors).toEqual([
        { code: 'provider_invalid', message: 'failed on purpose', taskCount: 2, status: 'failed' },
        expect.objectContaining({ taskCount: 1 }),
        expect.objectContaining({ taskCount: 1 }),
      ]);
      expect(figures.errors.slice(1).map((error) => [error.code, error.status]).sort()).toEqual([
        ['provider_blocked', 'blocked'],
        ['provider_transient', 'queued'],
      ]);
      expect((await store.jobs.progressFigures('job-2', baseMs, 1)).errors).toHaveLength(1);
    });
  });

  describe('queue', () => {
    it('lists unfinished jobs in claim order (priority, position, least recently served, age), paused ones last, with image counts', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ jobId: 'bulk', groupId, taskCount: 1, priority: 'bulk', createdAtMs: 1_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'normal-old', groupId, taskCount: 2, createdAtMs: 2_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'normal-new', groupId, taskCount: 1, createdAtMs: 3_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'urgent', groupId, taskCount: 1, priority: 'interactive', createdAtMs: 4_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'paused', groupId, taskCount: 1, priority: 'interactive', createdAtMs: 5_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'done', groupId, taskCount: 1, createdAtMs: 6_000 }));
      await store.control.pauseJob('paused', undefined, baseMs);
      await store.control.cancelJob('done', baseMs);

      const queue = await store.jobs.listQueue();
      expect(queue.map((entry) => entry.job.id)).toEqual(['urgent', 'normal-old', 'normal-new', 'bulk', 'paused']);
      expect(queue[1]).toMatchObject({ queuePosition: 0, imagesByStatus: { queued: 2, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0 } });

      // A job just served waits behind one of the same rank not served yet.
      const served = await claim(store, baseMs + 1);
      expect(served.job.id).toBe('urgent');
      const second = await store.queue.claimNext({ nowMs: baseMs + 2, workerId: 'w', leaseMs: 60_000, providers: [openPolicy] });
      expect(second?.job.id).toBe('normal-old');
      expect((await store.jobs.listQueue()).map((entry) => entry.job.id)).toEqual(['urgent', 'normal-new', 'normal-old', 'bulk', 'paused']);
    });

    it('moves jobs and changes priorities in one write with a queue.changed event', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ jobId: 'first', groupId, taskCount: 1, createdAtMs: 1_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'second', groupId, taskCount: 1, createdAtMs: 2_000 }));
      await store.jobs.createJob(jobInput({ jobId: 'third', groupId, taskCount: 1, createdAtMs: 3_000 }));
      await store.jobs.updateQueuePlacement(
        [
          { jobId: 'third', queuePosition: -1 },
          { jobId: 'first', priority: 'bulk' },
        ],
        baseMs,
      );
      const queue = await store.jobs.listQueue();
      expect(queue.map((entry) => [entry.job.id, entry.queuePosition, entry.job.priority])).toEqual([
        ['third', -1, 'normal'],
        ['second', 0, 'normal'],
        ['first', 0, 'bulk'],
      ]);
      expect(queue[0]?.job.updatedAtMs).toBe(baseMs);
      const events = (await store.events.readEvents(0, {})).filter((event) => event.type === 'queue.changed');
      expect(events.map((event) => event.payload)).toEqual([
        {
          jobs: [
            { jobId: 'third', queuePosition: -1 },
            { jobId: 'first', priority: 'bulk' },
          ],
        },
      ]);
      await store.jobs.updateQueuePlacement([], baseMs);
      expect((await store.events.readEvents(0, {})).filter((event) => event.type === 'queue.changed')).toHaveLength(1);
    });

    it('refuses an unknown or finished job, writing none of the changes', async () => {
      const { store, groupId } = await openStore();
      await store.jobs.createJob(jobInput({ jobId: 'open', groupId, taskCount: 1 }));
      await store.jobs.createJob(jobInput({ jobId: 'done', groupId, taskCount: 1 }));
      await store.control.cancelJob('done', baseMs);
      expect(await rejectionOf(store.jobs.updateQueuePlacement([{ jobId: 'open', queuePosition: 3 }, { jobId: 'done', queuePosition: 1 }], baseMs))).toEqual({
        code: 'conflict',
        message: 'Job done is canceled; only unfinished jobs have a place in the queue.',
      });
      expect(await rejectionOf(store.jobs.updateQueuePlacement([{ jobId: 'open', queuePosition: 3 }, { jobId: 'missing', queuePosition: 1 }], baseMs))).toEqual({
        code: 'not_found',
        message: 'No job with id missing.',
      });
      expect((await store.jobs.listQueue())[0]?.queuePosition).toBe(0);
    });
  });
});
