/**
 * The `BlobStore` port's documented behaviour (src/engine/ports/blob-store.ts), proved on every blob
 * adapter: files and S3 (s3rver on loopback). Tests use the port only; what an adapter does beyond
 * it (paths, addressing, retries) is tested in that adapter's own file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../../src/core/errors.js';
import type { BlobStore } from '../../../src/engine/ports.js';
import { FileBlobStore } from '../../../src/store/blobs/file-blob-store.js';
import { S3BlobStore } from '../../../src/store/blobs/s3-blob-store.js';
import { startS3Server, type RunningS3Server } from '../../support/s3-server.js';
import { makeTempDir } from '../../support/temp-dir.js';

interface OpenedBlobStore {
  store: BlobStore;
  cleanup(): Promise<void>;
}

interface BlobStoreFactory {
  /** Shown in the test name. */
  name: string;
  /** Started once for the file (a server, …). */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A fresh, empty store. */
  open(): Promise<OpenedBlobStore>;
}

const fileFactory: BlobStoreFactory = {
  name: 'files',
  setUp: () => Promise.resolve(),
  tearDown: () => Promise.resolve(),
  async open() {
    const temporary = await makeTempDir('imagefleet-blob-contract-');
    return { store: new FileBlobStore(path.join(temporary.directory, 'blobs')), cleanup: temporary.cleanup };
  },
};

let s3Server: RunningS3Server | undefined;
let s3StoreCount = 0;
const s3Factory: BlobStoreFactory = {
  name: 's3',
  async setUp() {
    s3Server = await startS3Server();
  },
  async tearDown() {
    await s3Server?.stop();
  },
  async open() {
    const server = s3Server;
    if (server === undefined) throw new Error('s3rver is not running');
    // A fresh prefix is an empty store; small parts so multipart uploads are exercised too.
    s3StoreCount += 1;
    const temporary = await makeTempDir('imagefleet-blob-contract-');
    const store = new S3BlobStore(server.locationWith(`contract-${s3StoreCount}/`), { partSizeBytes: 1024, temporaryDirectory: temporary.directory });
    return { store, cleanup: temporary.cleanup };
  },
};

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function streamText(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

async function codeOf(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    if (!isImagefleetError(error)) throw error;
    return error.code;
  }
}

async function* inChunks(value: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = text(value);
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    await Promise.resolve(); // a real source yields between chunks
    yield bytes.slice(offset, offset + size);
  }
}

describe.each([fileFactory, s3Factory])('BlobStore contract ($name)', (factory) => {
  let store: BlobStore;
  let cleanup: () => Promise<void>;

  beforeAll(() => factory.setUp());
  afterAll(() => factory.tearDown());
  beforeEach(async () => {
    const opened = await factory.open();
    store = opened.store;
    cleanup = () => opened.cleanup();
  });
  afterEach(async () => {
    await cleanup();
  });

  it('put then read returns the bytes; a second put replaces them', async () => {
    await store.put('assets/ab/one.png', text('first'), { contentType: 'image/png' });
    await store.put('assets/ab/one.png', text('second'), { contentType: 'image/png' });
    expect(Buffer.from(await store.read('assets/ab/one.png')).toString()).toBe('second');
  });

  it('put accepts a stream, small or larger than any internal buffer', async () => {
    const long = 'x'.repeat(3000) + 'end';
    await store.put('outputs/j1/t1-0.png', inChunks('streamed', 3), { contentType: 'image/png' });
    await store.put('outputs/j1/t1-1.png', inChunks(long, 700), { contentType: 'image/png' });
    expect(Buffer.from(await store.read('outputs/j1/t1-0.png')).toString()).toBe('streamed');
    expect(Buffer.from(await store.read('outputs/j1/t1-1.png')).toString()).toBe(long);
  });

  it('get streams the blob with its size and time; stat agrees', async () => {
    const before = Date.now();
    await store.put('outputs/j1/t1-0.png', text('0123456789'), { contentType: 'image/png' });
    const opened = await store.get('outputs/j1/t1-0.png');
    expect(await streamText(opened.stream)).toBe('0123456789');
    expect(opened.byteSize).toBe(10);
    // Stores may keep whole seconds.
    expect(opened.modifiedAtMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(await store.stat('outputs/j1/t1-0.png')).toEqual({ byteSize: 10, modifiedAtMs: opened.modifiedAtMs });
  });

  it('get of a range returns those bytes (fewer when the blob is shorter) and the whole size', async () => {
    await store.put('outputs/j1/t1-0.png', text('0123456789'), { contentType: 'image/png' });
    const readRange = async (offsetBytes: number, lengthBytes?: number): Promise<[string, number]> => {
      const opened = await store.get('outputs/j1/t1-0.png', lengthBytes === undefined ? { offsetBytes } : { offsetBytes, lengthBytes });
      return [await streamText(opened.stream), opened.byteSize];
    };
    expect(await readRange(0)).toEqual(['0123456789', 10]);
    expect(await readRange(4, 2)).toEqual(['45', 10]);
    expect(await readRange(6)).toEqual(['6789', 10]);
    expect(await readRange(9, 5)).toEqual(['9', 10]);
    expect(await readRange(2, 0)).toEqual(['', 10]);
    expect(await codeOf(() => store.get('outputs/j1/t1-0.png', { offsetBytes: 1.5 }))).toBe('invalid_input');
  });

  it('a missing blob: get/read/materialize are not_found, stat is undefined', async () => {
    expect(await codeOf(() => store.get('outputs/none/t-0.png'))).toBe('not_found');
    expect(await codeOf(() => store.read('outputs/none/t-0.png'))).toBe('not_found');
    expect(await store.stat('outputs/none/t-0.png')).toBeUndefined();
    if (store.materialize !== undefined) {
      const materialize = store.materialize.bind(store);
      expect(await codeOf(() => materialize('outputs/none/t-0.png'))).toBe('not_found');
    }
  });

  it('delete removes the given blobs; missing ones are fine', async () => {
    await store.put('outputs/j1/t1-0.png', text('a'), { contentType: 'image/png' });
    await store.put('outputs/j1/t2-0.png', text('b'), { contentType: 'image/png' });
    await store.delete(['outputs/j1/t1-0.png', 'outputs/j1/never-0.png']);
    expect(await store.stat('outputs/j1/t1-0.png')).toBeUndefined();
    expect(await store.stat('outputs/j1/t2-0.png')).toBeDefined();
    await store.delete([]);
  });

  it('deletePrefix removes exactly the keys under the prefix, and is idempotent', async () => {
    for (const key of ['outputs/j1/t1-0.png', 'outputs/j1/t2-0.png', 'outputs/j10/t1-0.png', 'thumbnails/j1/t1-0.webp']) {
      await store.put(key, text(key), { contentType: 'image/png' });
    }
    await store.deletePrefix('outputs/j1/');
    expect(await store.stat('outputs/j1/t1-0.png')).toBeUndefined();
    expect(await store.stat('outputs/j1/t2-0.png')).toBeUndefined();
    expect(await store.stat('outputs/j10/t1-0.png')).toBeDefined();
    expect(await store.stat('thumbnails/j1/t1-0.webp')).toBeDefined();
    await store.deletePrefix('outputs/j1/');
    await store.deletePrefix('nothing/here/');
  });

  it('refuses unsafe keys and prefixes with invalid_input', async () => {
    for (const key of ['', '../escape', '/absolute', 'a/./b', 'a//b', 'back\\slash', 'nul\0']) {
      expect(await codeOf(() => store.put(key, text('x'), { contentType: 'image/png' }))).toBe('invalid_input');
      expect(await codeOf(() => store.get(key))).toBe('invalid_input');
      expect(await codeOf(() => store.read(key))).toBe('invalid_input');
      expect(await codeOf(() => store.stat(key))).toBe('invalid_input');
      expect(await codeOf(() => store.delete([key]))).toBe('invalid_input');
    }
    expect(await codeOf(() => store.deletePrefix('outputs/j1'))).toBe('invalid_input');
    expect(await codeOf(() => store.deletePrefix('../'))).toBe('invalid_input');
  });

  it('materialize (when offered) gives a readable local file; release is idempotent', async () => {
    if (store.materialize === undefined) return;
    await store.put('outputs/j1/t1-0.png', text('local copy'), { contentType: 'image/png' });
    const materialized = await store.materialize('outputs/j1/t1-0.png');
    expect(path.isAbsolute(materialized.filePath)).toBe(true);
    expect(await readFile(materialized.filePath, 'utf8')).toBe('local copy');
    await materialized.release();
    await materialized.release();
    expect(Buffer.from(await store.read('outputs/j1/t1-0.png')).toString()).toBe('local copy');
  });

  it('signedUrl (when offered) serves the blob without this process', async () => {
    if (store.signedUrl === undefined) return;
    await store.put('assets/cd/two.webp', text('signed bytes'), { contentType: 'image/webp' });
    const response = await fetch(await store.signedUrl('assets/cd/two.webp', 60_000));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('signed bytes');
  });
});
