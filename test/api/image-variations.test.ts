import { blobFilePath } from '../support/blob-file-path.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regenerateImage } from '../../src/operations/regenerate-image.js';
import { handleRegenerateImage } from '../../src/server/image-handlers.js';
import { apiRequest, call, completedJob, expectError, expectJson, openApiHarness, type ApiHarness } from './api-harness.js';

/** `POST /api/images/{id}/regenerate` with `count`: the studio's "variations" (a set of new seeds). */
describe('variations of an image', () => {
  let harness: ApiHarness;
  beforeEach(async () => {
    harness = await openApiHarness();
  });
  afterEach(async () => harness.close());

  it('makes a set of 4 with consecutive seeds, the same prompt, references and mask, in one call', async () => {
    const { images } = await completedJob(harness, { count: 1, seed: 10 });
    const source = images[0]!;
    const answer = await expectJson<{ id: string; seed: number; plan: { tasks: number; images: number } }>(
      await call(handleRegenerateImage, apiRequest(`/api/images/${source.id}/regenerate`, { json: { count: 4 } }), { id: source.id }),
      201,
    );
    expect(answer.plan).toMatchObject({ tasks: 1, images: 4 });
    const [task] = await harness.fleet.store.jobs.listTasks(answer.id, {});
    const sourceTask = await harness.fleet.store.jobs.getTask(source.taskId);
    expect(task).toMatchObject({ imageCount: 4, seed: answer.seed, prompt: source.prompt, referenceAssetIds: sourceTask!.referenceAssetIds, setIndex: 0 });
    expect((await harness.fleet.store.jobs.getJob(answer.id))?.name).toMatch(/^Variations: /);
  });

  it('refuses a count other than 1, 2 or 4', async () => {
    const { images } = await completedJob(harness, { count: 1 });
    const id = images[0]!.id;
    await expectError(await call(handleRegenerateImage, apiRequest(`/api/images/${id}/regenerate`, { json: { count: 3 } }), { id }), 400, 'invalid_input', ['count']);
    await expectError(await call(handleRegenerateImage, apiRequest(`/api/images/${id}/regenerate`, { json: { count: '4' } }), { id }), 400, 'invalid_input', ['count']);
  });
});

/** `strength`: Vary (subtle) and Vary (strong). */
describe('variations with a strength', () => {
  let harness: ApiHarness;
  beforeEach(async () => {
    harness = await openApiHarness();
  });
  afterEach(async () => harness.close());

  it('makes them from the image itself at img2img strength 0.35 (subtle) or 0.75 (strong) on a model with a strength', async () => {
    const { images } = await completedJob(harness, { count: 1, seed: 10 });
    const source = images[0]!;
    const sourceTask = await harness.fleet.store.jobs.getTask(source.taskId);
    const vary = async (strength: string) =>
      expectJson<{ id: string; plan: { images: number }; variation: { strength: string; from: string; denoise: number | null; note: string } }>(
        await call(handleRegenerateImage, apiRequest(`/api/images/${source.id}/regenerate`, { json: { count: 4, strength } }), { id: source.id }),
        201,
      );
    const subtle = await vary('subtle');
    expect(subtle.variation).toMatchObject({ strength: 'subtle', from: 'image', denoise: 0.35 });
    expect(subtle.plan.images).toBe(4);
    const [subtleTask] = await harness.fleet.store.jobs.listTasks(subtle.id, {});
    // One reference: the image, stored as an asset (not the source's own reference).
    expect(subtleTask!.referenceAssetIds).toHaveLength(1);
    expect(subtleTask!.referenceAssetIds).not.toEqual(sourceTask!.referenceAssetIds);
    expect((await harness.fleet.store.jobs.getJob(subtle.id))?.settings.strength).toBe(0.35);
    expect((await harness.fleet.store.jobs.getJob(subtle.id))?.name).toMatch(/^Vary \(subtle\): /);
    const strong = await vary('strong');
    expect(strong.variation).toMatchObject({ strength: 'strong', from: 'image', denoise: 0.75 });
    expect((await harness.fleet.store.jobs.getJob(strong.id))?.settings.strength).toBe(0.75);
  });

  it('refuses a strength other than subtle or strong', async () => {
    const { images } = await completedJob(harness, { count: 1 });
    const id = images[0]!.id;
    await expectError(await call(handleRegenerateImage, apiRequest(`/api/images/${id}/regenerate`, { json: { count: 4, strength: 0.5 } }), { id }), 400, 'invalid_input', ['strength']);
  });
});

/** The nearest behaviour on models without a strength, through the use case with the model's support as a model without one reports it. */
describe('variations with a strength on a model without one', () => {
  let harness: ApiHarness;
  beforeEach(async () => {
    harness = await openApiHarness();
  });
  afterEach(async () => harness.close());

  it('subtle edits the picture without a strength; strong draws new seeds from the original references', async () => {
    const { images } = await completedJob(harness, { count: 1, seed: 10 });
    const source = images[0]!;
    const sourceTask = await harness.fleet.store.jobs.getTask(source.taskId);
    const fleet = harness.fleet;
    const dependencies = {
      store: fleet.store,
      submit: (spec: Parameters<typeof fleet.submitJob>[0], options: Parameters<typeof fleet.submitJob>[1]) => fleet.submitJob(spec, options),
      random: () => 0.5,
      // As Gemini reports itself: references, no img2img strength.
      modelSupport: () => ({ supportsStrength: false, maxReferenceImages: 3 }),
      imageAsReference: async (image: { fileKey: string }) => (await fleet.importAssetFile(blobFilePath(fleet.blobs, image.fileKey), 'varied.png')).asset.id,
    };
    const subtle = await regenerateImage(source.id, { kind: 'regenerate', count: 4, strength: 'subtle' }, dependencies);
    expect(subtle.variation).toMatchObject({ from: 'image', denoise: null });
    expect(subtle.variation?.note).toContain('no strength setting');
    const [subtleTask] = await fleet.store.jobs.listTasks(subtle.job!.id, {});
    expect(subtleTask!.referenceAssetIds).not.toEqual(sourceTask!.referenceAssetIds);
    expect(subtle.job!.settings.strength).toBeUndefined();

    const strong = await regenerateImage(source.id, { kind: 'regenerate', count: 4, strength: 'strong' }, dependencies);
    expect(strong.variation).toMatchObject({ from: 'references', denoise: null });
    const [strongTask] = await fleet.store.jobs.listTasks(strong.job!.id, {});
    expect(strongTask!.referenceAssetIds).toEqual(sourceTask!.referenceAssetIds);
  });
});
