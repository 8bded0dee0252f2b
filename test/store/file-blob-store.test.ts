import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import { writeOutputImage } from '../../src/imaging/output-image-writer.js';
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

/** Every file under `root`, relative, recursively. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function streamText(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
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
  it('puts a blob atomically at the path its key names, replacing the old bytes, leaving no temp file', async () => {
    await store.put('outputs/job-1/task-1-0.png', Buffer.from('first version'), { contentType: 'image/png' });
    await store.put('outputs/job-1/task-1-0.png', Buffer.from('second'), { contentType: 'image/png' });
    expect(await readFile(path.join(store.rootDirectory, 'outputs', 'job-1', 'task-1-0.png'), 'utf8')).toBe('second');
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('outputs', 'job-1', 'task-1-0.png')]);
  });

  it('puts a stream without holding it whole, and reads it back', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 5; index += 1) yield await Promise.resolve(Buffer.from(`chunk ${index};`));
    }
    await store.put('assets/ab/streamed.png', chunks(), { contentType: 'image/png' });
    expect(Buffer.from(await store.read('assets/ab/streamed.png')).toString()).toBe('chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;');
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('assets', 'ab', 'streamed.png')]);
  });

  it('keeps the old bytes and no temp file when a streamed put fails midway', async () => {
    await store.put('outputs/job-1/a.png', Buffer.from('old'), { contentType: 'image/png' });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(Buffer.from('partial'));
      throw new Error('source broke');
    }
    await expect(store.put('outputs/job-1/a.png', failing(), { contentType: 'image/png' })).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(await readFile(store.pathOf('outputs/job-1/a.png'), 'utf8')).toBe('old');
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('outputs', 'job-1', 'a.png')]);
  });

  it('gets a whole blob or a range, with the size of the whole blob', async () => {
    await store.put('outputs/job-1/range.png', Buffer.from('0123456789'), { contentType: 'image/png' });
    const whole = await store.get('outputs/job-1/range.png');
    expect(whole.byteSize).toBe(10);
    expect((await streamText(whole.stream))).toBe('0123456789');
    const middle = await store.get('outputs/job-1/range.png', { offsetBytes: 3, lengthBytes: 4 });
    expect(middle.byteSize).toBe(10);
    expect(await streamText(middle.stream)).toBe('3456');
    expect(await streamText((await store.get('outputs/job-1/range.png', { offsetBytes: 7 })).stream)).toBe('789');
    expect(await streamText((await store.get('outputs/job-1/range.png', { offsetBytes: 8, lengthBytes: 50 })).stream)).toBe('89');
    expect(await streamText((await store.get('outputs/job-1/range.png', { offsetBytes: 0, lengthBytes: 0 })).stream)).toBe('');
    await expect(store.get('outputs/job-1/range.png', { offsetBytes: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.get('outputs/job-1/range.png', { offsetBytes: 0, lengthBytes: 1.5 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.get('outputs/job-1/absent.png')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stats a blob (size and write time) and says undefined for a missing one or a folder', async () => {
    const before = Date.now();
    await store.put('thumbnails/job-1/t-0.webp', Buffer.from('webp!'), { contentType: 'image/webp' });
    const stats = await store.stat('thumbnails/job-1/t-0.webp');
    expect(stats?.byteSize).toBe(5);
    expect(stats!.modifiedAtMs).toBeGreaterThanOrEqual(before - 1000);
    expect(Number.isInteger(stats!.modifiedAtMs)).toBe(true);
    expect(await store.stat('thumbnails/job-1/absent.webp')).toBeUndefined();
    expect(await store.stat('thumbnails/job-1')).toBeUndefined();
  });

  it('deletes given blobs (missing ones are fine) and whole prefixes', async () => {
    for (const key of ['outputs/job-1/a-0.png', 'outputs/job-1/b-0.png', 'thumbnails/job-1/a-0.webp', 'outputs/job-2/a-0.png']) {
      await store.put(key, Buffer.from(key), { contentType: 'image/png' });
    }
    await store.delete(['outputs/job-1/a-0.png', 'outputs/job-1/never-0.png']);
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('outputs', 'job-1', 'b-0.png'), path.join('outputs', 'job-2', 'a-0.png'), path.join('thumbnails', 'job-1', 'a-0.webp')]);
    await store.deletePrefix('outputs/job-1/');
    await store.deletePrefix('thumbnails/job-1/');
    await store.deletePrefix('outputs/job-9/');
    expect(await listFiles(store.rootDirectory)).toEqual([path.join('outputs', 'job-2', 'a-0.png')]);
    // A folder removed behind the store's back (its known-directory cache) is made again on the next put.
    await store.put('outputs/job-1/c-0.png', Buffer.from('again'), { contentType: 'image/png' });
    expect(await readFile(store.pathOf('outputs/job-1/c-0.png'), 'utf8')).toBe('again');
    await expect(store.deletePrefix('outputs/job-1')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.deletePrefix('../')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('materializes a blob as the stored file itself (so the CLI tree can hard-link it)', async () => {
    await store.put('outputs/job-1/m-0.png', Buffer.from('bytes'), { contentType: 'image/png' });
    const materialized = await store.materialize('outputs/job-1/m-0.png');
    expect(materialized.filePath).toBe(store.pathOf('outputs/job-1/m-0.png'));
    expect(materialized.isStoredFile).toBe(true);
    await materialized.release();
    expect(await readFile(materialized.filePath, 'utf8')).toBe('bytes');
    await expect(store.materialize('outputs/job-1/absent.png')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses unsafe keys in every method', async () => {
    for (const key of ['', '../secret', 'outputs/../../secret', '/etc/passwd', 'outputs//x']) {
      await expect(store.put(key, Buffer.from('x'), { contentType: 'image/png' }), JSON.stringify(key)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.get(key)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.read(key)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.stat(key)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.delete([key])).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(store.materialize(key)).rejects.toMatchObject({ code: 'invalid_input' });
    }
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
