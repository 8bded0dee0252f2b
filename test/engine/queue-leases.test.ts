import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedTask, ClaimRequest, TaskOutcome } from '../../src/engine/ports.js';
import { createEngineHarness, type EngineHarness } from '../support/engine-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { ScriptedProvider } from '../support/scripted-provider.js';

const leaseMs = 5_000;

describe('durable queue: leases, fencing, recovery', () => {
  let clock: ManualClock;
  let harness: EngineHarness;
  let claim: (workerId: string) => ClaimRequest;

  beforeEach(async () => {
    clock = new ManualClock();
    harness = await createEngineHarness({ providers: [new ScriptedProvider()], clock });
    claim = (workerId) => ({
      nowMs: clock.now(),
      workerId,
      leaseMs,
      providers: [{ providerKey: 'scripted:scripted-model', providerId: 'scripted', requestsPerMinute: 0, maxConcurrency: 10, cooldownMs: 0, credentialFingerprint: undefined }],
    });
  });
  afterEach(() => harness.cleanup());

  /** Completes the `index`th claimed task with one 8×8 image of its own. */
  const completeWithOneImage = (claimed: readonly ClaimedTask[], index: number, costUsd: number, leaseToken = claimed[index]!.leaseToken): Promise<TaskOutcome> =>
    harness.store.queue.completeTask({
      taskId: claimed[index]!.task.id,
      leaseToken,
      nowMs: clock.now(),
      images: [{ index: 0, fileKey: `outputs/${index}.png`, thumbnailKey: `thumbnails/${index}.webp`, mediaType: 'image/png', width: 8, height: 8, byteSize: 10, seed: index }],
      costUsd,
      warnings: [],
      providerKey: 'scripted:scripted-model',
      maxConcurrency: 4,
    });

  it('leases each task to one claimer at a time', async () => {
    await harness.createJob({ taskCount: 3 });
    const claimed = [await harness.store.queue.claimNext(claim('a')), await harness.store.queue.claimNext(claim('b')), await harness.store.queue.claimNext(claim('c'))];
    expect(new Set(claimed.map((entry) => entry?.task.id)).size).toBe(3);
    expect(await harness.store.queue.claimNext(claim('d'))).toBeUndefined();
  });

  it('an expired lease is recovered and the task can be claimed again', async () => {
    const jobId = await harness.createJob({ taskCount: 1 });
    const first = await harness.store.queue.claimNext(claim('dead-worker'));
    expect(first).toBeDefined();

    clock.advance(leaseMs - 1);
    expect(await harness.store.queue.recoverExpiredLeases(clock.now(), 3)).toEqual({ requeued: 0, poisoned: 0 });
    clock.advance(2);
    expect(await harness.store.queue.recoverExpiredLeases(clock.now(), 3)).toEqual({ requeued: 1, poisoned: 0 });

    const second = await harness.store.queue.claimNext(claim('live-worker'));
    expect(second?.task.id).toBe(first?.task.id);
    expect(second?.task.leaseExpirations).toBe(1);
    expect(second?.leaseToken).not.toBe(first?.leaseToken);
    expect(await harness.taskStatuses(jobId)).toEqual({ running: 1 });
  });

  it('fences completion: a worker that lost its lease cannot complete, fail or release', async () => {
    const jobId = await harness.createJob({ taskCount: 1 });
    const stale = (await harness.store.queue.claimNext(claim('slow')))!;
    clock.advance(leaseMs + 1);
    await harness.store.queue.recoverExpiredLeases(clock.now(), 3);
    const owner = (await harness.store.queue.claimNext(claim('owner')))!;

    const image = { index: 0, fileKey: 'outputs/x.png', thumbnailKey: 'thumbnails/x.webp', mediaType: 'image/png', width: 8, height: 8, byteSize: 10, seed: 1 };
    const base = { taskId: stale.task.id, nowMs: clock.now(), images: [image], costUsd: 0.5, warnings: [], providerKey: 'scripted:scripted-model', maxConcurrency: 4 };
    expect(await harness.store.queue.completeTask({ ...base, leaseToken: stale.leaseToken })).toEqual({ accepted: false });
    expect(await harness.store.queue.renewLease(stale.task.id, stale.leaseToken, clock.now(), leaseMs)).toBe(false);
    expect(await harness.store.queue.releaseTask(stale.task.id, stale.leaseToken, clock.now())).toBe(false);
    expect(
      await harness.store.queue.setBackTask({
        taskId: stale.task.id,
        leaseToken: stale.leaseToken,
        nowMs: clock.now(),
        setback: { kind: 'end', status: 'failed', errorCode: 'provider_invalid', message: 'x' },
      }),
    ).toEqual({ accepted: false });
    expect(await harness.store.images.listImages({ jobId })).toHaveLength(0);
    expect((await harness.store.jobs.getJob(jobId))?.spentUsd).toBe(0);

    const outcome = await harness.store.queue.completeTask({ ...base, leaseToken: owner.leaseToken });
    expect(outcome.accepted).toBe(true);
    expect(outcome.finishedJob?.status).toBe('completed');
    expect(await harness.store.images.listImages({ jobId })).toHaveLength(1);
    expect((await harness.store.jobs.getJob(jobId))?.spentUsd).toBeCloseTo(0.5);
  });

  // The group commit's rules (isolation, stale tokens, event order, the finishing completion, statement
  // slices) are in the store contract suite (test/store/contract/task-queue.contract.test.ts), on both stores.
  it('group-commits a job\'s completions with SQLite\'s REAL spend added left to right: the same sum, to the last bit, as one update per completion', async () => {
    const jobId = await harness.createJob({ taskCount: 4 });
    const claimed = await harness.store.queue.claimMany(claim('a'), 4);
    expect(claimed).toHaveLength(4);
    const complete = (index: number, costUsd: number) => completeWithOneImage(claimed, index, costUsd);
    await Promise.all([complete(0, 0.1), complete(2, 0.7)]);
    expect((await harness.store.jobs.getJob(jobId))?.spentUsd).toBe(0.1 + 0.7);
    await Promise.all([complete(1, 0.2), complete(3, 0.3)]);
    expect((await harness.store.jobs.getJob(jobId))?.spentUsd).toBe(0.1 + 0.7 + 0.2 + 0.3);
  });

  it('a renewed lease does not expire', async () => {
    await harness.createJob({ taskCount: 1 });
    const claimed = (await harness.store.queue.claimNext(claim('a')))!;
    for (let round = 0; round < 5; round += 1) {
      clock.advance(leaseMs - 100);
      expect(await harness.store.queue.renewLease(claimed.task.id, claimed.leaseToken, clock.now(), leaseMs)).toBe(true);
      expect((await harness.store.queue.recoverExpiredLeases(clock.now(), 3)).requeued).toBe(0);
    }
  });

  it('fails a poison task after it took down workers maxLeaseExpirations times', async () => {
    const jobId = await harness.createJob({ taskCount: 2 });
    let poisonedTaskId: string | undefined;
    for (let death = 1; death <= 3; death += 1) {
      const claimed = (await harness.store.queue.claimNext(claim(`worker-${death}`)))!;
      poisonedTaskId ??= claimed.task.id;
      expect(claimed.task.id).toBe(poisonedTaskId);
      clock.advance(leaseMs + 1);
      const result = await harness.store.queue.recoverExpiredLeases(clock.now(), 3);
      expect(result).toEqual(death < 3 ? { requeued: 1, poisoned: 0 } : { requeued: 0, poisoned: 1 });
    }
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    const poisoned = tasks.find((task) => task.id === poisonedTaskId)!;
    expect(poisoned.status).toBe('failed');
    expect(poisoned.lastErrorCode).toBe('worker_lost');
    expect(poisoned.lastErrorMessage).toMatch(/3 times/);
    // The other task is unaffected and still runs.
    const next = await harness.store.queue.claimNext(claim('healthy'));
    expect(next?.task.id).not.toBe(poisonedTaskId);
  });

  it('a canceled job refuses a running worker\'s completion', async () => {
    const jobId = await harness.createJob({ taskCount: 2 });
    const claimed = (await harness.store.queue.claimNext(claim('a')))!;
    const job = await harness.store.control.cancelJob(jobId, clock.now());
    expect(job.status).toBe('canceled');
    expect(await harness.store.queue.renewLease(claimed.task.id, claimed.leaseToken, clock.now(), leaseMs)).toBe(false);
    const outcome = await harness.store.queue.completeTask({
      taskId: claimed.task.id,
      leaseToken: claimed.leaseToken,
      nowMs: clock.now(),
      images: [],
      costUsd: 0,
      warnings: [],
      providerKey: 'scripted:scripted-model',
      maxConcurrency: 4,
    });
    expect(outcome.accepted).toBe(false);
    expect(await harness.taskStatuses(jobId)).toEqual({ canceled: 2 });
    expect(await harness.store.queue.claimNext(claim('b'))).toBeUndefined();
  });
});
