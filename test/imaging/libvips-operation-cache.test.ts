import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { turnOffLibvipsOperationCache } from '../../src/imaging/libvips-operation-cache.js';
import { encodeReference } from '../../src/imaging/reference-image.js';
import { makeTempDir } from '../support/temp-dir.js';

/** Whether the process still maps `filePath` (Linux: /proc/self/maps lists a deleted file with " (deleted)"). */
async function isMapped(filePath: string): Promise<boolean> {
  return (await readFile('/proc/self/maps', 'utf8')).includes(filePath);
}

/** A JPEG temporary upload of `index` (distinct bytes, so no two operations are the same). */
async function writeUpload(directory: string, index: number): Promise<string> {
  const filePath = path.join(directory, `${index}.upload`);
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: (index * 40) % 256, g: 20, b: 30 } } }).jpeg().toBuffer();
  await writeFile(filePath, jpeg);
  return filePath;
}

describe.runIf(process.platform === 'linux')('libvips operation cache (issue 20)', () => {
  let directory: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ directory, cleanup } = await makeTempDir('imagefleet-vips-cache-'));
  });
  afterEach(async () => {
    sharp.cache(true);
    await cleanup();
  });

  it('with the cache on (sharp\'s default), a deleted upload stays mapped into the process', async () => {
    sharp.cache(true);
    const filePath = await writeUpload(directory, 1);
    await encodeReference(filePath, 'photo.jpg', 10_000_000);
    await rm(filePath);
    expect(await isMapped(filePath)).toBe(true);
  });

  it('a fleet turns it off: nothing of an imported upload stays mapped once its temporary file is deleted', async () => {
    sharp.cache(true);
    const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: path.join(directory, 'data') }));
    try {
      const filePaths: string[] = [];
      for (let index = 2; index < 6; index += 1) {
        const filePath = await writeUpload(directory, index);
        expect((await fleet.importAssetFile(filePath, 'photo.jpg')).created).toBe(true);
        await rm(filePath);
        filePaths.push(filePath);
      }
      for (const filePath of filePaths) expect(await isMapped(filePath)).toBe(false);
      expect(sharp.cache().items).toEqual({ current: 0, max: 0 });
    } finally {
      await fleet.stop();
    }
  });

  it('turning it off is idempotent', () => {
    turnOffLibvipsOperationCache();
    turnOffLibvipsOperationCache();
    expect(sharp.cache()).toMatchObject({ items: { max: 0 }, files: { max: 0 }, memory: { max: 0 } });
  });
});
