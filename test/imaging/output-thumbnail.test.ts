import { readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureOutputThumbnail } from '../../src/imaging/output-thumbnail.js';
import { writeOutputImage } from '../../src/imaging/output-image-writer.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { makeTempDir } from '../support/temp-dir.js';

// Thumbnails are written without fsync (decision 0048): after a power cut one may be missing,
// empty or torn. A fresh FileBlobStore on the same root stands for the process that starts after,
// and a damaged file is dated before this boot, as one torn by a power cut would be.
let directory: string;
let cleanup: () => Promise<void>;
let root: string;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTempDir('imagefleet-output-thumbnail-'));
  root = path.join(directory, 'blobs');
});
afterEach(async () => {
  await cleanup();
});

async function storedOutput() {
  const bytes = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
  const stored = await writeOutputImage(new FileBlobStore(root), { jobId: 'job-1', taskId: 'task-1', index: 0, bytes, mediaType: 'image/png' });
  const thumbnailPath = new FileBlobStore(root).pathOf(stored.thumbnailKey);
  return { stored, thumbnailPath, original: await readFile(thumbnailPath) };
}

/** Dates a file an hour before the running OS booted. */
async function fromBeforeThisBoot(filePath: string): Promise<void> {
  const beforeBootSeconds = Date.now() / 1000 - uptime() - 3600;
  await utimes(filePath, beforeBootSeconds, beforeBootSeconds);
}

async function expectRebuilt(thumbnailPath: string, original: Buffer, stored: { fileKey: string; thumbnailKey: string }) {
  const afterRestart = new FileBlobStore(root);
  expect(await ensureOutputThumbnail(afterRestart, stored)).toBe(stored.thumbnailKey);
  const rebuilt = await readFile(thumbnailPath);
  expect(rebuilt.equals(original)).toBe(true);
  const metadata = await sharp(rebuilt).metadata();
  expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 384, 256]);
}

describe('ensureOutputThumbnail', () => {
  it('keeps an intact thumbnail as it is, also one from before this boot (decoded, not rewritten)', async () => {
    const { stored, thumbnailPath } = await storedOutput();
    await fromBeforeThisBoot(thumbnailPath);
    const before = await stat(thumbnailPath);
    await ensureOutputThumbnail(new FileBlobStore(root), stored);
    // A rebuild would replace the file by rename: a new inode.
    expect((await stat(thumbnailPath)).ino).toBe(before.ino);
  });

  it('rebuilds a missing thumbnail from the output', async () => {
    const { stored, thumbnailPath, original } = await storedOutput();
    await rm(thumbnailPath);
    await expectRebuilt(thumbnailPath, original, stored);
  });

  it('rebuilds an empty thumbnail (renamed, its data never flushed)', async () => {
    const { stored, thumbnailPath, original } = await storedOutput();
    await truncate(thumbnailPath, 0);
    await expectRebuilt(thumbnailPath, original, stored);
  });

  it('rebuilds a thumbnail cut short', async () => {
    const { stored, thumbnailPath, original } = await storedOutput();
    await truncate(thumbnailPath, Math.floor(original.byteLength / 2));
    await fromBeforeThisBoot(thumbnailPath);
    await expectRebuilt(thumbnailPath, original, stored);
  });

  it('rebuilds a thumbnail of the right length whose data blocks are zeros', async () => {
    const { stored, thumbnailPath, original } = await storedOutput();
    const torn = Buffer.from(original);
    torn.fill(0, 40);
    await writeFile(thumbnailPath, torn);
    await fromBeforeThisBoot(thumbnailPath);
    await expectRebuilt(thumbnailPath, original, stored);
  });

  it('trusts a non-empty thumbnail written during this boot without decoding it (no power cut can have torn it)', async () => {
    const { stored, thumbnailPath } = await storedOutput();
    await truncate(thumbnailPath, 30); // cut short by hand, not by a power cut: dated now
    await ensureOutputThumbnail(new FileBlobStore(root), stored);
    expect((await stat(thumbnailPath)).size).toBe(30);
  });

  it('refuses with not_found when the output itself is gone', async () => {
    const { stored, thumbnailPath } = await storedOutput();
    await rm(thumbnailPath);
    await rm(new FileBlobStore(root).pathOf(stored.fileKey));
    await expect(ensureOutputThumbnail(new FileBlobStore(root), stored)).rejects.toMatchObject({ code: 'not_found' });
  });
});
