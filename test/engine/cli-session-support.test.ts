/**
 * Store and engine support the CLI sessions rely on: taking back leases of dead processes at once,
 * retrying named tasks, images by task, and a second stop that aborts in-flight calls now.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { reclaimDeadLeases } from '../../src/operations/reclaim-dead-leases.js';
import type { ClaimRequest } from '../../src/engine/ports.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { hang, ScriptedProvider } from '../support/scripted-provider.js';

const leaseMs = 60_000;

describe('leases of processes that no longer exist', () => {
  let clock: ManualClock;
  let harness: EngineHarness;
  const claim = (workerId: string): ClaimRequest => ({
    nowMs: clock.now(),
    workerId,
    leaseMs,
    providers: [{ providerKey: 'scripted:scripted-model', providerId: 'scripted', requestsPerMinute: 0, maxConcurrency: 10, cooldownMs: 0, credentialFingerprint: undefined }],
  });

  beforeEach(async () => {
    clock = new ManualClock();
    harness = await createEngineHarness({ providers: [new ScriptedProvider()], clock });
  });
  afterEach(() => harness.cleanup());

  it('lists lease owners and takes back only the named ones, long before their leases expire', async () => {
    const jobId = await harness.createJob({ taskCount: 3 });
    await harness.store.queue.claimNext(claim('box:111:aaaa'));
    await harness.store.queue.claimNext(claim('box:111:aaaa'));
    await harness.store.queue.claimNext(claim('box:222:bbbb'));
    expect(await harness.store.queue.leaseOwners()).toEqual([
      { owner: 'box:111:aaaa', taskCount: 2 },
      { owner: 'box:222:bbbb', taskCount: 1 },
    ]);

    clock.advance(1_000);
    expect(await harness.store.queue.reclaimLeases(['box:111:aaaa'], clock.now(), 3)).toEqual({ requeued: 2, poisoned: 0 });
    expect(await harness.taskStatuses(jobId)).toEqual({ queued: 2, running: 1 });
    const requeued = await harness.store.jobs.listTasks(jobId, { statuses: ['queued'] });
    expect(requeued.every((task) => task.leaseExpirations === 1 && task.lastErrorCode === 'worker_lost')).toBe(true);
    expect(requeued[0]?.lastErrorMessage).toContain('no longer exists');
    expect(await harness.store.queue.reclaimLeases([], clock.now(), 3)).toEqual({ requeued: 0, poisoned: 0 });
  });

  it('counts each such death toward the poison limit', async () => {
    const jobId = await harness.createJob({ taskCount: 1 });
    for (let death = 1; death <= 2; death += 1) {
      await harness.store.queue.claimNext(claim(`box:${death}:x`));
      await harness.store.queue.reclaimLeases([`box:${death}:x`], clock.now(), 2);
    }
    expect(await harness.taskStatuses(jobId)).toEqual({ failed: 1 });
    expect((await harness.store.jobs.getJob(jobId))?.status).toBe('failed');
  });

  it('the use case asks which owners are gone', async () => {
    await harness.createJob({ taskCount: 2 });
    await harness.store.queue.claimNext(claim('box:111:aaaa'));
    await harness.store.queue.claimNext(claim('box:222:bbbb'));
    const config = loadConfig({ IMAGEFLEET_MAX_LEASE_EXPIRATIONS: '3' });
    const result = await reclaimDeadLeases({ isOwnerGone: (owner) => owner.includes(':222:') }, { store: harness.store, clock, config, engine: harness.engine, logger: silentLogger });
    expect(result).toEqual({ requeued: 1, poisoned: 0, owners: ['box:222:bbbb'] });
  });
});

describe('retrying named tasks', () => {
  let harness: EngineHarness;
  beforeEach(async () => {
    harness = await createEngineHarness({ providers: [new ScriptedProvider()] });
  });
  afterEach(() => harness.cleanup());

  it('requeues failed and blocked tasks it is given, nothing else, and reopens the job', async () => {
    const jobId = await harness.createJob({ taskCount: 4 });
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    await harness.store.database.db.updateTable('tasks').set({ status: 'failed', attempts: 5, finished_at_ms: 1 }).where('id', '=', tasks[0]!.id).execute();
    await harness.store.database.db.updateTable('tasks').set({ status: 'blocked', attempts: 1, finished_at_ms: 1 }).where('id', '=', tasks[1]!.id).execute();
    await harness.store.database.db.updateTable('tasks').set({ status: 'completed', finished_at_ms: 1 }).where('id', 'in', [tasks[2]!.id, tasks[3]!.id]).execute();
    await harness.store.database.db.updateTable('jobs').set({ status: 'failed', finished_at_ms: 1 }).where('id', '=', jobId).execute();

    expect(await harness.store.control.retryTasks(jobId, [tasks[0]!.id, tasks[1]!.id, tasks[2]!.id], Date.now())).toBe(2);
    expect(await harness.taskStatuses(jobId)).toEqual({ queued: 2, completed: 2 });
    const job = await harness.store.jobs.getJob(jobId);
    expect(job?.status).toBe('processing');
    expect(job?.finishedAtMs).toBeUndefined();
    const retried = await harness.store.jobs.listTasks(jobId, { statuses: ['queued'] });
    expect(retried.map((task) => task.attempts)).toEqual([0, 0]);
  });
});

describe('images by task and the start time of tasks', () => {
  it('lists the images of one task and exposes when it started', async () => {
    const harness = await createEngineHarness({ providers: [new ScriptedProvider()] });
    try {
      const jobId = await harness.createJob({ taskCount: 2, imagesPerTask: 2 });
      harness.engine.start();
      await waitFor(async () => (await harness.store.jobs.getJob(jobId))?.status === 'completed', 10_000, 'job completed');
      const [first] = await harness.store.jobs.listTasks(jobId, {});
      const images = await harness.store.images.listImages({ jobId, taskId: first!.id });
      expect(images.map((image) => [image.taskId, image.index])).toEqual([
        [first!.id, 0],
        [first!.id, 1],
      ]);
      expect(first?.startedAtMs).toBeTypeOf('number');
      expect(first!.startedAtMs!).toBeLessThanOrEqual(first!.finishedAtMs!);
    } finally {
      await harness.cleanup();
    }
  });
});

describe('stopping twice (Ctrl-C twice)', () => {
  it('a second stop aborts in-flight calls at once and gives their tasks back', async () => {
    const provider = new ScriptedProvider({ script: hang() });
    const harness = await createEngineHarness({ providers: [provider], settings: { shutdownGraceMs: 24 * 60 * 60 * 1000 } });
    try {
      const jobId = await harness.createJob({ taskCount: 2 });
      harness.engine.start();
      await waitFor(() => provider.calls.length === 2, 10_000, 'both calls in flight');
      let firstDone = false;
      const first = harness.engine.stop().then(() => (firstDone = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(firstDone).toBe(false);
      await harness.engine.stop(0);
      await first;
      expect(firstDone).toBe(true);
      expect(harness.engine.inFlightCount).toBe(0);
      expect(await harness.taskStatuses(jobId)).toEqual({ queued: 2 });
      const tasks = await harness.store.jobs.listTasks(jobId, {});
      expect(tasks.map((task) => task.attempts)).toEqual([0, 0]);
    } finally {
      await harness.cleanup();
    }
  });
});
