import { blobFilePath } from '../support/blob-file-path.js';
import { readFile, rm, truncate } from 'node:fs/promises';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleGetImage, handleGetThumbnail, handlePatchImage, handleRegenerateImage, handleUpscaleImage } from '../../src/server/image-handlers.js';
import { apiRequest, call, completedJob, expectError, expectJson, openApiHarness, until, type ApiHarness } from './api-harness.js';

describe('image routes', () => {
  let harness: ApiHarness;
  let job: Awaited<ReturnType<typeof completedJob>>;
  beforeEach(async () => {
    harness = await openApiHarness();
    job = await completedJob(harness, { prompts: ['gold watch on marble'], count: 2, seed: 500 });
  });
  afterEach(async () => harness.close());

  const image = () => job.images[0]!;

  it('serves the file with its type, ETag and a safe Content-Disposition, and 304 for a matching ETag', async () => {
    const response = await call(handleGetImage, apiRequest(`/api/images/${image().id}`), { id: image().id });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="${image().id}.png"`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.equals(await readFile(blobFilePath(harness.fleet.blobs, image().fileKey)))).toBe(true);
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const etag = response.headers.get('etag')!;
    const cached = await call(handleGetImage, apiRequest(`/api/images/${image().id}`, { headers: { 'if-none-match': etag } }), { id: image().id });
    expect(cached.status).toBe(304);
  });

  it('serves the metadata as JSON when asked, and the WebP thumbnail', async () => {
    const viaAccept = await expectJson<Record<string, unknown>>(await call(handleGetImage, apiRequest(`/api/images/${image().id}`, { headers: { accept: 'application/json' } }), { id: image().id }), 200);
    const viaQuery = await expectJson<Record<string, unknown>>(await call(handleGetImage, apiRequest(`/api/images/${image().id}?format=json`), { id: image().id }), 200);
    expect(viaAccept).toEqual(viaQuery);
    expect(viaAccept).toMatchObject({ id: image().id, prompt: 'gold watch on marble', seed: image().seed, jobId: job.jobId, favorite: false, url: `/api/images/${image().id}` });
    expect(viaAccept.referenceIds).toHaveLength(1);
    const thumb = await call(handleGetThumbnail, apiRequest(`/api/images/${image().id}/thumb`), { id: image().id });
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('webp');
  });

  it('rebuilds a thumbnail a power cut left missing or empty from the image before serving it (decision 0048)', async () => {
    const thumbnailPath = blobFilePath(harness.fleet.blobs, image().thumbnailKey);
    const original = await readFile(thumbnailPath);
    for (const damage of [() => rm(thumbnailPath), () => truncate(thumbnailPath, 0)]) {
      await damage();
      const thumb = await call(handleGetThumbnail, apiRequest(`/api/images/${image().id}/thumb`), { id: image().id });
      expect(thumb.status).toBe(200);
      const served = Buffer.from(await thumb.arrayBuffer());
      expect(served.equals(original)).toBe(true);
      expect((await readFile(thumbnailPath)).equals(original)).toBe(true);
    }
  });

  it('marks favourites and discards, refusing bad bodies', async () => {
    const patch = (json: unknown) => call(handlePatchImage, apiRequest(`/api/images/${image().id}`, { method: 'PATCH', json }), { id: image().id });
    expect(await expectJson(await patch({ favorite: true }), 200)).toMatchObject({ id: image().id, favorite: true, discarded: false });
    expect(await expectJson(await patch({ favorite: false, discarded: true }), 200)).toMatchObject({ favorite: false, discarded: true });
    await expectError(await patch({ favorite: 'yes' }), 400, 'invalid_input', ['favorite']);
    await expectError(await patch({}), 400, 'invalid_input');
    await expectError(await patch({ favorite: true, rating: 5 }), 400, 'invalid_input', ['rating']);
    await expectError(await call(handlePatchImage, apiRequest('/api/images/nope', { method: 'PATCH', json: { favorite: true } }), { id: 'nope' }), 404, 'not_found');
    await expectError(await call(handleGetImage, apiRequest('/api/images/nope'), { id: 'nope' }), 404, 'not_found');
    await expectError(await call(handleGetImage, apiRequest('/api/images/x?format=xml'), { id: 'x' }), 400, 'invalid_input', ['format']);
    await expectError(await call(handleGetThumbnail, apiRequest('/api/images/nope/thumb'), { id: 'nope' }), 404, 'not_found');
    await expectError(await call(handleGetThumbnail, apiRequest(`/api/images/${image().id}/thumb?size=big`), { id: image().id }), 400, 'invalid_input', ['size']);
  });

  it('regenerates with the same prompt, references and settings, a new task key, and the seed asked for', async () => {
    const source = image();
    const sourceTask = await harness.fleet.store.jobs.getTask(source.taskId);
    const response = await call(handleRegenerateImage, apiRequest(`/api/images/${source.id}/regenerate`, { json: { seed: source.seed } }), { id: source.id });
    const body = await expectJson<{ id: string; groupId: string; seed: number; sourceImageId: string; statusUrl: string }>(response, 201);
    expect(body).toMatchObject({ groupId: job.groupId, seed: source.seed, sourceImageId: source.id, statusUrl: `/api/jobs/${body.id}/status` });
    const [task] = await harness.fleet.store.jobs.listTasks(body.id, {});
    expect(task).toMatchObject({ prompt: sourceTask!.prompt, referenceAssetIds: sourceTask!.referenceAssetIds, seed: source.seed, imageCount: 1 });
    expect(task!.key).not.toBe(sourceTask!.key);
    expect(await harness.fleet.store.jobs.getJob(body.id)).toMatchObject({ mode: 'studio', model: 'local-transform', settings: { size: '512' } });

    await until(async () => (await harness.fleet.store.jobs.getJob(body.id))?.status === 'completed', 'the regenerate job');
    const [again] = await harness.fleet.store.images.listImages({ jobId: body.id });
    // The local provider is seed-exact: the same seed draws the same picture.
    const original = await sharp(await readFile(blobFilePath(harness.fleet.blobs, source.fileKey))).raw().toBuffer();
    const redrawn = await sharp(await readFile(blobFilePath(harness.fleet.blobs, again!.fileKey))).raw().toBuffer();
    expect(redrawn.equals(original)).toBe(true);

    const random = await expectJson<{ id: string; seed: number }>(await call(handleRegenerateImage, apiRequest(`/api/images/${source.id}/regenerate`, { method: 'POST' }), { id: source.id }), 201);
    expect(random.seed).toEqual(expect.any(Number));
    await expectError(await call(handleRegenerateImage, apiRequest(`/api/images/${source.id}/regenerate`, { json: { seed: -5 } }), { id: source.id }), 400, 'invalid_input', ['seed']);
    await expectError(await call(handleRegenerateImage, apiRequest('/api/images/nope/regenerate', { method: 'POST' }), { id: 'nope' }), 404, 'not_found');
  });

  it('upscales with the same seed at a larger size, refusing sizes that are not larger', async () => {
    const source = image();
    const body = await expectJson<{ id: string; seed: number }>(await call(handleUpscaleImage, apiRequest(`/api/images/${source.id}/upscale`, { json: { size: '1K' } }), { id: source.id }), 201);
    expect(body.seed).toBe(source.seed);
    expect((await harness.fleet.store.jobs.getJob(body.id))?.settings.size).toBe('1K');
    const refused = await expectError(await call(handleUpscaleImage, apiRequest(`/api/images/${source.id}/upscale`, { json: { size: '512' } }), { id: source.id }), 400, 'invalid_input', ['size']);
    expect(refused.error.message).toContain('larger');
    await expectError(await call(handleUpscaleImage, apiRequest(`/api/images/${source.id}/upscale`, { json: { size: '16K' } }), { id: source.id }), 400, 'invalid_input', ['size']);
    await expectError(await call(handleUpscaleImage, apiRequest(`/api/images/${source.id}/upscale`, { method: 'POST' }), { id: source.id }), 400, 'invalid_input');
  });
});
