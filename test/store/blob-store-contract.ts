/**
 * What every `BlobStore` adapter must do (src/engine/ports/blob-store.ts), as one suite: the file
 * adapter runs it now (test/store/file-blob-store.test.ts); an S3-compatible adapter runs the same
 * suite against a real bucket.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/engine/ports.js';

/** A fresh, empty store and how to dispose of it. */
export type OpenBlobStore = () => Promise<{ blobs: BlobStore; cleanup: () => Promise<void> }>;

async function streamText(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

const png = { contentType: 'image/png' };

export function describeBlobStoreContract(adapterName: string, open: OpenBlobStore): void {
  describe(`BlobStore contract: ${adapterName}`, () => {
    let blobs: BlobStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ blobs, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('puts bytes under a key and replaces them on a second put', async () => {
      await blobs.put('outputs/job-1/task-1-0.png', Buffer.from('first version'), png);
      await blobs.put('outputs/job-1/task-1-0.png', Buffer.from('second'), png);
      expect(Buffer.from(await blobs.read('outputs/job-1/task-1-0.png')).toString()).toBe('second');
      expect((await blobs.stat('outputs/job-1/task-1-0.png'))?.byteSize).toBe(6);
    });

    it('puts derived data without durability (durable: false) just as readable and replaceable', async () => {
      const webp = { contentType: 'image/webp', durable: false };
      await blobs.put('thumbnails/job-1/task-1-0.webp', Buffer.from('first version'), webp);
      await blobs.put('thumbnails/job-1/task-1-0.webp', Buffer.from('second'), webp);
      expect(Buffer.from(await blobs.read('thumbnails/job-1/task-1-0.webp')).toString()).toBe('second');
      expect((await blobs.stat('thumbnails/job-1/task-1-0.webp'))?.byteSize).toBe(6);
    });

    it('puts a stream', async () => {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let index = 0; index < 5; index += 1) yield await Promise.resolve(Buffer.from(`chunk ${index};`));
      }
      await blobs.put('assets/ab/streamed.png', chunks(), png);
      expect(Buffer.from(await blobs.read('assets/ab/streamed.png')).toString()).toBe('chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;');
    });

    it('keeps the old bytes when a streamed put fails midway', async () => {
      await blobs.put('outputs/job-1/a.png', Buffer.from('old'), png);
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield await Promise.resolve(Buffer.from('partial'));
        throw new Error('source broke');
      }
      await expect(blobs.put('outputs/job-1/a.png', failing(), png)).rejects.toBeDefined();
      expect(Buffer.from(await blobs.read('outputs/job-1/a.png')).toString()).toBe('old');
    });

    it('gets a whole blob or a range, with the size of the whole blob', async () => {
      await blobs.put('outputs/job-1/range.png', Buffer.from('0123456789'), png);
      const whole = await blobs.get('outputs/job-1/range.png');
      expect(whole.byteSize).toBe(10);
      expect(await streamText(whole.stream)).toBe('0123456789');
      const middle = await blobs.get('outputs/job-1/range.png', { offsetBytes: 3, lengthBytes: 4 });
      expect(middle.byteSize).toBe(10);
      expect(await streamText(middle.stream)).toBe('3456');
      expect(await streamText((await blobs.get('outputs/job-1/range.png', { offsetBytes: 7 })).stream)).toBe('789');
      expect(await streamText((await blobs.get('outputs/job-1/range.png', { offsetBytes: 8, lengthBytes: 50 })).stream)).toBe('89');
      expect(await streamText((await blobs.get('outputs/job-1/range.png', { offsetBytes: 0, lengthBytes: 0 })).stream)).toBe('');
      await expect(blobs.get('outputs/job-1/range.png', { offsetBytes: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(blobs.get('outputs/job-1/range.png', { offsetBytes: 0, lengthBytes: 1.5 })).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('reports a missing blob as not_found (get, read) or undefined (stat)', async () => {
      await expect(blobs.get('outputs/job-1/absent.png')).rejects.toMatchObject({ code: 'not_found' });
      await expect(blobs.read('outputs/job-1/absent.png')).rejects.toMatchObject({ code: 'not_found' });
      expect(await blobs.stat('outputs/job-1/absent.png')).toBeUndefined();
    });

    it('stats a blob: its size and a whole-millisecond write time', async () => {
      const before = Date.now();
      await blobs.put('thumbnails/job-1/t-0.webp', Buffer.from('webp!'), { contentType: 'image/webp' });
      const stats = await blobs.stat('thumbnails/job-1/t-0.webp');
      expect(stats?.byteSize).toBe(5);
      expect(Number.isInteger(stats?.modifiedAtMs)).toBe(true);
      expect(stats!.modifiedAtMs).toBeGreaterThanOrEqual(before - 1000);
    });

    it('deletes given blobs (missing ones are fine) and whole prefixes, nothing else', async () => {
      const keys = ['outputs/job-1/a-0.png', 'outputs/job-1/b-0.png', 'thumbnails/job-1/a-0.webp', 'outputs/job-2/a-0.png', 'outputs/job-10/a-0.png'];
      for (const key of keys) await blobs.put(key, Buffer.from(key), png);
      const present = async () => (await Promise.all(keys.map(async (key) => ((await blobs.stat(key)) ? key : undefined)))).filter((key) => key !== undefined);
      await blobs.delete(['outputs/job-1/a-0.png', 'outputs/job-1/never-0.png']);
      expect(await present()).toEqual(['outputs/job-1/b-0.png', 'thumbnails/job-1/a-0.webp', 'outputs/job-2/a-0.png', 'outputs/job-10/a-0.png']);
      await blobs.deletePrefix('outputs/job-1/');
      await blobs.deletePrefix('thumbnails/job-1/');
      await blobs.deletePrefix('outputs/job-9/');
      expect(await present()).toEqual(['outputs/job-2/a-0.png', 'outputs/job-10/a-0.png']);
      // A prefix emptied is written to again as before.
      await blobs.put('outputs/job-1/c-0.png', Buffer.from('again'), png);
      expect(Buffer.from(await blobs.read('outputs/job-1/c-0.png')).toString()).toBe('again');
      await expect(blobs.deletePrefix('outputs/job-1')).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(blobs.deletePrefix('../')).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('materializes a blob as a local file with its bytes, when the adapter can', async () => {
      if (!blobs.materialize) return;
      const { readFile } = await import('node:fs/promises');
      await blobs.put('outputs/job-1/m-0.png', Buffer.from('bytes'), png);
      const materialized = await blobs.materialize('outputs/job-1/m-0.png');
      try {
        expect(await readFile(materialized.filePath, 'utf8')).toBe('bytes');
      } finally {
        await materialized.release();
      }
      await expect(blobs.materialize('outputs/job-1/absent.png')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('refuses unsafe keys in every method', async () => {
      for (const key of ['', '../secret', 'outputs/../../secret', '/etc/passwd', 'outputs//x', 'C:/Windows/win.ini', 'outputs\\..\\x']) {
        await expect(blobs.put(key, Buffer.from('x'), png), JSON.stringify(key)).rejects.toMatchObject({ code: 'invalid_input' });
        await expect(blobs.get(key)).rejects.toMatchObject({ code: 'invalid_input' });
        await expect(blobs.read(key)).rejects.toMatchObject({ code: 'invalid_input' });
        await expect(blobs.stat(key)).rejects.toMatchObject({ code: 'invalid_input' });
        await expect(blobs.delete([key])).rejects.toMatchObject({ code: 'invalid_input' });
        if (blobs.materialize) await expect(blobs.materialize(key)).rejects.toMatchObject({ code: 'invalid_input' });
      }
    });
  });
}
