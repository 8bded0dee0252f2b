import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claimTask, complete, createJobInNewGroup, runJob, taskIdOf } from './contract-fixtures.js';

describe.each(storeFactoriesWithPostgres())('store contract: job outcome ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<Store> {
    opened = await factory.open();
    return opened.store;
  }

  async function finishedEvents(store: Store, jobId: string): Promise<Array<Record<string, unknown>>> {
    return (await store.events.readEvents(0, { jobId })).filter((event) => event.type === 'job.finished').map((event) => event.payload);
  }

  it('completes a job when its last task completes, in the same write, with one job.finished event', async () => {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
    const first = await claimTask(store, taskIdOf('job-1', 0), baseMs);
    const second = await claimTask(store, taskIdOf('job-1', 1), baseMs);
    expect((await complete(store, first, baseMs + 1, 0.02)).finishedJob).toBeUndefined();
    expect((await store.jobs.getJob('job-1'))?.status).toBe('processing');
    const last = await complete(store, second, baseMs + 2, 0.03);
    expect(last.finishedJob).toMatchObject({ id: 'job-1', status: 'completed', statusReason: undefined, finishedAtMs: baseMs + 2 });
    expect(await store.jobs.getJob('job-1')).toMatchObject({ status: 'completed', finishedAtMs: baseMs + 2 });
    const events = await finishedEvents(store, 'job-1');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'completed', reason: null, completed: 2, failed: 0, blocked: 0, canceled: 0 });
    expect(events[0]?.spentUsd).toBeCloseTo(0.05);
  });

  it('fails a job with a failed or blocked task, keeping its completed images and saying how many', async () => {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 4 });
    await runJob(store, 'job-1', (ordinal) => (['completed', 'failed', 'blocked', 'completed'] as const)[ordinal]!, baseMs);
    const job = await store.jobs.getJob('job-1');
    expect(job).toMatchObject({ status: 'failed', statusReason: "1 failed, 1 blocked by the provider's safety filter; 2 completed", finishedAtMs: baseMs });
    expect(await store.images.listImages({ jobId: 'job-1' })).toHaveLength(2);
    const events = await finishedEvents(store, 'job-1');
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ status: 'failed', reason: "1 failed, 1 blocked by the provider's safety filter; 2 completed", completed: 2, failed: 1, blocked: 1, canceled: 0, spentUsd: job?.spentUsd });
  });

  it('fails a job whose only problem is one failed task', async () => {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
    await runJob(store, 'job-1', (ordinal) => (ordinal === 0 ? 'failed' : 'completed'), baseMs);
    expect((await store.jobs.getJob('job-1'))?.statusReason).toBe('1 failed; 1 completed');
  });

  it('completes a job whose other tasks were canceled, and cancels one whose tasks all were', async () => {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'mixed', taskCount: 2, groupName: 'A' });
    await store.control.cancelTask(taskIdOf('mixed', 1), baseMs);
    await runJob(store, 'mixed', () => 'completed', baseMs + 1);
    expect(await store.jobs.getJob('mixed')).toMatchObject({ status: 'completed', statusReason: undefined });
    const spentUsd = (await store.jobs.getJob('mixed'))?.spentUsd;
    expect(spentUsd).toBeCloseTo(0.01);
    expect(await finishedEvents(store, 'mixed')).toEqual([{ status: 'completed', reason: null, completed: 1, failed: 0, blocked: 0, canceled: 1, spentUsd }]);

    await createJobInNewGroup(store, { jobId: 'all-canceled', taskCount: 1, groupName: 'B' });
    const result = await store.control.cancelTask(taskIdOf('all-canceled', 0), baseMs);
    expect(result.job).toMatchObject({ status: 'canceled', statusReason: undefined, finishedAtMs: baseMs });
  });

  it('does not reopen or re-finish a job that already ended', async () => {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
    const running = await claimTask(store, taskIdOf('job-1', 0), baseMs);
    await store.control.cancelJob('job-1', baseMs + 1);
    expect((await complete(store, running, baseMs + 2)).finishedJob).toBeUndefined();
    expect(await store.jobs.getJob('job-1')).toMatchObject({ status: 'canceled', finishedAtMs: baseMs + 1 });
    expect(await finishedEvents(store, 'job-1')).toEqual([{ status: 'canceled', canceledTasks: 2 }]);
  });

  it('finishes a retried job again with its new outcome', async () => {
    const store = await openStore();
    await createJobInNewGroup(store, { jobId: 'job-1', taskCount: 2 });
    await runJob(store, 'job-1', (ordinal) => (ordinal === 0 ? 'failed' : 'completed'), baseMs);
    expect((await store.jobs.getJob('job-1'))?.status).toBe('failed');
    await store.control.retryFailed('job-1', baseMs + 10);
    await runJob(store, 'job-1', () => 'completed', baseMs + 20);
    expect(await store.jobs.getJob('job-1')).toMatchObject({ status: 'completed', statusReason: undefined, finishedAtMs: baseMs + 20 });
    expect((await finishedEvents(store, 'job-1')).map((event) => event.status)).toEqual(['failed', 'completed']);
  });
});
