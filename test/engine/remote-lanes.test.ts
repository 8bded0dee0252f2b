/**
 * Engine support for remote jobs and the batch lane: tasks waiting on a remote job leave the call
 * slots, batch-lane jobs have their own limits, a remote job that ends without a result is
 * resubmitted (or retried online under the online limits), and a stop or restart re-attaches
 * instead of paying again.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { aspectRatios, imageSizes } from '../../src/core/image-size.js';
import type { Lane } from '../../src/core/job.js';
import { providerError, type GenerateRequest, type GenerateResult, type ImageProvider, type ModelCapabilities, type RemotePollResult } from '../../src/providers/contract.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { tinyPng } from '../support/scripted-provider.js';

/** A provider with both lanes whose remote side each test scripts. */
class RemoteScriptedProvider implements ImageProvider {
  readonly id = 'remote';
  readonly displayName = 'Remote test provider';
  readonly remoteLanes: readonly Lane[] = ['batch'];
  readonly generated: GenerateRequest[] = [];
  readonly submitted: GenerateRequest[] = [];
  readonly polled: string[] = [];
  readonly canceled: string[] = [];
  /** What poll says for a handle; default pending. */
  pollScript: (handle: string) => Promise<RemotePollResult> = () => Promise.resolve({ state: 'pending' });
  generateScript: (request: GenerateRequest) => Promise<GenerateResult> = async (request) => image(request);
  private readonly model: ModelCapabilities = {
    modelId: 'remote-model',
    displayName: 'Remote',
    description: 'test',
    maxReferenceImages: 4,
    seedSupport: 'best-effort',
    sizes: imageSizes,
    aspectRatios,
    supportsMask: false,
    supportsLora: false,
    supportsNegativePrompt: false,
    supportsStrength: false,
    maxImagesPerCall: 1,
    lanes: ['online', 'batch'],
    pricePerImageUsd: Object.fromEntries(imageSizes.map((size) => [size, { online: 0.02, batch: 0.01 }])),
    typicalLatencyMs: 10,
  };

  models(): readonly ModelCapabilities[] {
    return [this.model];
  }

  credentialFingerprint(): string | undefined {
    return undefined;
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    this.generated.push(request);
    return this.generateScript(request);
  }

  submit(request: GenerateRequest): Promise<string> {
    this.submitted.push(request);
    return Promise.resolve(`remote-job-${this.submitted.length}?key=${request.taskKey ?? ''}`);
  }

  poll(handle: string): Promise<RemotePollResult> {
    this.polled.push(handle);
    return this.pollScript(handle);
  }

  cancel(handle: string): Promise<void> {
    this.canceled.push(handle);
    return Promise.resolve();
  }
}

let png: Uint8Array | undefined;
async function image(_request: GenerateRequest): Promise<GenerateResult> {
  png ??= await tinyPng();
  return { images: [{ bytes: png, mediaType: 'image/png', width: 8, height: 8 }], warnings: [] };
}

async function createLaneJob(harness: EngineHarness, lane: Lane, taskCount: number): Promise<string> {
  const group = await harness.store.groups.getOrCreateDefault();
  const jobId = randomUUID();
  const nowMs = Date.now();
  await harness.store.jobs.createJob({
    job: {
      id: jobId,
      mode: 'studio',
      groupId: group.id,
      name: `${lane} job`,
      provider: 'remote',
      model: 'remote-model',
      settings: { size: '1K', aspectRatio: '1:1' },
      lane,
      priority: 'normal',
      execution: 'parallel',
      budgetUsd: undefined,
      estimatedCostUsd: 0,
      createdAtMs: nowMs,
    },
    tasks: Array.from({ length: taskCount }, (_, ordinal) => ({
      id: randomUUID(),
      key: `${jobId}:${ordinal}`,
      ordinal,
      prompt: `prompt ${ordinal}`,
      promptId: 'p',
      referenceAssetIds: [],
      maskAssetId: undefined,
      imageCount: 1,
      seed: ordinal,
      setIndex: 0,
      variables: {},
      estimatedCostUsd: 0,
      createdAtMs: nowMs,
    })),
  });
  harness.engine.wake();
  return jobId;
}

describe('engine: remote jobs and the batch lane', () => {
  let harness: EngineHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('lets tasks waiting on a remote job out of the call slots, so a batch gathers more than maxInFlight requests', async () => {
    const provider = new RemoteScriptedProvider();
    harness = await createEngineHarness({ providers: [provider], settings: { maxInFlight: 2 }, limits: { maxConcurrency: 50 } });
    harness.engine.start();
    await createLaneJob(harness, 'batch', 12);
    await waitFor(() => provider.submitted.length === 12, 10_000, 'all 12 batch requests submitted');
    expect(harness.engine.remoteWaitCount).toBe(12);
    // The task key reaches the provider, to key the remote request.
    expect(provider.submitted.map((request) => request.taskKey)).toEqual(expect.arrayContaining([expect.stringMatching(/:0$/), expect.stringMatching(/:11$/)]));
    const running = await harness.store.jobs.listTasks((await harness.store.jobs.listJobs({}))[0]!.id, { statuses: ['running'] });
    expect(running.every((task) => task.remoteHandle?.startsWith('remote-job-'))).toBe(true);
  });

  it('keeps batch-lane limits apart: an online job of the same model runs while its batch tasks wait', async () => {
    const provider = new RemoteScriptedProvider();
    // One call at a time for the model online; the batch tasks must not take that slot.
    harness = await createEngineHarness({ providers: [provider], settings: { maxInFlight: 4 }, limits: { maxConcurrency: 1 } });
    harness.engine.start();
    await createLaneJob(harness, 'batch', 1);
    await waitFor(() => provider.submitted.length === 1, 10_000, 'the batch request submitted');
    const onlineJob = await createLaneJob(harness, 'online', 3);
    await waitFor(async () => (await harness!.taskStatuses(onlineJob)).completed === 3, 10_000, 'the online job done');
    expect(provider.generated).toHaveLength(3);
    expect(provider.submitted).toHaveLength(1);
  });

  it('uses generate for lanes the provider does not run remotely', async () => {
    const provider = new RemoteScriptedProvider();
    harness = await createEngineHarness({ providers: [provider] });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'online', 2);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).completed === 2, 10_000, 'the online job done');
    expect(provider.submitted).toHaveLength(0);
    expect(provider.generated).toHaveLength(2);
  });

  it('completes from the remote result and records the batch price', async () => {
    const provider = new RemoteScriptedProvider();
    provider.pollScript = async () => ({ state: 'done', result: await image({} as GenerateRequest) });
    harness = await createEngineHarness({ providers: [provider] });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 3);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).completed === 3, 10_000, 'the batch job done');
    expect((await harness.store.jobs.getJob(jobId))?.spentUsd).toBeCloseTo(0.03, 9);
    expect(provider.generated).toHaveLength(0);
  });

  it('forgets the handle of a remote job that ended without a result and submits the request again', async () => {
    const provider = new RemoteScriptedProvider();
    provider.pollScript = async (handle) =>
      handle.startsWith('remote-job-1?')
        ? { state: 'failed', error: providerError('transient', 'batch expired') }
        : { state: 'done', result: await image({} as GenerateRequest) };
    harness = await createEngineHarness({ providers: [provider], settings: { retryBaseMs: 1, retryMaxMs: 5 } });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 1);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).completed === 1, 10_000, 'the task done');
    expect(provider.submitted).toHaveLength(2);
    const [task] = await harness.store.jobs.listTasks(jobId, {});
    expect(task?.attempts).toBe(1);
    expect(task?.remoteHandle).toMatch(/^remote-job-2\?/);
  });

  it('ends a task whose remote request was blocked, without resubmitting it', async () => {
    const provider = new RemoteScriptedProvider();
    provider.pollScript = () => Promise.resolve({ state: 'failed', error: providerError('blocked', 'IMAGE_SAFETY') });
    harness = await createEngineHarness({ providers: [provider] });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 1);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).blocked === 1, 10_000, 'the task blocked');
    expect(provider.submitted).toHaveLength(1);
  });

  it('retries a failed remote request online when the provider says so, keeping that choice on the task', async () => {
    const provider = new RemoteScriptedProvider();
    provider.pollScript = () => Promise.resolve({ state: 'failed', error: providerError('transient', 'batch expired'), resubmitOnline: true });
    harness = await createEngineHarness({ providers: [provider], settings: { retryBaseMs: 1, retryMaxMs: 5 } });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 2);
    await waitFor(async () => (await harness!.taskStatuses(jobId)).completed === 2, 10_000, 'both tasks done online');
    expect(provider.submitted).toHaveLength(2);
    expect(provider.generated).toHaveLength(2);
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    expect(tasks.map((task) => [task.runOnline, task.remoteHandle])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
  });

  it('holds an online retry of a batch request to the online limits (a rate-limit hold), without using an attempt', async () => {
    const provider = new RemoteScriptedProvider();
    provider.pollScript = () => Promise.resolve({ state: 'failed', error: providerError('transient', 'batch expired'), resubmitOnline: true });
    harness = await createEngineHarness({ providers: [provider], settings: { retryBaseMs: 1, retryMaxMs: 5 } });
    const nowMs = Date.now();
    await harness.store.queue.recordRateLimited({ providerKey: 'remote:remote-model', nowMs, untilMs: nowMs + 60_000, maxConcurrency: 8 });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 1);
    await waitFor(async () => (await harness!.store.jobs.listTasks(jobId, {}))[0]?.lastErrorCode === 'provider_rate_limited', 10_000, 'the online retry deferred');
    const [task] = await harness.store.jobs.listTasks(jobId, {});
    expect(task?.status).toBe('queued');
    expect(task?.runOnline).toBe(true);
    expect(task?.remoteHandle).toBeUndefined();
    expect(task?.availableAtMs).toBeGreaterThanOrEqual(nowMs + 59_000);
    // The batch failure used one attempt; waiting for the online slot used none.
    expect(task?.attempts).toBe(1);
    expect(provider.generated).toHaveLength(0);
  });

  it('on stop, releases tasks that only poll at once, keeping their handles; the next engine re-attaches without submitting', async () => {
    const provider = new RemoteScriptedProvider();
    harness = await createEngineHarness({ providers: [provider], settings: { shutdownGraceMs: 60_000 } });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 3);
    await waitFor(() => provider.submitted.length === 3 && harness!.engine.remoteWaitCount === 3, 10_000, 'three requests waiting');
    // The grace period is a minute; polling tasks must not wait for it.
    await harness.engine.stop();
    const tasks = await harness.store.jobs.listTasks(jobId, {});
    expect(tasks.map((task) => task.status)).toEqual(['queued', 'queued', 'queued']);
    expect(tasks.every((task) => task.remoteHandle?.startsWith('remote-job-'))).toBe(true);

    const restarted = new RemoteScriptedProvider();
    restarted.pollScript = async () => ({ state: 'done', result: await image({} as GenerateRequest) });
    const second = await createEngineHarness({ providers: [restarted], store: harness.store, directory: harness.directory });
    try {
      second.engine.start();
      await waitFor(async () => (await second.taskStatuses(jobId)).completed === 3, 10_000, 'the restarted engine done');
      expect(restarted.submitted).toHaveLength(0);
      expect(new Set(restarted.polled)).toEqual(new Set(tasks.map((task) => task.remoteHandle)));
    } finally {
      await second.engine.stop(0);
    }
  });

  it('cancels the remote request submitted during the attempt when its job is canceled', async () => {
    const provider = new RemoteScriptedProvider();
    harness = await createEngineHarness({ providers: [provider] });
    harness.engine.start();
    const jobId = await createLaneJob(harness, 'batch', 1);
    await waitFor(() => harness!.engine.remoteWaitCount === 1, 10_000, 'the request waiting');
    await harness.engine.cancelJob(jobId);
    await waitFor(() => provider.canceled.length === 1, 10_000, 'the remote request canceled');
    expect(provider.canceled).toEqual(['remote-job-1?key=' + provider.submitted[0]!.taskKey]);
  });
});

describe('queue: starting one request outside a claim', () => {
  let harness: EngineHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('counts the start against the RPM window and says when the window frees a slot', async () => {
    harness = await createEngineHarness({ providers: [new RemoteScriptedProvider()] });
    const policy = { providerKey: 'remote:remote-model', providerId: 'remote', requestsPerMinute: 2, maxConcurrency: 4, cooldownMs: 0, credentialFingerprint: undefined };
    const startMs = 1_700_000_000_000;
    expect(await harness.store.queue.startRequest(policy, startMs)).toEqual({ started: true });
    expect(await harness.store.queue.startRequest(policy, startMs + 1_000)).toEqual({ started: true });
    const refused = await harness.store.queue.startRequest(policy, startMs + 2_000);
    expect(refused.started).toBe(false);
    // The first start leaves the 60.75 s window just after startMs + 60,750.
    expect(refused.started ? 0 : refused.retryAtMs).toBe(startMs + 60_751);
    expect(await harness.store.queue.startRequest(policy, startMs + 60_751)).toEqual({ started: true });
  });
});
