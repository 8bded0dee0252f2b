import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleSubmitJob } from '../../src/server/job-handlers.js';
import { handleUpload } from '../../src/server/upload-handlers.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, pngBytes, uploadRequest, type ApiHarness } from './api-harness.js';

/** `items[].maskId`: a studio item's own inpainting mask (the studio paints one per reference). */
describe('POST /api/jobs/submit with a mask per item', () => {
  let harness: ApiHarness;
  let referenceA = '';
  let referenceB = '';
  let mask = '';

  beforeEach(async () => {
    harness = await openApiHarness();
    const upload = async (bytes: Buffer, name: string) => (await expectJson<{ id: string }>(await call(handleUpload, uploadRequest('/api/uploads', bytes, name)), 201)).id;
    referenceA = await upload(await pngBytes(40), 'a.png');
    referenceB = await upload(await pngBytes(140), 'b.png');
    const maskBytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#000' } })
      .composite([{ input: await sharp({ create: { width: 32, height: 48, channels: 3, background: '#fff' } }).png().toBuffer(), left: 0, top: 0 }])
      .png()
      .toBuffer();
    mask = await upload(maskBytes, 'mask.png');
  });
  afterEach(async () => harness.close());

  const submit = (body: unknown, query = '') => call(handleSubmitJob, apiRequest(`/api/jobs/submit${query}`, { json: body }));
  const studio = (items: unknown[], settings: Record<string, unknown> = {}) => ({ mode: 'studio', provider: 'local', settings: { size: '512', ...settings }, batchSize: 1, items });

  it('sends an item’s mask with that item only; settings.maskId still covers the others', async () => {
    const job = await expectJson<{ id: string }>(
      await submit(studio([
        { referenceIds: [referenceA], prompt: 'masked', count: 1, maskId: mask },
        { referenceIds: [referenceB], prompt: 'not masked', count: 1 },
      ])),
      201,
    );
    const tasks = await harness.fleet.store.jobs.listTasks(job.id, {});
    expect(tasks.map((task) => [task.prompt, task.maskAssetId])).toEqual([
      ['masked', mask],
      ['not masked', undefined],
    ]);
    const both = await expectJson<{ id: string }>(await submit(studio([{ referenceIds: [referenceA], prompt: 'x', maskId: mask }, { referenceIds: [referenceB], prompt: 'y' }], { maskId: mask })), 201);
    expect((await harness.fleet.store.jobs.listTasks(both.id, {})).map((task) => task.maskAssetId)).toEqual([mask, mask]);
  });

  it('refuses a mask on an item without references, an unknown mask, and masks in automatic mode, naming the item', async () => {
    await expectError(await submit(studio([{ prompt: 'text only', maskId: mask }]), '?dryRun=1'), 400, 'invalid_input', ['items.0.maskId']);
    await expectError(await submit(studio([{ referenceIds: [referenceA], prompt: 'x', maskId: 'unknown-mask' }]), '?dryRun=1'), 400, 'invalid_input', ['items.0.maskId']);
    await expectError(await submit(studio([{ referenceIds: [referenceA], prompt: 'x', maskId: 'bad id!' }]), '?dryRun=1'), 400, 'invalid_input', ['items.0.maskId']);
    await expectError(await submit({ mode: 'automatic', provider: 'local', items: [{ referenceIds: [referenceA], prompt: 'x', maskId: mask }] }, '?dryRun=1'), 400, 'invalid_input', ['items.0.maskId']);
  });
});
