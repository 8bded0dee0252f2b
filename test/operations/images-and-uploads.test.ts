/**
 * Image, upload and download use cases on a real store, blobs and engine (a scripted provider
 * makes the images): marks, details, an output kept as a reference, upload checks and pages, and
 * what a download holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUploads } from '../../src/operations/check-uploads.js';
import { describeImage } from '../../src/operations/describe-image.js';
import { getImage } from '../../src/operations/get-image.js';
import { getUpload } from '../../src/operations/get-upload.js';
import { listGroupImages } from '../../src/operations/list-group-images.js';
import { listJobResults } from '../../src/operations/list-job-results.js';
import { listUploads } from '../../src/operations/list-uploads.js';
import { markImage } from '../../src/operations/mark-image.js';
import { readDownloadContents } from '../../src/operations/read-download-contents.js';
import { uploadThumbnail } from '../../src/operations/upload-thumbnail.js';
import { useImageAsReference } from '../../src/operations/use-image-as-reference.js';
import { AssetImporter } from '../../src/store/blobs/asset-importer.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ScriptedProvider } from '../support/scripted-provider.js';
import { rejectionOf } from '../support/thrown-by.js';

describe('image, upload and download operations', () => {
  let harness: EngineHarness;
  let jobId: string;
  let groupId: string;
  let importer: AssetImporter;
  beforeAll(async () => {
    harness = await createEngineHarness({ providers: [new ScriptedProvider()] });
    importer = new AssetImporter(harness.store.assets, harness.blobs, () => Date.now());
    jobId = await harness.createJob({ taskCount: 3, imagesPerTask: 1, estimatedCostPerTaskUsd: 0 });
    groupId = (await harness.store.jobs.getJob(jobId))!.groupId;
    harness.engine.start();
    await waitFor(async () => (await harness.store.jobs.getJob(jobId))?.status === 'completed', 10_000, 'job completed');
  });
  afterAll(() => harness.cleanup());

  it('marks an image favourite and discarded, and the kept list leaves it out', async () => {
    const store = harness.store;
    const [first] = (await listJobResults({ jobId, limit: 10 }, { store })).images;
    const marked = await markImage({ imageId: first!.id, favorite: true, discarded: true }, { store });
    expect(marked).toMatchObject({ id: first!.id, favorite: true, discarded: true, provider: 'scripted' });
    expect((await describeImage({ imageId: first!.id }, { store })).favorite).toBe(true);
    const kept = await listJobResults({ jobId, limit: 10 }, { store });
    expect(kept.total).toBe(2);
    expect(kept.images.map((image) => image.id)).not.toContain(first!.id);
    expect((await listGroupImages({ groupId, status: 'discarded', limit: 10 }, { store })).images.map((image) => image.id)).toEqual([first!.id]);
    const all = await listGroupImages({ groupId, status: 'all', limit: 2 }, { store });
    expect(all).toMatchObject({ hasMore: true, total: 3 });
    await markImage({ imageId: first!.id, discarded: false }, { store });
    expect(await rejectionOf(() => markImage({ imageId: 'nope', favorite: true }, { store }))).toMatchObject({ code: 'not_found' });
  });

  it('stores an output as a reference once, then finds it by its hash and lists it among the uploads', async () => {
    const store = harness.store;
    const [image] = (await listJobResults({ jobId, status: 'all', limit: 1 }, { store })).images;
    const dependencies = { store, blobs: harness.blobs, importAssetFile: (filePath: string, name: string) => importer.importAssetFile(filePath, name) };
    const first = await useImageAsReference({ imageId: image!.id }, dependencies);
    expect(first.created).toBe(true);
    expect(first.asset.originalName).toBe(`seed-${image!.seed}.png`);
    expect((await useImageAsReference({ imageId: image!.id }, dependencies)).created).toBe(false);

    const known = await checkUploads({ sha256: [first.asset.sha256, first.asset.sha256, 'f'.repeat(64)] }, { store });
    expect([...known.keys()]).toEqual([first.asset.sha256]);
    expect((await getUpload({ assetId: first.asset.id }, { store })).blobKey).toBeTypeOf('string');
    const thumbnail = await uploadThumbnail({ assetId: first.asset.id }, { store, blobs: harness.blobs });
    expect((await harness.blobs.read(thumbnail.thumbnailKey)).byteLength).toBeGreaterThan(0);
    expect(await listUploads({ limit: 10 }, { store })).toMatchObject({ assets: [{ id: first.asset.id }], hasMore: false });
    expect(await rejectionOf(() => getUpload({ assetId: 'nope' }, { store }))).toMatchObject({ code: 'not_found' });
    expect(await rejectionOf(() => getImage({ imageId: 'nope' }, { store }))).toMatchObject({ code: 'not_found' });
  });

  it('a download holds the group\'s images and names the ids that are not in it', async () => {
    const store = harness.store;
    const contents = await readDownloadContents({ groupId, jobId }, { store });
    expect(contents.images).toHaveLength(3);
    expect(contents.jobName).toBe('test job');
    expect(contents.unproduced).toEqual([]);
    expect(contents.missingImageIds).toEqual([]);
    const narrowed = await readDownloadContents({ groupId, imageIds: [contents.images[0]!.id, 'nope', 'nope'] }, { store });
    expect(narrowed.images.map((image) => image.id)).toEqual([contents.images[0]!.id]);
    expect(narrowed.missingImageIds).toEqual(['nope']);
    expect(await rejectionOf(() => readDownloadContents({ groupId: 'nope' }, { store }))).toMatchObject({ code: 'not_found' });
    expect(await rejectionOf(() => readDownloadContents({ groupId, jobId: 'nope' }, { store }))).toMatchObject({ code: 'not_found' });
  });
});
