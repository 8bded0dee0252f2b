import { readdir } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutputImageWriter, writeOutputImage } from '../../src/imaging/output-image-writer.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { makeTempDir } from '../support/temp-dir.js';

let directory: string;
let cleanup: () => Promise<void>;
let blobs: FileBlobStore;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTempDir('imagefleet-imaging-'));
  blobs = new FileBlobStore(path.join(directory, 'blobs'));
});
afterEach(async () => {
  await cleanup();
});

function pngOf(width: number, height: number, red: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: red, g: 40, b: 90 } } }).png().toBuffer();
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name))).sort();
}

describe('writeOutputImage', () => {
  it('puts the output and its WebP thumbnail under keys named by job, task and index', async () => {
    const bytes = await pngOf(1000, 600, 10);
    const result = await writeOutputImage(blobs, { jobId: 'job-1', taskId: 'task-7', index: 2, bytes, mediaType: 'image/png' });
    expect(result).toEqual({ fileKey: 'outputs/job-1/task-7-2.png', thumbnailKey: 'thumbnails/job-1/task-7-2.webp', byteSize: bytes.byteLength, crc32: zlib.crc32(bytes) });
    expect(Buffer.from(await blobs.read(result.fileKey)).equals(bytes)).toBe(true);
    const metadata = await sharp(Buffer.from(await blobs.read(result.thumbnailKey))).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 384, 230]);
  });

  it('overwrites the same output: one file, the latest bytes, no temp files', async () => {
    const writer = createOutputImageWriter(blobs);
    const first = await pngOf(64, 64, 10);
    const second = await pngOf(64, 64, 250);
    await writer.writeOutput({ jobId: 'job-1', taskId: 'task-1', index: 0, bytes: first, mediaType: 'image/png' });
    const result = await writer.writeOutput({ jobId: 'job-1', taskId: 'task-1', index: 0, bytes: second, mediaType: 'image/png' });
    expect(await listFiles(blobs.rootDirectory)).toEqual([path.join('outputs', 'job-1', 'task-1-0.png'), path.join('thumbnails', 'job-1', 'task-1-0.webp')]);
    expect(Buffer.from(await blobs.read(result.fileKey)).equals(second)).toBe(true);
  });

  it('refuses bytes that are not an image, writing nothing', async () => {
    await expect(writeOutputImage(blobs, { jobId: 'job-1', taskId: 'task-1', index: 0, bytes: Buffer.from('<html>not an image</html>'), mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(readdir(blobs.rootDirectory)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses ids that would change the output key, writing nothing', async () => {
    const bytes = await pngOf(8, 8, 0);
    await expect(writeOutputImage(blobs, { jobId: '../x', taskId: 'task-1', index: 0, bytes, mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(writeOutputImage(blobs, { jobId: 'job-1', taskId: 'a/b', index: 0, bytes, mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(writeOutputImage(blobs, { jobId: 'job-1', taskId: 'task-1', index: -1, bytes, mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(readdir(blobs.rootDirectory)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
