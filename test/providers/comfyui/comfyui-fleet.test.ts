/**
 * The `comfyui` provider through the real engine (`createFleet` with `COMFYUI_BASE_URL` pointing at
 * the fake): a set of 4 completes with seeds seed..seed+3, one prompt each; a worker stopped while
 * ComfyUI generates leaves the prompt ids saved, and the next worker re-attaches to them instead
 * of queueing again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { readPngTextChunks } from '../../../src/core/png-text-chunks.js';
import { createFleet, type Fleet } from '../../../src/fleet/create-fleet.js';
import { startFakeComfyuiServer, type FakeComfyuiServer } from '../../fakes/comfyui/fake-comfyui-server.js';
import { readLikeSdParsers } from '../../support/a1111-readers.js';
import { waitFor } from '../../support/engine-harness.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('comfyui through the engine', () => {
  const cleanups: Array<() => Promise<void>> = [];
  let fake: FakeComfyuiServer;
  let dataDir: string;
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function prepare(): Promise<void> {
    fake = await startFakeComfyuiServer();
    cleanups.push(() => fake.close());
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    dataDir = temp.directory;
  }

  async function open(): Promise<Fleet> {
    const config = loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_SHUTDOWN_GRACE_MS: '0', COMFYUI_BASE_URL: fake.baseUrl });
    const fleet = await createFleet(config);
    cleanups.push(() => fleet.stop());
    return fleet;
  }

  async function finished(fleet: Fleet, jobId: string): Promise<void> {
    await waitFor(async () => ['completed', 'failed', 'canceled'].includes((await fleet.store.jobs.getJob(jobId))?.status ?? ''), 30_000, `job ${jobId} to finish`);
  }

  it('runs a set of 4 as one prompt per image and records each seed', async () => {
    await prepare();
    const fleet = await open();
    expect((await fleet.health()).providers.find((provider) => provider.id === 'comfyui')?.models).toEqual(['default', 'v1-5-pruned-emaonly', 'sd_xl_base_1.0']);
    const { job } = await fleet.submitJob({
      mode: 'studio',
      provider: 'comfyui',
      model: 'v1-5-pruned-emaonly',
      settings: { size: '512', aspectRatio: '1:1', loras: [{ name: 'watercolor.safetensors', weight: 0.8 }] },
      items: [{ referenceAssetIds: [], prompts: [{ text: 'a paper boat', count: 4, seed: 700 }] }],
      batchSize: 4,
    });
    fleet.start();
    await finished(fleet, job!.id);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');
    expect(fake.prompts.map((prompt) => prompt.seed)).toEqual([700, 701, 702, 703]);
    expect(fake.prompts.every((prompt) => prompt.workflow.imagefleet_lora_0?.inputs.lora_name === 'watercolor.safetensors')).toBe(true);
    const images = await fleet.store.images.listImages({ jobId: job!.id });
    expect(images.map((image) => image.seed).sort()).toEqual([700, 701, 702, 703]);
    for (const image of images) {
      const text = readPngTextChunks(await fleet.blobs.read(image.fileKey)).parameters ?? '';
      expect(text.split('\n').at(-1)).toMatch(/^Steps: 20, Sampler: euler, Schedule type: normal, CFG scale: 7, Seed: \d+, Size: 512x512, Model: v1-5-pruned-emaonly, /);
      expect(readLikeSdParsers(text)).toMatchObject({ prompt: 'a paper boat', sampler: 'euler', sampling: { Seed: String(image.seed) } });
    }
  });

  it('re-attaches after a restart to the prompts already queued, without a second POST /prompt', async () => {
    await prepare();
    const first = await open();
    fake.hold();
    const { job } = await first.submitJob({ mode: 'studio', provider: 'comfyui', model: 'default', settings: { size: '512' }, items: [{ referenceAssetIds: [], prompts: [{ text: 'a kite', count: 2, seed: 80 }] }], batchSize: 2 });
    first.start();
    await fake.whenHeld();
    await waitFor(async () => (await first.store.jobs.listTasks(job!.id, {}))[0]?.remoteHandle !== undefined, 10_000, 'the handle saved');
    await first.stop();
    expect(fake.prompts).toHaveLength(2);
    // Stopping is not canceling: the queued prompts stay on the server for the next worker.
    expect([...fake.deleted, ...fake.interrupted]).toEqual([]);

    const second = await open();
    second.start();
    fake.release();
    await finished(second, job!.id);
    expect((await second.store.jobs.getJob(job!.id))?.status).toBe('completed');
    expect(fake.prompts).toHaveLength(2);
    expect(fake.requests.filter((request) => request.path === '/prompt')).toHaveLength(2);
    expect((await second.store.images.listImages({ jobId: job!.id })).map((image) => image.seed).sort()).toEqual([80, 81]);
  });
});
