import { afterEach, describe, expect, it } from 'vitest';
import type { Asset } from '../../../src/core/asset.js';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';
import { baseMs, claimTask, complete, jobInput, rejectionOf, taskIdOf } from './contract-fixtures.js';

function buildAsset(id: string, sha256: string, originalName = `${id}.png`, createdAtMs = 10): Asset & { blobKey: string } {
  return { id, sha256, mediaType: 'image/png', width: 64, height: 48, byteSize: 1234, originalName, createdAtMs, blobKey: `assets/${sha256.slice(0, 2)}/${sha256}.png` };
}

describe.each(storeFactoriesWithPostgres())('store contract: assets ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<Store> {
    opened = await factory.open();
    return opened.store;
  }

  it('dedupes by SHA-256: a second upload of the same bytes returns the first asset', async () => {
    const store = await openStore();
    const sha = 'a'.repeat(64);
    const first = await store.assets.upsertAsset(buildAsset('asset-1', sha, 'chair.png'));
    const second = await store.assets.upsertAsset(buildAsset('asset-2', sha, 'chair-copy.png'));
    expect(first.id).toBe('asset-1');
    expect(second).toEqual(first);
    expect(second.originalName).toBe('chair.png');
    expect(await store.assets.getAsset('asset-2')).toBeUndefined();
    expect((await store.assets.getAssetBySha256(sha))?.id).toBe('asset-1');
    expect((await store.assets.listAssets({ limit: 10 })).map((asset) => asset.id)).toEqual(['asset-1']);
  });

  it('finds an asset by the hash of the bytes first uploaded, learned by an asset stored without it', async () => {
    const store = await openStore();
    const sha = 'b'.repeat(64);
    await store.assets.upsertAsset(buildAsset('asset-1', sha));
    expect(await store.assets.getAssetBySourceSha256('c'.repeat(64))).toBeUndefined();
    await store.assets.upsertAsset({ ...buildAsset('asset-2', sha), sourceSha256: 'c'.repeat(64) });
    expect((await store.assets.getAssetBySourceSha256('c'.repeat(64)))?.id).toBe('asset-1');
    // The first source hash stays.
    await store.assets.upsertAsset({ ...buildAsset('asset-3', sha), sourceSha256: 'd'.repeat(64) });
    expect(await store.assets.getAssetBySourceSha256('d'.repeat(64))).toBeUndefined();
  });

  it('reads one asset with its blob key, and several in the order asked, each once', async () => {
    const store = await openStore();
    await store.assets.upsertAsset(buildAsset('asset-1', '1'.repeat(64)));
    await store.assets.upsertAsset(buildAsset('asset-2', '2'.repeat(64)));
    await store.assets.upsertAsset(buildAsset('asset-3', '3'.repeat(64)));
    expect(await store.assets.getAsset('asset-2')).toEqual(buildAsset('asset-2', '2'.repeat(64)));
    const found = await store.assets.getAssets(['asset-3', 'missing', 'asset-1', 'asset-3']);
    expect(found.map((asset) => asset.id)).toEqual(['asset-3', 'asset-1']);
    expect(found[0]?.blobKey).toBe(`assets/33/${'3'.repeat(64)}.png`);
    expect(await store.assets.getAssets([])).toEqual([]);
  });

  it('pages assets newest first after a keyset cursor, filtered by a case-insensitive name part', async () => {
    const store = await openStore();
    await store.assets.upsertAsset(buildAsset('a1', '1'.repeat(64), 'Red Chair.png', 100));
    await store.assets.upsertAsset(buildAsset('a2', '2'.repeat(64), 'blue chair.png', 200));
    await store.assets.upsertAsset(buildAsset('a3', '3'.repeat(64), 'lamp.png', 200));
    await store.assets.upsertAsset(buildAsset('a4', '4'.repeat(64), 'table.png', 300));
    const first = await store.assets.listAssets({ limit: 2 });
    expect(first.map((asset) => asset.id)).toEqual(['a4', 'a3']);
    const second = await store.assets.listAssets({ limit: 2, before: { createdAtMs: 200, id: 'a3' } });
    expect(second.map((asset) => asset.id)).toEqual(['a2', 'a1']);
    expect((await store.assets.listAssets({ limit: 10, nameContains: 'CHAIR' })).map((asset) => asset.id)).toEqual(['a2', 'a1']);
    expect(await store.assets.listAssets({ limit: 10, nameContains: '' })).toHaveLength(4);
  });
});

describe.each(storeFactoriesWithPostgres())('store contract: images ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  /**
   * A store with group "Images" holding job-1 (3 tasks: two images at +100, one at +200, two at +300,
   * prompts "a Red chair 0/1/2", references the chair photo) and group "Other" with job-2 (1 image).
   */
  async function openStoreWithImages(): Promise<{ store: Store; groupId: string; otherGroupId: string }> {
    opened = await factory.open();
    const store = opened.store;
    await store.assets.upsertAsset(buildAsset('asset-chair', 'c'.repeat(64), 'Chair Photo.png'));
    await store.assets.upsertAsset(buildAsset('asset-lamp', 'd'.repeat(64), 'lamp.png'));
    const group = await store.groups.createGroup('Images');
    const other = await store.groups.createGroup('Other');
    const input = jobInput({ jobId: 'job-1', groupId: group.id, taskCount: 3, imagesPerTask: 2, referenceAssetIds: ['asset-lamp', 'asset-chair'], promptOf: (ordinal) => `a Red chair ${ordinal}` });
    input.tasks[1]!.imageCount = 1;
    input.tasks[2]!.promptId = 'prompt-2';
    await store.jobs.createJob(input);
    await store.jobs.createJob(jobInput({ jobId: 'job-2', groupId: other.id, taskCount: 1, createdAtMs: baseMs + 1 }));
    for (const [ordinal, offsetMs] of [100, 200, 300].entries()) {
      const claimed = await claimTask(store, taskIdOf('job-1', ordinal), baseMs + offsetMs);
      await complete(store, claimed, baseMs + offsetMs, 0.04);
    }
    const otherTask = await claimTask(store, taskIdOf('job-2', 0), baseMs + 400);
    await complete(store, otherTask, baseMs + 400);
    return { store, groupId: group.id, otherGroupId: other.id };
  }

  it('lists images newest first, then by index within a task, with filters and paging', async () => {
    const { store, groupId, otherGroupId } = await openStoreWithImages();
    const all = await store.images.listImages({ jobId: 'job-1' });
    expect(all.map((image) => [image.taskId, image.index])).toEqual([
      [taskIdOf('job-1', 2), 0],
      [taskIdOf('job-1', 2), 1],
      [taskIdOf('job-1', 1), 0],
      [taskIdOf('job-1', 0), 0],
      [taskIdOf('job-1', 0), 1],
    ]);
    expect(all[3]).toMatchObject({
      jobId: 'job-1',
      groupId,
      index: 0,
      fileKey: `images/${taskIdOf('job-1', 0)}-0.png`,
      thumbnailKey: `thumbnails/${taskIdOf('job-1', 0)}-0.webp`,
      mediaType: 'image/png',
      width: 64,
      height: 64,
      byteSize: 1_000,
      crc32: 0xfedcba98,
      seed: 0,
      prompt: 'a Red chair 0',
      promptId: 'prompt-1',
      favorite: false,
      discarded: false,
      createdAtMs: baseMs + 100,
    });
    expect(await store.images.getImage(all[0]!.id)).toEqual(all[0]);
    expect(await store.images.getImage('missing')).toBeUndefined();
    expect((await store.images.listImages({})).length).toBe(6);
    expect((await store.images.listImages({ groupId: otherGroupId })).map((image) => image.jobId)).toEqual(['job-2']);
    expect((await store.images.listImages({ taskId: taskIdOf('job-1', 0) })).length).toBe(2);
    expect((await store.images.listImages({ taskIds: [taskIdOf('job-1', 1), taskIdOf('job-2', 0)] })).length).toBe(2);
    expect(await store.images.listImages({ taskIds: [] })).toEqual([]);
    expect((await store.images.listImages({ jobId: 'job-1', limit: 2 })).map((image) => image.id)).toEqual(all.slice(0, 2).map((image) => image.id));
    expect((await store.images.listImages({ jobId: 'job-1', offset: 3 })).map((image) => image.id)).toEqual(all.slice(3).map((image) => image.id));
  });

  it('marks favourites and discards durably, filters on them, and refuses an unknown image', async () => {
    const { store } = await openStoreWithImages();
    const [first] = await store.images.listImages({ jobId: 'job-1' });
    expect((await store.images.setFavorite(first!.id, true)).favorite).toBe(true);
    expect((await store.images.getImage(first!.id))?.favorite).toBe(true);
    expect((await store.images.listImages({ favorite: true })).map((image) => image.id)).toEqual([first!.id]);
    expect((await store.images.listImages({ favorite: false })).length).toBe(5);
    expect((await store.images.setFavorite(first!.id, false)).favorite).toBe(false);
    expect(await store.images.listImages({ favorite: true })).toEqual([]);

    expect((await store.images.setDiscarded(first!.id, true)).discarded).toBe(true);
    expect((await store.images.getImage(first!.id))?.discarded).toBe(true);
    expect((await store.images.setDiscarded(first!.id, false)).discarded).toBe(false);

    expect(await rejectionOf(store.images.setFavorite('missing', true))).toEqual({ code: 'not_found', message: 'Image missing does not exist.' });
    expect((await rejectionOf(store.images.setDiscarded('missing', true)))?.code).toBe('not_found');
  });

  it('pages a job’s results in completion order with references, provider, model and cost share, and filters them', async () => {
    const { store } = await openStoreWithImages();
    const page = await store.images.listResults({ jobId: 'job-1', limit: 3 });
    expect(page.map((image) => image.createdAtMs)).toEqual([baseMs + 100, baseMs + 100, baseMs + 200]);
    expect(page[0]).toMatchObject({ referenceAssetIds: ['asset-lamp', 'asset-chair'], referenceNames: ['lamp.png', 'Chair Photo.png'], provider: 'local', model: 'variations-v1' });
    // A call's cost is shared by the images it made.
    expect(page[0]?.costUsd).toBeCloseTo(0.02);
    expect(page[2]?.costUsd).toBeCloseTo(0.04);
    const last = page[2]!;
    const rest = await store.images.listResults({ jobId: 'job-1', limit: 10, after: { createdAtMs: last.createdAtMs, id: last.id } });
    expect(rest.map((image) => image.createdAtMs)).toEqual([baseMs + 300, baseMs + 300]);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, promptContains: 'RED CHAIR 1' })).length).toBe(1);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, sourceContains: 'photo' })).length).toBe(5);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, sourceContains: 'sofa' })).length).toBe(0);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, promptId: 'prompt-2' })).length).toBe(2);
    await store.images.setDiscarded(page[0]!.id, true);
    await store.images.setFavorite(page[1]!.id, true);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, discarded: false })).length).toBe(4);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, discarded: true })).map((image) => image.id)).toEqual([page[0]!.id]);
    expect((await store.images.listResults({ jobId: 'job-1', limit: 10, favorite: true })).map((image) => image.id)).toEqual([page[1]!.id]);
  });

  it('pages a group’s images newest first and counts what a list matches, ignoring its cursor', async () => {
    const { store, groupId } = await openStoreWithImages();
    const first = await store.images.listGroupImages({ groupId, limit: 2 });
    expect(first.map((image) => image.createdAtMs)).toEqual([baseMs + 300, baseMs + 300]);
    const last = first[1]!;
    const second = await store.images.listGroupImages({ groupId, limit: 10, after: { createdAtMs: last.createdAtMs, id: last.id } });
    expect(second.map((image) => image.createdAtMs)).toEqual([baseMs + 200, baseMs + 100, baseMs + 100]);
    expect(new Set([...first, ...second].map((image) => image.id)).size).toBe(5);
    expect((await store.images.listGroupImages({ groupId, jobId: 'job-2', limit: 10 })).length).toBe(0);

    expect(await store.images.countImages({ groupId })).toBe(5);
    expect(await store.images.countImages({})).toBe(6);
    expect(await store.images.countImages({ jobId: 'job-1', promptContains: 'red chair 2' })).toBe(2);
    expect(await store.images.countImages({ groupId, promptId: 'prompt-2' })).toBe(2);
    expect(await store.images.countImages({ groupId, sourceContains: 'CHAIR' })).toBe(5);
    await store.images.setDiscarded(first[0]!.id, true);
    expect(await store.images.countImages({ groupId, discarded: false })).toBe(4);
    expect(await store.images.countImages({ groupId, favorite: true })).toBe(0);
  });

  it('lists a group’s images for export in job then plan then index order, leaving discarded ones out unless asked for by id', async () => {
    const { store, groupId } = await openStoreWithImages();
    const exported = await store.images.listForExport({ groupId });
    expect(exported.map((image) => [image.taskId, image.index])).toEqual([
      [taskIdOf('job-1', 0), 0],
      [taskIdOf('job-1', 0), 1],
      [taskIdOf('job-1', 1), 0],
      [taskIdOf('job-1', 2), 0],
      [taskIdOf('job-1', 2), 1],
    ]);
    expect(exported[0]).toMatchObject({ provider: 'local', model: 'variations-v1', jobName: 'Contract job', jobMode: 'studio', referenceAssetIds: ['asset-lamp', 'asset-chair'], crc32: 0xfedcba98 });
    expect(exported[1]!.crc32).toBeUndefined();
    await store.images.setDiscarded(exported[0]!.id, true);
    await store.images.setFavorite(exported[4]!.id, true);
    expect((await store.images.listForExport({ groupId })).length).toBe(4);
    expect((await store.images.listForExport({ groupId, favoritesOnly: true })).map((image) => image.id)).toEqual([exported[4]!.id]);
    expect((await store.images.listForExport({ groupId, imageIds: [exported[0]!.id, exported[2]!.id, exported[0]!.id] })).map((image) => image.id)).toEqual([exported[0]!.id, exported[2]!.id]);
    expect((await store.images.listForExport({ groupId, jobId: 'job-2' })).length).toBe(0);
  });
});
