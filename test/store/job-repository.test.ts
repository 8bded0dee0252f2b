import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { SqliteJobRepository } from '../../src/store/database/job-repository.js';
import type { SqliteDatabase } from '../../src/store/database/open-database.js';
import { buildJobInput, insertGroup, openTemporaryDatabase } from './store-test-helpers.js';

let database: SqliteDatabase;
let cleanup: () => Promise<void>;
let repository: SqliteJobRepository;
let groupId: string;

beforeEach(async () => {
  ({ database, cleanup } = await openTemporaryDatabase());
  repository = new SqliteJobRepository(database.db);
  groupId = await insertGroup(database);
});
afterEach(async () => {
  await cleanup();
});

async function countRows(table: 'jobs' | 'tasks'): Promise<number> {
  const row = await database.db.selectFrom(table).select((expression) => expression.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('SqliteJobRepository.createJob', () => {
  it('stores the job as queued and maps it back', async () => {
    const input = buildJobInput({ groupId, taskCount: 3 });
    const job = await repository.createJob(input);
    expect(job).toEqual({
      ...input.job,
      status: 'queued',
      statusReason: undefined,
      spentUsd: 0,
      updatedAtMs: input.job.createdAtMs,
      finishedAtMs: undefined,
    });
    expect(await repository.getJob(job.id)).toEqual(job);
    expect(await repository.getJob('no-such-job')).toBeUndefined();

    const row = await database.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(row.provider_key).toBe('local:variations-v1');
    expect(row.priority_rank).toBe(2);
    expect(row.task_count).toBe(3);
    expect(row.budget_usd).toBeNull();
  });

  it('stores tasks queued, available at creation, with provider key, and maps them back', async () => {
    const input = buildJobInput({ groupId, taskCount: 3 });
    await repository.createJob(input);
    const tasks = await repository.listTasks('job-1', {});
    expect(tasks.map((task) => task.ordinal)).toEqual([0, 1, 2]);
    const [first, second] = tasks;
    expect(first).toEqual({
      ...input.tasks[0],
      jobId: 'job-1',
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
    expect(second?.seed).toBeUndefined();
    expect(second?.variables).toEqual({ product: 'p1' });
    const providerKeys = await database.db.selectFrom('tasks').select('provider_key').distinct().execute();
    expect(providerKeys).toEqual([{ provider_key: 'local:variations-v1' }]);
  });

  it('inserts 10,000 tasks in one go, quickly', async () => {
    const input = buildJobInput({ groupId, taskCount: 10_000 });
    const startedAtMs = performance.now();
    const job = await repository.createJob(input);
    const elapsedMs = performance.now() - startedAtMs;
    expect(job.status).toBe('queued');
    expect(await countRows('tasks')).toBe(10_000);
    expect((await repository.taskCounts(job.id)).queued).toBe(10_000);
    // Row-by-row autocommit inserts take tens of seconds; chunked inserts in one transaction well under this.
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('is atomic: a duplicate ordinal in the last chunk leaves no job and no task', async () => {
    const input = buildJobInput({ groupId, taskCount: 10_000 });
    const last = input.tasks[9_999];
    if (!last) throw new Error('fixture');
    last.ordinal = 5_000; // collides with a task inserted ten chunks earlier
    const error: unknown = await repository.createJob(input).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('conflict');
    expect(await countRows('jobs')).toBe(0);
    expect(await countRows('tasks')).toBe(0);
    expect(await repository.getJob('job-1')).toBeUndefined();
  });

  it('reports a full disk as storage_unavailable and writes nothing', async () => {
    const pageCount = Number(database.sqlite.pragma('page_count', { simple: true }));
    database.sqlite.pragma(`max_page_count = ${pageCount + 20}`); // room for far fewer than 10,000 tasks
    const error: unknown = await repository.createJob(buildJobInput({ groupId, taskCount: 10_000 })).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
    expect(isImagefleetError(error) && error.message).toMatch(/disk is full/);
    database.sqlite.pragma('max_page_count = 1073741823');
    expect(await countRows('jobs')).toBe(0);
    expect(await countRows('tasks')).toBe(0);
    // The connection is still usable afterwards.
    expect((await repository.createJob(buildJobInput({ groupId, taskCount: 10 }))).status).toBe('queued');
  });

  it('refuses a job whose group does not exist, writing nothing', async () => {
    const error: unknown = await repository.createJob(buildJobInput({ groupId: 'no-such-group', taskCount: 2 })).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('not_found');
    expect(await countRows('jobs')).toBe(0);
    expect(await countRows('tasks')).toBe(0);
  });

  it('refuses a second job with the same id as a conflict', async () => {
    await repository.createJob(buildJobInput({ groupId, taskCount: 1 }));
    const error: unknown = await repository.createJob(buildJobInput({ groupId, taskCount: 1 })).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('conflict');
  });
});

describe('SqliteJobRepository queries', () => {
  it('lists jobs newest first, filtered by status and group', async () => {
    await insertGroup(database, 'group-2', 'Other');
    await repository.createJob(buildJobInput({ jobId: 'old', groupId, taskCount: 1, createdAtMs: 1_000 }));
    await repository.createJob(buildJobInput({ jobId: 'new', groupId, taskCount: 1, createdAtMs: 2_000 }));
    await repository.createJob(buildJobInput({ jobId: 'elsewhere', groupId: 'group-2', taskCount: 1, createdAtMs: 3_000 }));
    await database.db.updateTable('jobs').set({ status: 'completed' }).where('id', '=', 'old').execute();

    expect((await repository.listJobs({})).map((job) => job.id)).toEqual(['elsewhere', 'new', 'old']);
    expect((await repository.listJobs({ groupId })).map((job) => job.id)).toEqual(['new', 'old']);
    expect((await repository.listJobs({ statuses: ['completed'] })).map((job) => job.id)).toEqual(['old']);
    expect((await repository.listJobs({ limit: 1 })).map((job) => job.id)).toEqual(['elsewhere']);
    expect(await repository.listJobs({ statuses: [] })).toEqual([]);
  });

  it('counts tasks per status with zeros, pages tasks, and finds completed keys', async () => {
    await repository.createJob(buildJobInput({ groupId, taskCount: 6 }));
    await database.db.updateTable('tasks').set({ status: 'completed' }).where('ordinal', 'in', [1, 4]).execute();
    await database.db.updateTable('tasks').set({ status: 'failed' }).where('ordinal', '=', 5).execute();

    expect(await repository.taskCounts('job-1')).toEqual({ queued: 3, running: 0, completed: 2, failed: 1, blocked: 0, canceled: 0 });
    expect((await repository.listTasks('job-1', { statuses: ['queued'] })).map((task) => task.ordinal)).toEqual([0, 2, 3]);
    expect((await repository.listTasks('job-1', { limit: 2, offset: 2 })).map((task) => task.ordinal)).toEqual([2, 3]);
    expect((await repository.listTasks('job-1', { offset: 4 })).map((task) => task.ordinal)).toEqual([4, 5]);

    const keys = await repository.completedTaskKeys(['key-job-1-1', 'key-job-1-4', 'key-job-1-5', 'key-job-1-0', 'unknown', 'key-job-1-1']);
    expect([...keys].sort()).toEqual(['key-job-1-1', 'key-job-1-4']);
    expect(await repository.completedTaskKeys([])).toEqual(new Set());
  });

  it('looks up more completed keys than fit in one IN list', async () => {
    await repository.createJob(buildJobInput({ groupId, taskCount: 2_000 }));
    await database.db.updateTable('tasks').set({ status: 'completed' }).where('ordinal', '>=', 1_000).execute();
    const keys = Array.from({ length: 2_000 }, (_unused, ordinal) => `key-job-1-${ordinal}`);
    const completed = await repository.completedTaskKeys(keys);
    expect(completed.size).toBe(1_000);
    expect(completed.has('key-job-1-1999')).toBe(true);
    expect(completed.has('key-job-1-999')).toBe(false);
  });
});
