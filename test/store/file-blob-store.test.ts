import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { writeFileAtomic } from '../../src/store/blobs/write-file-atomic.js';
import { makeTemporaryDirectory } from './store-test-helpers.js';

let directory: string;
let cleanup: () => Promise<void>;
let store: FileBlobStore;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTemporaryDirectory());
  store = new FileBlobStore(path.join(directory, 'blobs'));
});
afterEach(async () => {
  await cleanup();
});

async function pngOf(width: number, height: number, red: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: red, g: 40, b: 90 } } }).png().toBuffer();
}

/** Every file under `root`, relative, recursively. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (!isImagefleetError(error)) throw error;
    return error.code;
  }
}

describe('writeFileAtomic', () => {
  it('writes the whole file, replaces an existing one, and leaves no temp file', async () => {
    const target = path.join(directory, 'nested', 'deeper', 'file.bin');
    await writeFileAtomic(target, Buffer.from('first'), { createDirectories: true });
    await writeFileAtomic(target, Buffer.from('second version'));
    expect(await readFile(target, 'utf8')).toBe('second version');
    expect(await listFiles(directory)).toEqual([path.join('nested', 'deeper', 'file.bin')]);
  });

  it('fails with storage_unavailable and removes its temp file when the rename fails', async () => {
    // A non-empty directory where the file should go makes rename() fail after the temp file is written.
    const target = path.join(directory, 'occupied');
    await mkdir(target);
    await writeFile(path.join(target, 'keep'), 'x');
    const error: unknown = await writeFileAtomic(target, Buffer.from('data')).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
    expect(isImagefleetError(error) && error.message).toContain(target);
    expect(await readdir(directory)).toEqual(['occupied']);
  });

  it('fails with storage_unavailable when the directory does not exist and may not be created', async () => {
    const target = path.join(directory, 'absent', 'file.bin');
    const error: unknown = await writeFileAtomic(target, Buffer.from('data')).catch((thrown: unknown) => thrown);
    expect(isImagefleetError(error) && error.code).toBe('storage_unavailable');
    expect(await readdir(directory)).toEqual([]);
  });
});

describe('FileBlobStore', () => {
  it('stores an asset under its SHA-256 once, without rewriting it', async () => {
    const bytes = await pngOf(32, 32, 200);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const key = await store.putAsset(sha, bytes, 'image/png');
    expect(key).toBe(`assets/${sha.slice(0, 2)}/${sha}.png`);
    const firstWrite = await stat(store.pathOf(key));

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.putAsset(sha, bytes, 'image/png')).toBe(key);
    const secondWrite = await stat(store.pathOf(key));
    expect(secondWrite.mtimeMs).toBe(firstWrite.mtimeMs);
    expect(secondWrite.ino).toBe(firstWrite.ino);
    expect(Buffer.from(await store.read(key)).equals(bytes)).toBe(true);
    expect(await listFiles(store.rootDirectory)).toEqual([key]);
  });

  it('refuses an asset whose hash does not match its bytes, or a malformed hash', async () => {
    const bytes = await pngOf(8, 8, 1);
    await expect(store.putAsset('0'.repeat(64), bytes, 'image/png')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.putAsset('../../etc/passwd', bytes, 'image/png')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.putAsset(createHash('sha256').update(bytes).digest('hex'), bytes, 'text/html')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('writes an output and a WebP thumbnail that fits inside 384 px', async () => {
    const bytes = await pngOf(1000, 600, 10);
    const result = await store.putOutput({ jobId: 'job-1', taskId: 'task-7', index: 2, bytes, mediaType: 'image/png' });
    expect(result).toEqual({ fileKey: 'outputs/job-1/task-7-2.png', thumbnailKey: 'thumbnails/job-1/task-7-2.webp', byteSize: bytes.byteLength });

    const thumbnail = Buffer.from(await store.read(result.thumbnailKey));
    expect(thumbnail.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(thumbnail.subarray(8, 12).toString('ascii')).toBe('WEBP');
    const metadata = await sharp(thumbnail).metadata();
    expect(metadata.format).toBe('webp');
    expect(metadata.width).toBe(384);
    expect(metadata.height).toBe(230); // 600 × 384/1000, aspect ratio kept
    expect(thumbnail.byteLength).toBeLessThan(bytes.byteLength);
  });

  it('does not enlarge a small output for its thumbnail', async () => {
    const result = await store.putOutput({ jobId: 'job-1', taskId: 'task-1', index: 0, bytes: await pngOf(100, 50, 0), mediaType: 'image/png' });
    const metadata = await sharp(Buffer.from(await store.read(result.thumbnailKey))).metadata();
    expect([metadata.width, metadata.height]).toEqual([100, 50]);
  });

  it('overwrites the same output key: one file, the latest bytes, no temp files', async () => {
    const first = await pngOf(64, 64, 10);
    const second = await pngOf(64, 64, 250);
    await store.putOutput({ jobId: 'job-1', taskId: 'task-1', index: 0, bytes: first, mediaType: 'image/png' });
    const result = await store.putOutput({ jobId: 'job-1', taskId: 'task-1', index: 0, bytes: second, mediaType: 'image/png' });
    expect(await listFiles(store.rootDirectory)).toEqual(['outputs/job-1/task-1-0.png', 'thumbnails/job-1/task-1-0.webp']);
    expect(Buffer.from(await store.read(result.fileKey)).equals(second)).toBe(true);
  });

  it('refuses bytes that are not an image, writing nothing', async () => {
    await expect(
      store.putOutput({ jobId: 'job-1', taskId: 'task-1', index: 0, bytes: Buffer.from('<html>not an image</html>'), mediaType: 'image/png' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(readdir(store.rootDirectory)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses ids that would change the output path', async () => {
    const bytes = await pngOf(8, 8, 0);
    await expect(store.putOutput({ jobId: '../x', taskId: 'task-1', index: 0, bytes, mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.putOutput({ jobId: 'job-1', taskId: 'a/b', index: 0, bytes, mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.putOutput({ jobId: 'job-1', taskId: 'task-1', index: -1, bytes, mediaType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('reports a missing blob as not_found', async () => {
    await expect(store.read('outputs/job-1/nothing-0.png')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('pathOf resolves keys under the root and refuses traversal', () => {
    expect(store.pathOf('outputs/job-1/task-1-0.png')).toBe(path.join(store.rootDirectory, 'outputs', 'job-1', 'task-1-0.png'));
    for (const key of [
      '',
      '../secret',
      'outputs/../../secret',
      'outputs/..',
      '..',
      '/etc/passwd',
      'C:/Windows/win.ini',
      'C:secret',
      'outputs\\..\\..\\secret',
      'outputs/job-1/a\0.png',
      'outputs//double',
      './outputs/x',
      'outputs/./x',
    ]) {
      expect(codeOf(() => store.pathOf(key)), JSON.stringify(key)).toBe('invalid_input');
    }
  });
});

describe('concurrent output writes', () => {
  it('lands every file whole when many writers share one directory (shared directory syncs)', async () => {
    const { directory, cleanup } = await makeTemporaryDirectory();
    try {
      const store = new FileBlobStore(directory);
      const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) => store.putOutput({ jobId: 'job-1', taskId: `task-${index}`, index: 0, bytes: new Uint8Array(png), mediaType: 'image/png' })),
      );
      for (const result of results) {
        expect(Buffer.compare(await readFile(store.pathOf(result.fileKey)), png)).toBe(0);
        expect((await sharp(await readFile(store.pathOf(result.thumbnailKey))).metadata()).format).toBe('webp');
      }
      expect((await readdir(path.join(directory, 'outputs', 'job-1'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
