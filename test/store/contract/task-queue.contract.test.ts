/**
 * The task queue's contract, written only against the `Store` port so every store adapter runs it
 * (DESIGN §9). The rules themselves are unit-tested in test/engine/{limits,scheduling,leases};
 * this proves an adapter reads the snapshot they need and writes their decisions faithfully.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionMode, JobPriority } from '../../../src/core/job.js';
import type { ClaimedTask, ClaimRequest, NewJobInput, ProviderLimitPolicy, Store } from '../../../src/engine/ports.js';
import { learnedRateView } from '../../../src/engine/learned-rate/learned-rate.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';

const startMs = 1_800_000_000_000;
const leaseMs = 60_000;

function policy(overrides: Partial<ProviderLimitPolicy> = {}): ProviderLimitPolicy {
  return { providerKey: 'p:m', providerId: 'p', requestsPerMinute: 0, maxConcurrency: 100, cooldownMs: 0, credentialFingerprint: 'key-1', ...overrides };
}

function claimRequest(nowMs: number, providers: ProviderLimitPolicy[] = [policy()]): ClaimRequest {
  return { nowMs, workerId: 'host:1:test', leaseMs, providers };
}

interface JobOptions {
  id: string;
  taskCount: number;
  priority?: JobPriority;
  execution?: ExecutionMode;
  budgetUsd?: number;
  createdAtMs?: number;
  taskCostUsd?: number;
  /** Images per task; default 1. */
  imageCount?: number;
  /** Every task's prompt; default `prompt <ordinal>`. */
  prompt?: string;
  referenceAssetIds?: string[];
  maskAssetId?: string;
}

async function createJob(store: Store, options: JobOptions): Promise<void> {
  const group = await store.groups.getOrCreateDefault();
  const createdAtMs = options.createdAtMs ?? startMs;
  const input: NewJobInput = {
    job: {
      id: options.id,
      mode: 'studio',
      groupId: group.id,
      name: options.id,
      provider: 'p',
      model: 'm',
      settings: { size: '1K', aspectRatio: '1:1', negativePrompt: undefined },
      lane: 'online',
      priority: options.priority ?? 'normal',
      execution: options.execution ?? 'parallel',
      budgetUsd: options.budgetUsd,
      estimatedCostUsd: options.taskCount * (options.taskCostUsd ?? 0.01),
      createdAtMs,
    },
    tasks: Array.from({ length: options.taskCount }, (_unused, ordinal) => ({
      id: `${options.id}-t${ordinal}`,
      key: `${options.id}-key-${ordinal}`,
      ordinal,
      prompt: options.prompt ?? `prompt ${ordinal}`,
      promptId: 'prompt-1',
      referenceAssetIds: options.referenceAssetIds ?? [],
      maskAssetId: options.maskAssetId,
      imageCount: options.imageCount ?? 1,
      seed: undefined,
      setIndex: 0,
      variables: {},
      estimatedCostUsd: options.taskCostUsd ?? 0.01,
      createdAtMs,
    })),
  };
  await store.jobs.createJob(input);
}

async function claimIds(store: Store, nowMs: number, maxTasks: number, providers?: ProviderLimitPolicy[]): Promise<string[]> {
  return (await store.queue.claimMany(claimRequest(nowMs, providers), maxTasks)).map((claimed) => claimed.task.id);
}

describe.each(storeFactoriesWithPostgres())('store contract: task queue ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function open(): Promise<Store> {
    opened = await factory.open({ now: () => startMs });
    return opened.store;
  }

  it('claims by priority, then takes turns between jobs of the same priority', async () => {
    const store = await open();
    await createJob(store, { id: 'bulk', taskCount: 3, priority: 'bulk', createdAtMs: startMs - 10 });
    await createJob(store, { id: 'big', taskCount: 5, createdAtMs: startMs - 5 });
    await createJob(store, { id: 'small', taskCount: 2, createdAtMs: startMs - 1 });
    expect(await claimIds(store, startMs, 1)).toEqual(['big-t0']);
    expect(await claimIds(store, startMs + 1, 1)).toEqual(['small-t0']);
    expect(await claimIds(store, startMs + 2, 1)).toEqual(['big-t1']);
    expect(await claimIds(store, startMs + 3, 1)).toEqual(['small-t1']);
    expect(await claimIds(store, startMs + 4, 4)).toEqual(['big-t2', 'big-t3', 'big-t4', 'bulk-t0']);
  });

  it('claims in one batch exactly what single claims at the same instant would', async () => {
    const build = async (): Promise<Store> => {
      const store = await factory.open({ now: () => startMs });
      await createJob(store.store, { id: 'a', taskCount: 4, createdAtMs: startMs - 3 });
      await createJob(store.store, { id: 'b', taskCount: 4, createdAtMs: startMs - 2 });
      await createJob(store.store, { id: 's', taskCount: 3, execution: 'sequential', createdAtMs: startMs - 1 });
      opened = store;
      return store.store;
    };
    const batched = await claimIds(await build(), startMs, 6);
    await opened?.cleanup();
    const single = await build();
    const oneByOne: string[] = [];
    for (let index = 0; index < 6; index += 1) oneByOne.push(...(await claimIds(single, startMs, 1)));
    expect(batched).toEqual(oneByOne);
    expect(batched).toHaveLength(6);
  });

  it('runs a sequential job one task at a time', async () => {
    const store = await open();
    await createJob(store, { id: 's', taskCount: 3, execution: 'sequential' });
    const [first] = await store.queue.claimMany(claimRequest(startMs), 3);
    expect(first?.task.id).toBe('s-t0');
    expect(await claimIds(store, startMs, 3)).toEqual([]);
    await store.queue.recordAttemptOutcome({
      taskId: first!.task.id,
      leaseToken: first!.leaseToken,
      nowMs: startMs + 1,
      outcome: { kind: 'completed', images: [], costUsd: 0.01, warnings: [], providerKey: 'p:m', maxConcurrency: 100 },
    });
    expect(await claimIds(store, startMs + 2, 3)).toEqual(['s-t1']);
  });

  it('holds the concurrency cap across claims', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 10 });
    expect(await claimIds(store, startMs, 10, [policy({ maxConcurrency: 3 })])).toHaveLength(3);
    expect(await claimIds(store, startMs + 1, 10, [policy({ maxConcurrency: 3 })])).toEqual([]);
  });

  it('holds the RPM window (a minute plus its margin) across claims', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 10 });
    const limited = [policy({ requestsPerMinute: 5 })];
    expect(await claimIds(store, startMs, 3, limited)).toHaveLength(3);
    expect(await claimIds(store, startMs + 1_000, 10, limited)).toHaveLength(2);
    expect(await claimIds(store, startMs + 60_749, 10, limited)).toEqual([]);
    expect(await claimIds(store, startMs + 60_750, 10, limited)).toHaveLength(3);
  });

  it('pauses a job at its budget when nothing is in flight, with the reason users see', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 5, budgetUsd: 0.1, taskCostUsd: 0.04 });
    const claimed = await store.queue.claimMany(claimRequest(startMs), 5);
    expect(claimed).toHaveLength(2);
    for (const task of claimed) {
      await store.queue.recordAttemptOutcome({
        taskId: task.task.id,
        leaseToken: task.leaseToken,
        nowMs: startMs + 1,
        outcome: { kind: 'completed', images: [], costUsd: 0.04, warnings: [], providerKey: 'p:m', maxConcurrency: 100 },
      });
    }
    expect(await claimIds(store, startMs + 2, 5)).toEqual([]);
    const job = await store.jobs.getJob('a');
    expect(job?.status).toBe('paused');
    expect(job?.statusReason).toBe('Budget reached: $0.0800 spent of $0.1000, and the next task would pass it. Raise the budget and resume to continue.');
  });

  it('writes the leases planned before a budget pause ahead of it, and the rest after, in one claim', async () => {
    const store = await open();
    await createJob(store, { id: 'cheap', taskCount: 3, createdAtMs: startMs - 2 });
    await createJob(store, { id: 'broke', taskCount: 2, budgetUsd: 0.01, taskCostUsd: 0.04, createdAtMs: startMs - 1 });
    const afterId = await store.events.lastEventId();
    const claimed = await store.queue.claimMany(claimRequest(startMs), 5);
    expect(claimed.map((task) => task.task.id)).toEqual(['cheap-t0', 'cheap-t1', 'cheap-t2']);
    expect(new Set(claimed.map((task) => task.leaseToken)).size).toBe(3);
    for (const task of claimed) expect(await store.jobs.getTask(task.task.id)).toMatchObject({ status: 'running', attempts: 0 });
    expect(await store.jobs.getJob('broke')).toMatchObject({ status: 'paused' });
    expect(await store.jobs.getJob('cheap')).toMatchObject({ status: 'processing' });
    const events = (await store.events.readEvents(afterId, {})).map((event) => `${event.type} ${event.taskId ?? event.jobId ?? ''}`);
    // The planner reached the broke job after cheap's first task: that lease lands before the pause.
    expect(events).toEqual(['job.started cheap', 'task.started cheap-t0', 'job.paused broke', 'task.started cheap-t1', 'task.started cheap-t2']);
  });

  describe('group commit: completions arriving in one turn share one transaction', () => {
    /** Completes the `index`th claimed task with one image of its own (same turn as its siblings when called together). */
    const completeOne = (store: Store, claimed: readonly ClaimedTask[], index: number, costUsd: number, leaseToken = claimed[index]!.leaseToken) =>
      store.queue.completeTask({
        taskId: claimed[index]!.task.id,
        leaseToken,
        nowMs: startMs + 10 + index,
        images: [{ index: 0, fileKey: `outputs/${index}.png`, thumbnailKey: `thumbnails/${index}.webp`, mediaType: 'image/png', width: 8, height: 8, byteSize: 10, seed: index }],
        costUsd,
        warnings: [],
        providerKey: 'p:m',
        maxConcurrency: 100,
      });

    it('spend summed, a stale token refused, events in order, the job finished by its last completion', async () => {
      const store = await open();
      await createJob(store, { id: 'a', taskCount: 4 });
      const claimed = await store.queue.claimMany(claimRequest(startMs), 4);
      expect(claimed).toHaveLength(4);
      const afterId = await store.events.lastEventId();
      const first = await Promise.all([completeOne(store, claimed, 0, 0.1), completeOne(store, claimed, 1, 0.2, 'not-the-lease'), completeOne(store, claimed, 2, 0.7)]);
      expect(first).toEqual([{ accepted: true }, { accepted: false }, { accepted: true }]);
      expect(await store.jobs.getTask('a-t1')).toMatchObject({ status: 'running' });
      expect((await store.jobs.getJob('a'))?.spentUsd).toBeCloseTo(0.8, 9);
      // The same task twice in one batch, a stale token first: only the lease holder's completion counts.
      const second = await Promise.all([completeOne(store, claimed, 1, 5, 'an-old-lease'), completeOne(store, claimed, 1, 0.2), completeOne(store, claimed, 3, 0.3)]);
      expect(second.map((outcome) => outcome.accepted)).toEqual([false, true, true]);
      expect(second[1]?.finishedJob).toBeUndefined();
      expect(second[2]?.finishedJob?.status).toBe('completed');
      expect((await store.jobs.getJob('a'))?.spentUsd).toBeCloseTo(1.3, 9);
      const images = await store.images.listImages({ jobId: 'a' });
      expect(images.map((image) => image.taskId).sort()).toEqual(['a-t0', 'a-t1', 'a-t2', 'a-t3']);
      const events = await store.events.readEvents(afterId, { jobId: 'a' });
      expect(events.map((event) => `${event.type} ${event.taskId ?? ''}`)).toEqual(['task.completed a-t0', 'task.completed a-t2', 'task.completed a-t1', 'task.completed a-t3', 'job.finished ']);
    });

    it('one failing completion leaves the others of its batch committed', async () => {
      const store = await open();
      await createJob(store, { id: 'a', taskCount: 3 });
      const claimed = await store.queue.claimMany(claimRequest(startMs), 3);
      // A NaN cost is refused by the job's spend column on every store.
      const outcomes = await Promise.allSettled([completeOne(store, claimed, 0, 0.1), completeOne(store, claimed, 1, Number.NaN), completeOne(store, claimed, 2, 0.2)]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await Promise.all(['a-t0', 'a-t1', 'a-t2'].map((id) => store.jobs.getTask(id)))).map((task) => task?.status)).toEqual(['completed', 'running', 'completed']);
      expect(await store.images.listImages({ jobId: 'a' })).toHaveLength(2);
      expect((await store.jobs.getJob('a'))?.spentUsd).toBeCloseTo(0.3, 9);
    });

    it('more completions in one turn than one statement slice (500): every one recorded, the job finished once', async () => {
      const store = await open();
      const taskCount = 520;
      await createJob(store, { id: 'big', taskCount });
      const claimed = await store.queue.claimMany(claimRequest(startMs, [policy({ maxConcurrency: taskCount })]), taskCount);
      expect(claimed).toHaveLength(taskCount);
      const outcomes = await Promise.all(claimed.map((_, index) => completeOne(store, claimed, index, 0.01)));
      expect(outcomes.every((outcome) => outcome.accepted)).toBe(true);
      expect(outcomes.filter((outcome) => outcome.finishedJob !== undefined)).toHaveLength(1);
      expect(outcomes.at(-1)?.finishedJob?.status).toBe('completed');
      expect(await store.images.listImages({ jobId: 'big', limit: 1_000 })).toHaveLength(taskCount);
      expect((await store.jobs.getJob('big'))?.spentUsd).toBeCloseTo(5.2, 9);
    });
  });

  it('records a 429 with the setback in one write: hold, halved concurrency, no attempt used', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 3 });
    const [claimed] = await store.queue.claimMany(claimRequest(startMs), 1);
    const untilMs = startMs + 30_000;
    const outcome = await store.queue.recordAttemptOutcome({
      taskId: claimed!.task.id,
      leaseToken: claimed!.leaseToken,
      nowMs: startMs + 1,
      outcome: {
        kind: 'setback',
        setback: { kind: 'retry', availableAtMs: untilMs, countsAsAttempt: false, errorCode: 'provider_rate_limited', message: 'slow down' },
        rateLimited: { providerKey: 'p:m', untilMs, maxConcurrency: 8 },
      },
    });
    expect(outcome.accepted).toBe(true);
    expect((await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m')).toMatchObject({ nextRequestAtMs: untilMs, concurrencyLimit: 4 });
    expect(await store.jobs.getTask(claimed!.task.id)).toMatchObject({ status: 'queued', attempts: 0, availableAtMs: untilMs });
    expect(await claimIds(store, untilMs - 1, 3)).toEqual([]);
    expect(await claimIds(store, untilMs, 1)).toEqual(['a-t0']);
  });

  it('keeps a learned rate per key (auto): paces claims on it, feeds it successes and 429s, shares it with every reader', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 5 });
    const learned = [policy({ learnedRate: true })];
    // Nothing learned: the first start is free, the next waits for the pace's slot (10/min at first).
    const [first] = await store.queue.claimMany(claimRequest(startMs, learned), 5);
    expect(first?.task.id).toBe('a-t0');
    expect(await claimIds(store, startMs + 5_999, 5, learned)).toEqual([]);
    expect(await store.queue.nextAvailableAtMs(startMs + 1)).toBe(startMs + 6_000);
    expect(await store.queue.startRequest(learned[0]!, startMs + 1)).toEqual({ started: false, retryAtMs: startMs + 6_000 });
    await store.queue.recordAttemptOutcome({
      taskId: first!.task.id,
      leaseToken: first!.leaseToken,
      nowMs: startMs + 3_000,
      outcome: { kind: 'completed', images: [], costUsd: 0.01, warnings: [], providerKey: 'p:m', maxConcurrency: 100 },
    });
    const [second] = await store.queue.claimMany(claimRequest(startMs + 6_000, learned), 5);
    expect(second?.task.id).toBe('a-t1');
    // A 429 with a retry delay: the controller cuts and nothing starts inside the delay; no hold or halving is written.
    await store.queue.recordAttemptOutcome({
      taskId: second!.task.id,
      leaseToken: second!.leaseToken,
      nowMs: startMs + 7_000,
      outcome: {
        kind: 'setback',
        setback: { kind: 'retry', availableAtMs: startMs + 7_000, countsAsAttempt: false, errorCode: 'provider_rate_limited', message: 'slow down' },
        rateLimited: { providerKey: 'p:m', untilMs: startMs + 37_000, maxConcurrency: 100, learnedRate: true, startedAtMs: startMs + 6_000, retryAfterMs: 30_000, quotaDimension: 'requests-per-minute' },
      },
    });
    const view = (await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m');
    expect(view).toMatchObject({ nextRequestAtMs: 0, concurrencyLimit: undefined });
    const learnedView = view?.learnedRateState && learnedRateView(view.learnedRateState, startMs + 7_000);
    expect(learnedView?.phase).toBe('learned');
    expect(learnedView?.estimatedPerMinute['requests-per-minute']).toBeGreaterThan(0);
    expect(learnedView?.pausedUntilMs).toBe(startMs + 37_000);
    expect(await claimIds(store, startMs + 36_999, 5, learned)).toEqual([]);
    expect(await claimIds(store, startMs + 37_000, 5, learned)).toHaveLength(1);
  });

  it('charges a learned key what the claimed task asks for (its images, its prompt and reference sizes) and counts a 429 with it', async () => {
    const store = await open();
    await store.assets.upsertAsset({ id: 'ref-large', sha256: 'a'.repeat(64), mediaType: 'image/png', width: 1024, height: 1024, byteSize: 1, originalName: 'large.png', createdAtMs: startMs, blobKey: 'assets/aa/large.png' });
    await store.assets.upsertAsset({ id: 'mask-small', sha256: 'b'.repeat(64), mediaType: 'image/png', width: 300, height: 200, byteSize: 1, originalName: 'mask.png', createdAtMs: startMs, blobKey: 'assets/bb/mask.png' });
    await createJob(store, { id: 'a', taskCount: 2, imageCount: 4, prompt: 'x'.repeat(400), referenceAssetIds: ['ref-large', 'ref-large'], maskAssetId: 'mask-small' });
    const estimate = { charactersPerToken: 4, tokensPerImageTile: 258, imageTileSizePx: 768, smallImageMaxPx: 384 };
    const learned = [policy({ learnedRate: true, inputTokenEstimate: estimate })];
    const [claimed] = await store.queue.claimMany(claimRequest(startMs, learned), 5);
    // 400 characters = 100 tokens; the large reference twice at 4 tiles, the small mask 1 tile.
    expect(claimed?.requestUsage).toEqual({ images: 4, inputTokens: 100 + 9 * 258 });
    const startedState = (await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m')?.learnedRateState;
    expect(startedState?.usage.map((bucket) => bucket.started)).toEqual([{ requests: 1, images: 4, inputTokens: 100 + 9 * 258 }]);
    await store.queue.recordAttemptOutcome({
      taskId: claimed!.task.id,
      leaseToken: claimed!.leaseToken,
      nowMs: startMs + 2_000,
      outcome: {
        kind: 'setback',
        setback: { kind: 'retry', availableAtMs: startMs + 2_000, countsAsAttempt: false, errorCode: 'provider_rate_limited', message: 'slow down' },
        rateLimited: { providerKey: 'p:m', untilMs: startMs + 2_000, maxConcurrency: 100, learnedRate: true, startedAtMs: startMs, quotaDimension: 'images-per-minute', usage: claimed!.requestUsage },
      },
    });
    const refusedState = (await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m')?.learnedRateState;
    expect(refusedState?.usage.map((bucket) => bucket.refused)).toEqual([{ requests: 1, images: 4, inputTokens: 100 + 9 * 258 }]);
    expect(refusedState?.dimensions['images-per-minute']).toBeDefined();
    // A key whose rate is not learned reads and charges no usage.
    const [fixed] = await store.queue.claimMany(claimRequest(startMs + 60_000), 5);
    expect(fixed?.requestUsage).toBeUndefined();
  });

  it('spreads a user-set rate evenly when asked (one start per 60 s ÷ rate), keeping the RPM window, on a shared schedule', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 5 });
    const even = [policy({ requestsPerMinute: 3, evenPacing: true })];
    expect(await claimIds(store, startMs, 5, even)).toEqual(['a-t0']);
    // (60 000 + 50 late-start tolerance + 750 arrival margin) ÷ 3 = 20 266.7 ms: the next slot, rounded up.
    expect(await claimIds(store, startMs + 20_266, 5, even)).toEqual([]);
    expect(await store.queue.nextAvailableAtMs(startMs + 1)).toBe(startMs + 20_267);
    expect(await store.queue.startRequest(even[0]!, startMs + 1)).toEqual({ started: false, retryAtMs: startMs + 20_267 });
    expect(await claimIds(store, startMs + 20_267, 5, even)).toEqual(['a-t1']);
    const view = (await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m');
    expect(view?.learnedRateState?.settings.ceilingRequestsPerMinute).toBe(3);
    expect(view?.learnedRateState?.dimensions).toEqual({});
    // Without the flag, the window alone: what the minute has left (one more) starts at once.
    expect(await claimIds(store, startMs + 20_268, 5, [policy({ requestsPerMinute: 3 })])).toEqual(['a-t2']);
  });

  it('pauses the provider and gives the task back in one write; the pause lifts when the credentials change', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 2 });
    const [claimed] = await store.queue.claimMany(claimRequest(startMs), 1);
    const outcome = await store.queue.recordAttemptOutcome({
      taskId: claimed!.task.id,
      leaseToken: claimed!.leaseToken,
      nowMs: startMs + 1,
      outcome: { kind: 'provider-paused', pause: { scopeKey: 'p', reason: 'key refused', untilMs: undefined, credentialFingerprint: 'key-1' } },
    });
    expect(outcome.accepted).toBe(true);
    expect(await store.jobs.getTask(claimed!.task.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await claimIds(store, startMs + 2, 2)).toEqual([]);
    expect(await claimIds(store, startMs + 3, 1, [policy({ credentialFingerprint: 'key-2' })])).toEqual(['a-t0']);
    expect((await store.queue.providerStates()).find((state) => state.scopeKey === 'p')?.pausedReason).toBeUndefined();
  });

  it('fences every task write by the lease token, but still records what the provider said', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 1 });
    const [claimed] = await store.queue.claimMany(claimRequest(startMs), 1);
    const stale = { taskId: claimed!.task.id, leaseToken: 'not-the-lease', nowMs: startMs + 1 };
    expect(await store.queue.recordAttemptOutcome({ ...stale, outcome: { kind: 'released' } })).toEqual({ accepted: false });
    expect(
      await store.queue.recordAttemptOutcome({
        ...stale,
        outcome: { kind: 'completed', images: [], costUsd: 1, warnings: [], providerKey: 'p:m', maxConcurrency: 100 },
      }),
    ).toEqual({ accepted: false });
    const paused = await store.queue.recordAttemptOutcome({
      ...stale,
      outcome: { kind: 'provider-paused', pause: { scopeKey: 'p:m', reason: 'daily quota', untilMs: startMs + 3_600_000, credentialFingerprint: undefined } },
    });
    expect(paused.accepted).toBe(false);
    expect(await store.jobs.getTask(claimed!.task.id)).toMatchObject({ status: 'running' });
    expect((await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m')?.pausedReason).toBe('daily quota');
  });

  it('requeues the tasks of lost workers and fails a task that keeps losing them (poison)', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 1 });
    let nowMs = startMs;
    for (let death = 1; death <= 2; death += 1) {
      expect(await claimIds(store, nowMs, 1)).toEqual(['a-t0']);
      nowMs += leaseMs + 1;
      expect(await store.queue.recoverExpiredLeases(nowMs, 3)).toEqual({ requeued: 1, poisoned: 0 });
    }
    expect(await claimIds(store, nowMs, 1)).toEqual(['a-t0']);
    nowMs += leaseMs + 1;
    expect(await store.queue.recoverExpiredLeases(nowMs, 3)).toEqual({ requeued: 0, poisoned: 1 });
    expect(await store.jobs.getTask('a-t0')).toMatchObject({ status: 'failed', lastErrorCode: 'worker_lost', leaseExpirations: 3 });
  });

  it('lifts a timed pause when its time is up, and wakes the idle engine then', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 2 });
    const [claimed] = await store.queue.claimMany(claimRequest(startMs), 1);
    const untilMs = startMs + 3_600_000;
    await store.queue.recordAttemptOutcome({
      taskId: claimed!.task.id,
      leaseToken: claimed!.leaseToken,
      nowMs: startMs + 1,
      outcome: { kind: 'provider-paused', pause: { scopeKey: 'p:m', reason: 'daily quota', untilMs, credentialFingerprint: undefined } },
    });
    expect(await store.queue.nextAvailableAtMs(startMs + 2)).toBe(untilMs);
    expect(await claimIds(store, untilMs - 1, 2)).toEqual([]);
    expect(await claimIds(store, untilMs, 2)).toEqual(['a-t0', 'a-t1']);
    expect((await store.queue.providerStates()).find((state) => state.scopeKey === 'p:m')?.pausedReason).toBeUndefined();
  });

  it('starts a request outside a claim under the same limits, or says when to ask again', async () => {
    const store = await open();
    const limited = policy({ requestsPerMinute: 2 });
    expect(await store.queue.startRequest(limited, startMs)).toEqual({ started: true });
    expect(await store.queue.startRequest(limited, startMs + 10)).toEqual({ started: true });
    expect(await store.queue.startRequest(limited, startMs + 20)).toEqual({ started: false, retryAtMs: startMs + 60_751 });
    // A claim sees the same window.
    await createJob(store, { id: 'a', taskCount: 1 });
    expect(await claimIds(store, startMs + 30, 1, [limited])).toEqual([]);
  });

  it('takes back at once the tasks of workers known to be gone, counting each toward the poison limit', async () => {
    const store = await open();
    await createJob(store, { id: 'a', taskCount: 2 });
    await store.queue.claimMany(claimRequest(startMs), 2);
    expect(await store.queue.leaseOwners()).toEqual([{ owner: 'host:1:test', taskCount: 2 }]);
    expect(await store.queue.reclaimLeases(['host:1:test'], startMs + 1, 3)).toEqual({ requeued: 2, poisoned: 0 });
    expect(await store.jobs.getTask('a-t0')).toMatchObject({ status: 'queued', leaseExpirations: 1, lastErrorCode: 'worker_lost' });
    expect(await store.queue.leaseOwners()).toEqual([]);
  });
});
