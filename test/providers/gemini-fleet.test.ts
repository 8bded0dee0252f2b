/**
 * The Gemini provider through the real engine (`createFleet` with `GEMINI_BASE_URL` pointing at
 * the fake): a 200-image job through injected 503s and a per-minute quota with nothing lost or
 * paid twice; the daily quota and a bad key pausing instead of failing; and the batch lane —
 * one batch for a job, a restart that re-attaches instead of paying again, expired batches
 * resubmitted in a new batch or online, and cancel.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { startFakeGeminiServer, type FakeGeminiServer, type FakeGeminiServerOptions } from '../fakes/gemini/fake-gemini-server.js';
import { waitFor } from '../support/engine-harness.js';
import { makeTempDir } from '../support/temp-dir.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { canaryApiKey } from './gemini/gemini-test-kit.js';

interface Setup {
  fake: FakeGeminiServer;
  dataDir: string;
  logger: RecordingLogger;
  open(environment?: Record<string, string>): Promise<Fleet>;
}

describe('Gemini through the engine', () => {
  let setup: Setup;
  const fleets: Fleet[] = [];
  let cleanupDirectory: () => Promise<void>;

  async function prepare(fakeOptions: FakeGeminiServerOptions = {}): Promise<Setup> {
    const fake = await startFakeGeminiServer(fakeOptions);
    const temp = await makeTempDir();
    cleanupDirectory = temp.cleanup;
    const logger = new RecordingLogger();
    setup = {
      fake,
      dataDir: temp.directory,
      logger,
      async open(environment = {}) {
        const config = loadConfig({
          IMAGEFLEET_DATA_DIR: temp.directory,
          IMAGEFLEET_IDLE_POLL_MS: '20',
          IMAGEFLEET_RETRY_BASE_MS: '20',
          IMAGEFLEET_RETRY_MAX_MS: '200',
          IMAGEFLEET_MAX_ATTEMPTS: '10',
          IMAGEFLEET_SHUTDOWN_GRACE_MS: '5000',
          GEMINI_API_KEY: canaryApiKey,
          GEMINI_BASE_URL: fake.baseUrl,
          GEMINI_RPM: '0',
          GEMINI_CONCURRENCY: '8',
          GEMINI_BATCH_GATHER_MS: '150',
          GEMINI_BATCH_POLL_MS: '20',
          ...environment,
        });
        const fleet = await createFleet(config, { logger });
        fleets.push(fleet);
        return fleet;
      },
    };
    return setup;
  }

  beforeEach(() => {
    fleets.length = 0;
  });
  afterEach(async () => {
    for (const fleet of fleets) await fleet.stop();
    await setup.fake.close();
    for (const line of setup.logger.lines) expect(line).not.toContain(canaryApiKey);
    await cleanupDirectory();
  });

  async function importReferences(fleet: Fleet, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: (index * 37) % 256, g: (index * 91) % 256, b: 120 } } }).png().toBuffer();
      ids.push((await fleet.importAsset(new Uint8Array(png), `reference-${index}.png`)).id);
    }
    return ids;
  }

  async function finished(fleet: Fleet, jobId: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => ['completed', 'failed', 'canceled'].includes((await fleet.store.jobs.getJob(jobId))?.status ?? ''), timeoutMs, `job ${jobId} to finish`);
  }

  it('completes a 200-image job through 10% injected 503s and a per-minute quota, losing none and paying none twice', { timeout: 180_000 }, async () => {
    // The quota's window is one second here so the run stays short; the engine only knows what the 429s say.
    await prepare({ unavailableRate: 0.1, seed: 7, quota: { requestsPerWindow: 40, windowMs: 1000 } });
    const fleet = await setup.open();
    const references = await importReferences(fleet, 20);
    const { job } = await fleet.submitJob({
      mode: 'automatic',
      provider: 'gemini',
      model: 'nano-banana-2',
      settings: { size: '512', aspectRatio: '1:1' },
      referenceAssetIds: references,
      prompt: 'the product on a sunny windowsill',
      variationsPerImage: 10,
      seed: 1,
    });
    fleet.start();
    await finished(fleet, job!.id, 170_000);

    const done = await fleet.store.jobs.getJob(job!.id);
    expect(done?.status).toBe('completed');
    expect(await fleet.store.jobs.taskCounts(job!.id)).toMatchObject({ completed: 200, failed: 0, queued: 0, running: 0 });
    expect(await fleet.store.images.listImages({ jobId: job!.id, limit: 1000 })).toHaveLength(200);

    const online = setup.fake.generateCalls.filter((call) => call.source === 'online');
    expect(online.filter((call) => call.reply === 'unavailable').length).toBeGreaterThan(5);
    expect(online.filter((call) => call.reply === 'quota').length).toBeGreaterThan(0);
    // Paid once per image: 200 billed replies, one per seed (seeds 1..200).
    const billed = online.filter((call) => call.billed);
    expect(billed).toHaveLength(200);
    expect(new Set(billed.map((call) => call.seed)).size).toBe(200);
    // 747 image tokens at $60/M per image; the estimate used the table's $0.045.
    expect(done?.spentUsd).toBeCloseTo(200 * 0.04482, 6);
    expect(done?.estimatedCostUsd).toBeCloseTo(9, 6);
  });

  it('pauses the model until midnight Pacific when the daily quota is used up, and fails nothing', async () => {
    await prepare({ dailyLimit: 2 });
    const fleet = await setup.open();
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'gemini', model: 'nano-banana', items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 5 }] }], batchSize: 1 });
    fleet.start();
    await waitFor(async () => (await fleet.store.queue.providerStates()).some((state) => state.scopeKey === 'gemini:nano-banana' && state.pausedReason !== undefined), 20_000, 'the model paused');
    const state = (await fleet.store.queue.providerStates()).find((candidate) => candidate.scopeKey === 'gemini:nano-banana');
    expect(state?.pausedReason).toMatch(/daily quota/);
    expect(state?.pausedUntilMs).toBeGreaterThan(Date.now());
    expect(state?.pausedUntilMs).toBeLessThanOrEqual(Date.now() + 25 * 3_600_000 + 60_000);
    await waitFor(async () => (await fleet.store.jobs.taskCounts(job!.id)).running === 0, 10_000, 'nothing running');
    expect(await fleet.store.jobs.taskCounts(job!.id)).toMatchObject({ completed: 2, queued: 3, failed: 0 });
    expect((await fleet.health()).providers.find((provider) => provider.id === 'gemini')?.pausedReason).toMatch(/daily quota/);
  });

  it('pauses the whole provider on a refused key, and resumes when the key changes', async () => {
    await prepare({ apiKeys: ['the-right-key'] });
    const first = await setup.open();
    const { job } = await first.submitJob({ mode: 'studio', provider: 'gemini', model: 'nano-banana-pro', items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 3 }] }], batchSize: 1 });
    first.start();
    await waitFor(async () => (await first.store.queue.providerStates()).some((state) => state.scopeKey === 'gemini' && state.pausedReason !== undefined), 20_000, 'the provider paused');
    await waitFor(async () => (await first.store.jobs.taskCounts(job!.id)).running === 0, 10_000, 'nothing running');
    expect(await first.store.jobs.taskCounts(job!.id)).toMatchObject({ queued: 3, failed: 0, completed: 0 });
    await first.stop();

    const second = await setup.open({ GEMINI_API_KEY: 'the-right-key' });
    second.start();
    await finished(second, job!.id);
    expect((await second.store.jobs.getJob(job!.id))?.status).toBe('completed');
  });

  it('runs a batch-lane job as one batch, uploading each reference once, at the batch price', async () => {
    await prepare();
    const fleet = await setup.open();
    const references = await importReferences(fleet, 3);
    const { job } = await fleet.submitJob({ mode: 'automatic', provider: 'gemini', model: 'nano-banana-pro', lane: 'batch', referenceAssetIds: references, prompt: 'studio shot', variationsPerImage: 4 });
    fleet.start();
    await finished(fleet, job!.id);

    const done = await fleet.store.jobs.getJob(job!.id);
    expect(done?.status).toBe('completed');
    expect(setup.fake.batches).toHaveLength(1);
    expect(setup.fake.batches[0]?.keys).toHaveLength(12);
    expect([...setup.fake.files.values()].filter((file) => file.mimeType === 'image/png')).toHaveLength(3);
    expect(setup.fake.generateCalls.filter((call) => call.source === 'online')).toHaveLength(0);
    // 1120 image tokens at $120/M plus 268 input tokens at $2/M, halved, per image.
    expect(done?.spentUsd).toBeCloseTo(12 * 0.067468, 6);
    expect(done?.estimatedCostUsd).toBeCloseTo(12 * 0.067, 6);
    // The handle saved before waiting names the batch and the task's key.
    const tasks = await fleet.store.jobs.listTasks(job!.id, {});
    for (const task of tasks) expect(task.remoteHandle).toBe(`${setup.fake.batches[0]!.name}?key=${task.key}&model=nano-banana-pro&size=1K&ratio=1%3A1&retry=batch`);
  });

  it('re-attaches to the same batch after a restart instead of creating a second one', async () => {
    await prepare({ batchCompletion: 'manual' });
    const first = await setup.open();
    const { job } = await first.submitJob({ mode: 'studio', provider: 'gemini', model: 'nano-banana', lane: 'batch', batchSize: 1, items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 6 }] }] });
    first.start();
    await waitFor(async () => (await first.store.jobs.listTasks(job!.id, {})).every((task) => task.remoteHandle !== undefined), 20_000, 'every handle saved');
    await first.stop();
    expect(setup.fake.batches).toHaveLength(1);

    const second = await setup.open();
    second.start();
    await setup.fake.finishBatch(setup.fake.batches[0]!.name);
    await finished(second, job!.id);
    expect((await second.store.jobs.getJob(job!.id))?.status).toBe('completed');
    expect(setup.fake.batches).toHaveLength(1);
    expect(setup.fake.billedCount()).toBe(6);
  });

  it('resubmits the requests of an expired batch in a new batch', async () => {
    await prepare({ batchCompletion: 'manual' });
    const fleet = await setup.open();
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'gemini', model: 'nano-banana', lane: 'batch', batchSize: 1, items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 4 }] }] });
    fleet.start();
    await waitFor(async () => (await fleet.store.jobs.listTasks(job!.id, {})).every((task) => task.remoteHandle !== undefined), 20_000, 'every handle saved');
    setup.fake.setOptions({ batchCompletion: 'auto' });
    await setup.fake.finishBatch(setup.fake.batches[0]!.name, 'BATCH_STATE_EXPIRED');
    await finished(fleet, job!.id);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');
    expect(setup.fake.batches.map((batch) => [batch.state, batch.keys.length])).toEqual([
      ['BATCH_STATE_EXPIRED', 4],
      ['BATCH_STATE_SUCCEEDED', 4],
    ]);
    expect(setup.fake.billedCount()).toBe(4);
  });

  it('retries the requests of an expired batch online when the job asks for it, at the online price', async () => {
    await prepare({ batchCompletion: 'manual' });
    const fleet = await setup.open();
    const { job } = await fleet.submitJob({
      mode: 'studio',
      provider: 'gemini',
      model: 'nano-banana',
      lane: 'batch',
      batchSize: 1,
      settings: { providerOptions: { batchRetry: 'online' } },
      items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 3 }] }],
    });
    fleet.start();
    await waitFor(async () => (await fleet.store.jobs.listTasks(job!.id, {})).every((task) => task.remoteHandle !== undefined), 20_000, 'every handle saved');
    await setup.fake.finishBatch(setup.fake.batches[0]!.name, 'BATCH_STATE_EXPIRED');
    await finished(fleet, job!.id);
    const done = await fleet.store.jobs.getJob(job!.id);
    expect(done?.status).toBe('completed');
    expect(setup.fake.batches).toHaveLength(1);
    expect(setup.fake.generateCalls.filter((call) => call.source === 'online' && call.billed)).toHaveLength(3);
    // Online price from usage: 1290 tokens at $30/M plus 10 input tokens at $0.30/M.
    expect(done?.spentUsd).toBeCloseTo(3 * 0.038703, 6);
  });

  it('cancels the remote batch when its job is canceled', async () => {
    await prepare({ batchCompletion: 'manual' });
    const fleet = await setup.open();
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'gemini', model: 'nano-banana', lane: 'batch', batchSize: 1, items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 3 }] }] });
    fleet.start();
    await waitFor(async () => (await fleet.store.jobs.listTasks(job!.id, {})).every((task) => task.remoteHandle !== undefined), 20_000, 'every handle saved');
    await fleet.engine.cancelJob(job!.id);
    await waitFor(() => setup.fake.batches[0]?.state === 'BATCH_STATE_CANCELLED', 10_000, 'the batch canceled');
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('canceled');
  });
});
