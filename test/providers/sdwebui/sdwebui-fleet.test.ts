/**
 * The `sdwebui` provider through the real engine: `createFleet` with `SDWEBUI_BASE_URL` pointing at
 * the fake. A studio set of 4 from a seed completes in one call with seeds seed..seed+3 recorded on
 * the images; regenerating one image from its seed gives the same picture; a server that is down
 * pauses the provider instead of failing the job.
 */
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { readPngTextChunks } from '../../../src/core/png-text-chunks.js';
import { createFleet, type Fleet } from '../../../src/fleet/create-fleet.js';
import { startFakeSdwebuiServer, type FakeSdwebuiServer } from '../../fakes/sdwebui/fake-sdwebui-server.js';
import { closedBaseUrl } from '../../fakes/closed-base-url.js';
import { readLikeSdParsers, readLikeSdPromptReader } from '../../support/a1111-readers.js';
import { waitFor } from '../../support/engine-harness.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('sdwebui through the engine', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(baseUrl: string): Promise<Fleet> {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const config = loadConfig({ IMAGEFLEET_DATA_DIR: temp.directory, IMAGEFLEET_IDLE_POLL_MS: '20', SDWEBUI_BASE_URL: baseUrl, SDWEBUI_CONCURRENCY: '2' });
    const fleet = await createFleet(config);
    cleanups.push(() => fleet.stop());
    return fleet;
  }

  async function finished(fleet: Fleet, jobId: string): Promise<void> {
    await waitFor(async () => ['completed', 'failed', 'canceled'].includes((await fleet.store.jobs.getJob(jobId))?.status ?? ''), 30_000, `job ${jobId} to finish`);
  }

  it('runs a set of 4 from a seed as one call and records each image seed; one image made again matches', async () => {
    const fake: FakeSdwebuiServer = await startFakeSdwebuiServer();
    cleanups.push(() => fake.close());
    const fleet = await open(fake.baseUrl);
    const health = await fleet.health();
    expect(health.providers.find((provider) => provider.id === 'sdwebui')?.models).toEqual(['default', 'v1-5-pruned-emaonly', 'sd_xl_base_1.0']);

    const { job } = await fleet.submitJob({
      mode: 'studio',
      provider: 'sdwebui',
      model: 'sd_xl_base_1.0',
      settings: { size: '512', aspectRatio: '1:1', loras: [{ name: 'watercolor', weight: 0.7 }], negativePrompt: 'text' },
      items: [{ referenceAssetIds: [], prompts: [{ text: 'a red bicycle', count: 4, seed: 9000 }] }],
      batchSize: 4,
    });
    fleet.start();
    await finished(fleet, job!.id);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');
    expect(fake.generations).toHaveLength(1);
    expect(fake.generations[0]?.body).toMatchObject({ seed: 9000, batch_size: 4, prompt: 'a red bicycle <lora:watercolor:0.7>', negative_prompt: 'text' });
    const images = await fleet.store.images.listImages({ jobId: job!.id });
    expect(images.map((image) => image.seed).sort()).toEqual([9000, 9001, 9002, 9003]);
    // Each PNG's A1111 text holds the settings the call ran with, read as A1111 readers do.
    for (const image of images) {
      const text = readPngTextChunks(await fleet.blobs.read(image.fileKey)).parameters ?? '';
      expect(readLikeSdParsers(text)).toMatchObject({ prompt: 'a red bicycle', negativePrompt: 'text', sampler: 'Euler a', sampling: { Steps: '20', 'CFG scale': '7', Seed: String(image.seed) }, model: 'sd_xl_base_1.0' });
      expect(readLikeSdPromptReader(text).settings).toMatchObject({ Size: '512x512', Seed: String(image.seed) });
    }

    const third = images.find((image) => image.seed === 9002)!;
    const { job: again } = await fleet.submitJob({
      mode: 'studio',
      provider: 'sdwebui',
      model: 'sd_xl_base_1.0',
      settings: { size: '512', aspectRatio: '1:1', loras: [{ name: 'watercolor', weight: 0.7 }], negativePrompt: 'text' },
      items: [{ referenceAssetIds: [], prompts: [{ text: 'a red bicycle', count: 1, seed: third.seed }] }],
      batchSize: 1,
    });
    await finished(fleet, again!.id);
    expect(fake.generations[1]?.body).toMatchObject({ seed: 9002, batch_size: 1 });
    const regenerated = (await fleet.store.images.listImages({ jobId: again!.id }))[0]!;
    expect(regenerated.seed).toBe(9002);
    // The stored files carry each job's provenance chunks, so compare their pixels.
    const pixels = async (fileKey: string) => (await sharp(await fleet.blobs.read(fileKey)).raw().toBuffer()).toString('base64');
    expect(await pixels(regenerated.fileKey)).toBe(await pixels(third.fileKey));
  });

  it('refuses a misspelt option or an unknown LoRA at submit, naming the field, with nothing written', async () => {
    const fake: FakeSdwebuiServer = await startFakeSdwebuiServer();
    cleanups.push(() => fake.close());
    const fleet = await open(fake.baseUrl);
    const submit = (settings: Record<string, unknown>) =>
      fleet.submitJob({ mode: 'studio', provider: 'sdwebui', model: 'default', settings: { size: '512', ...settings }, items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 4 }] }], batchSize: 4 });
    const refusal = async (settings: Record<string, unknown>) => submit(settings).then(() => undefined, (error: unknown) => error as { code: string; message: string; issues?: Array<{ path: string }> });

    const option = await refusal({ providerOptions: { cfgScal: 7 } });
    expect(option).toMatchObject({ code: 'invalid_input', issues: [{ path: 'settings.providerOptions' }] });
    expect(option?.message).toContain('providerOptions.cfgScal');
    const lora = await refusal({ loras: [{ name: 'add_detial', weight: 0.8 }] });
    expect(lora).toMatchObject({ code: 'invalid_input', issues: [{ path: 'settings.loras' }] });
    expect(lora?.message).toContain('add_detail');
    expect(await fleet.store.jobs.listJobs({})).toEqual([]);

    // A LoRA added on the server after the start is found (the list is read again before refusing).
    fake.setLoras(['add_detail', 'brand_new_style']);
    const { job } = await submit({ loras: [{ name: 'brand_new_style', weight: 0.5 }] });
    expect(job?.status).toBe('queued');
  });

  it('accepts LoRAs at submit when the web UI is down (its tasks check them once it answers)', async () => {
    const fleet = await open(await closedBaseUrl());
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'sdwebui', model: 'default', settings: { size: '512', loras: [{ name: 'anything', weight: 1 }] }, items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 1 }] }] });
    expect(job?.status).toBe('queued');
  });

  it('pauses the provider when the web UI is down, and the job waits instead of failing', async () => {
    const fleet = await open(await closedBaseUrl());
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'sdwebui', model: 'default', settings: { size: '512' }, items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 2 }] }], batchSize: 2 });
    fleet.start();
    await waitFor(async () => (await fleet.store.queue.providerStates()).some((state) => state.scopeKey.startsWith('sdwebui') && state.pausedReason !== undefined), 20_000, 'the provider paused');
    await waitFor(async () => (await fleet.store.jobs.taskCounts(job!.id)).running === 0, 10_000, 'nothing running');
    expect(await fleet.store.jobs.taskCounts(job!.id)).toMatchObject({ queued: 1, failed: 0 });
    expect((await fleet.health()).providers.find((provider) => provider.id === 'sdwebui')?.pausedReason).toMatch(/is the server running at/);
  });
});
