import { blobFilePath } from '../support/blob-file-path.js';
import { readdir, readFile, stat, writeFile, chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { isImagefleetError } from '../../src/core/errors.js';
import { readPngTextChunks } from '../../src/core/png-text-chunks.js';
import { readLikeSdParsers } from '../support/a1111-readers.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { waitFor } from '../support/engine-harness.js';
import { makeTempDir } from '../support/temp-dir.js';

async function referencePng(hue: number): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: hue, g: 255 - hue, b: 120 } } })
      .composite([{ input: Buffer.from('<svg width="96" height="64"><circle cx="48" cy="32" r="20" fill="white"/></svg>') }])
      .png()
      .toBuffer(),
  );
}

describe('fleet: submit to finished images', () => {
  let temp: { directory: string; cleanup: () => Promise<void> };
  let fleet: Fleet | undefined;

  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
    await temp.cleanup();
  });

  const open = async (env: Record<string, string> = {}): Promise<Fleet> => {
    fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: path.join(temp.directory, 'data'), ...env }));
    return fleet;
  };

  it('runs an automatic job on the local provider: images, thumbnails, provenance, job completed', async () => {
    const running = await open();
    const first = await running.importAsset(await referencePng(30), 'red.png');
    const second = await running.importAsset(await referencePng(200), 'green.png');
    const again = await running.importAsset(await referencePng(30), 'red-again.png');
    expect(again.id).toBe(first.id);

    const { job, plan } = await running.submitJob({
      mode: 'automatic',
      referenceAssetIds: [first.id, second.id],
      prompt: 'warm vintage product shot',
      variationsPerImage: 2,
      settings: { size: '512', aspectRatio: '4:3', negativePrompt: 'blurry' },
    });
    expect(plan.tasks).toHaveLength(4);
    running.start();
    await waitFor(async () => (await running.store.jobs.getJob(job!.id))?.status === 'completed', 20_000, 'job completed');

    const images = await running.store.images.listImages({ jobId: job!.id, limit: 100 });
    expect(images).toHaveLength(4);
    for (const image of images) {
      const bytes = await readFile(blobFilePath(running.blobs, image.fileKey));
      const metadata = await sharp(bytes).metadata();
      expect([metadata.width, metadata.height]).toEqual([image.width, image.height]);
      expect(image.width / image.height).toBeCloseTo(4 / 3, 1);
      const chunks = readPngTextChunks(new Uint8Array(bytes));
      expect(chunks.parameters).toContain('warm vintage product shot');
      expect(chunks.parameters).toContain(`Seed: ${image.seed}`);
      // The local model has no negative prompt: it is not recorded as if it shaped the image.
      expect(chunks.parameters).not.toContain('Negative prompt');
      expect(readLikeSdParsers(chunks.parameters ?? '')).toMatchObject({ prompt: 'warm vintage product shot', negativePrompt: '', sampling: { Seed: String(image.seed) }, model: 'local-transform' });
      expect(JSON.parse(chunks.imagefleet!)).toMatchObject({ jobId: job!.id, taskId: image.taskId, provider: 'local' });
      const thumbnail = await sharp(await readFile(blobFilePath(running.blobs, image.thumbnailKey))).metadata();
      expect(thumbnail.format).toBe('webp');
    }
    const health = await running.health();
    expect(health.providers.map((provider) => provider.id)).toContain('local');
    expect(health.status).toBe('ok');
  });

  it('refuses a malformed spec naming the field, and writes nothing', async () => {
    const running = await open();
    const error = await running.submitJob({ mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'x', count: 0 }] }] }).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('invalid_input');
    expect(isImagefleetError(error) && error.issues.map((issue) => issue.path)).toContain('items.0.prompts.0.count');
    const unknownAsset = await running.submitJob({ mode: 'automatic', referenceAssetIds: ['nope'], prompt: 'x' }).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(unknownAsset) && unknownAsset.code).toBe('invalid_input');
    const unknownProvider = await running.submitJob({ mode: 'automatic', provider: 'dalle', referenceAssetIds: ['nope'], prompt: 'x' }).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(unknownProvider) && unknownProvider.issues[0]?.path).toBe('provider');
    expect(await running.store.jobs.listJobs({})).toHaveLength(0);
  });

  it('a dry run plans and estimates without writing anything', async () => {
    const running = await open();
    const result = await running.submitJob(
      { mode: 'studio', batchSize: 4, seed: 7, items: [{ referenceAssetIds: [], prompts: [{ text: 'a lighthouse at dusk', count: 40 }] }] },
      { dryRun: true },
    );
    expect(result.job).toBeUndefined();
    expect(result.plan.estimate.imageCount).toBe(40);
    expect(new Set(result.plan.tasks.map((task) => task.setIndex)).size).toBe(10);
    expect(result.plan.tasks[0]?.seed).toBe(7);
    expect(await running.store.jobs.listJobs({})).toHaveLength(0);
    expect(await running.store.groups.listGroupSummaries()).toHaveLength(0);
  });

  it('refuses a file that is not an image, by its bytes', async () => {
    const running = await open();
    const error = await running.importAsset(new TextEncoder().encode('<html>not a png</html>'), 'fake.png').catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('invalid_input');
    expect(isImagefleetError(error) && error.message).toMatch(/fake\.png is not an image/);
  });

  it('strips metadata from stored references', async () => {
    const running = await open();
    const withExif = await sharp(await referencePng(90)).jpeg().withExif({ IFD0: { Copyright: 'secret-location' } }).toBuffer();
    const asset = await running.importAsset(new Uint8Array(withExif), 'photo.jpg');
    const stored = await running.store.assets.getAsset(asset.id);
    const metadata = await sharp(await readFile(blobFilePath(running.blobs, stored!.blobKey))).metadata();
    expect(metadata.exif).toBeUndefined();
  });

  it('stops the start with one clear sentence when the data directory is unusable', async () => {
    const blocker = path.join(temp.directory, 'file-in-the-way');
    await writeFile(blocker, 'x');
    const error = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: path.join(blocker, 'data') })).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
    expect(isImagefleetError(error) && error.message).toMatch(/^Cannot use the data directory .*IMAGEFLEET_DATA_DIR/);
  });

  it('stops the start with one clear sentence when the database is corrupt', async () => {
    const dataDir = path.join(temp.directory, 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'imagefleet.db'), Buffer.alloc(8192, 7));
    const error = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir })).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
    expect(isImagefleetError(error) && error.message).toMatch(/corrupt|not a database/);
  });

  it.skipIf(process.getuid?.() === 0)('stops the start when the data directory is read-only', async () => {
    // Root ignores file permissions, so this case is only checkable as a normal user.
    const dataDir = path.join(temp.directory, 'readonly');
    await mkdir(dataDir);
    await chmod(dataDir, 0o500);
    const error = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir })).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
  });

  it('writes no temporary files that survive a completed job', async () => {
    const running = await open();
    const { job } = await running.submitJob({ mode: 'studio', items: [{ referenceAssetIds: [], prompts: [{ text: 'tide pools', count: 4 }] }], settings: { size: '512' } });
    running.start();
    await waitFor(async () => (await running.store.jobs.getJob(job!.id))?.status === 'completed', 20_000, 'job completed');
    const outputs = await readdir(path.join(running.config.blobsDir, 'outputs', job!.id));
    expect(outputs.filter((name) => name.includes('.tmp'))).toEqual([]);
    expect(outputs).toHaveLength(4);
    expect((await stat(path.join(running.config.blobsDir, 'outputs', job!.id, outputs[0]!))).size).toBeGreaterThan(0);
  });
});
