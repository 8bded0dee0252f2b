import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { writeOutputImage } from '../../src/imaging/output-image-writer.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { writeFileAtomic } from '../../src/platform/write-file-atomic.js';
import { describeBlobStoreContract } from './blob-store-contract.js';
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

  it('without durability (derived data) still replaces the file whole and leaves no temp file', async () => {
    const target = path.join(directory, 'derived', 'thumb.webp');
    await writeFileAtomic(target, Buffer.from('first'), { createDirectories: true, durable: false });
    await writeFileAtomic(target, Buffer.from('second version'), { durable: false });
    expect(await readFile(target, 'utf8')).toBe('second version');
    expect(await listFiles(directory)).toEqual([path.join('derived', 'thumb.webp')]);
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

describeBlobStoreContract('files', async () => {
  const temporary = await makeTemporaryDirectory();
  return { blobs: new FileBlobStore(path.join(temporary.directory, 'blobs')), cleanup: temporary.cleanup };
});

describe('FileBlobStore', () => {
  it('puts a blob atomically at the path its key names, leaving no temp file', async () => {
    await store.put('outputs/job-1/task-1-0.png', Buffer.from('first version'), { contentType: 'image/png' });
    await store.put('outputs/job-1/task-1-0.png', Buffer.from('second'), { contentType: 'image/png' });
    expect(await readFile(path.join(store.rootDirectory, 'outputs', 'job-1', 'task-1-0.png'), 'utf8')).toBe('second');
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('outputs', 'job-1', 'task-1-0.png')]);
  });

  it('leaves no temp file when a streamed put fails midway', async () => {
    await store.put('outputs/job-1/a.png', Buffer.from('old'), { contentType: 'image/png' });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(Buffer.from('partial'));
      throw new Error('source broke');
    }
    await expect(store.put('outputs/job-1/a.png', failing(), { contentType: 'image/png' })).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('outputs', 'job-1', 'a.png')]);
  });

  it('says a folder is no blob, and removes a prefix as the folder it names', async () => {
    await store.put('outputs/job-1/a-0.png', Buffer.from('a'), { contentType: 'image/png' });
    expect(await store.stat('outputs/job-1')).toBeUndefined();
    await store.deletePrefix('outputs/job-1/');
    await expect(readdir(path.join(store.rootDirectory, 'outputs'))).resolves.toEqual([]);
  });

  it('materializes a blob as the stored file itself (so the CLI tree can hard-link it)', async () => {
    await store.put('outputs/job-1/m-0.png', Buffer.from('bytes'), { contentType: 'image/png' });
    const materialized = await store.materialize('outputs/job-1/m-0.png');
    expect(materialized.filePath).toBe(store.pathOf('outputs/job-1/m-0.png'));
    expect(materialized.isStoredFile).toBe(true);
    await materialized.release();
    expect(await readFile(materialized.filePath, 'utf8')).toBe('bytes');
  });

  it('reads a blob at positions into the caller\'s buffer, 0 bytes past its end, and not_found when missing', async () => {
    await store.put('outputs/job-1/r-0.png', Buffer.from('0123456789'), { contentType: 'image/png' });
    const reader = await store.openReader('outputs/job-1/r-0.png');
    const buffer = Buffer.alloc(8);
    expect(await reader.read(buffer, 4, 3)).toBe(4);
    expect(buffer.subarray(0, 4).toString()).toBe('3456');
    expect(await reader.read(buffer, 8, 7)).toBe(3);
    expect(buffer.subarray(0, 3).toString()).toBe('789');
    expect(await reader.read(buffer, 8, 10)).toBe(0);
    await reader.close();
    await reader.close();
    await expect(store.openReader('outputs/job-1/nothing-0.png')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('creates nothing for a refused key', async () => {
    await expect(store.put('../x', Buffer.from('x'), { contentType: 'image/png' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(readdir(store.rootDirectory)).rejects.toMatchObject({ code: 'ENOENT' });
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
        Array.from({ length: 40 }, (_, index) => writeOutputImage(store, { jobId: 'job-1', taskId: `task-${index}`, index: 0, bytes: new Uint8Array(png), mediaType: 'image/png' })),
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
