/**
 * The stored-entries ZIP writer that replaced yazl (docs/decisions/0045): for the same entries it
 * writes byte for byte what yazl 3 wrote (so every reader that read our archives still does), its
 * announced size is exact, and over a real socket with reused read buffers the bytes arrive intact.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileProblem } from '../../src/server/zip/exact-size-blob-stream.js';
import { ReadBufferPool } from '../../src/server/zip/read-buffer-pool.js';
import { archiveSize } from '../../src/server/zip/stored-zip-records.js';
import { recordHeadroomBytes, writeStoredZip, type BlobZipEntry, type ZipSink } from '../../src/server/zip/stored-zip-writer.js';
import { startZipStream, type DownloadPlan } from '../../src/server/zip/zip-download.js';
import type { BlobStore } from '../../src/engine/ports.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { makeTempDir } from '../support/temp-dir.js';

let directory: string;
let cleanup: () => Promise<void>;
let blobs: FileBlobStore;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTempDir('imagefleet-stored-zip-'));
  blobs = new FileBlobStore(path.join(directory, 'blobs'));
  await mkdir(path.join(directory, 'blobs'), { recursive: true });
});
afterEach(async () => {
  await cleanup();
});

const mtime = new Date('2026-03-04T05:06:08Z');

async function storeFiles(sizes: number[]): Promise<{ entries: BlobZipEntry[]; contents: Buffer[] }> {
  const entries: BlobZipEntry[] = [];
  const contents: Buffer[] = [];
  for (const [index, size] of sizes.entries()) {
    const bytes = randomBytes(size);
    await writeFile(path.join(directory, 'blobs', `${index}.png`), bytes);
    entries.push({ name: `folder ✨/${index}.png`, key: `${index}.png`, size, mtime });
    contents.push(bytes);
  }
  return { entries, contents };
}

/** What yazl 3 writes for the same entries (streams of a given size, stored, mode 0644, manifest last). */
async function yazlArchive(entries: BlobZipEntry[], contents: Buffer[], manifest: Buffer, forceZip64: boolean): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const add = (bytes: Buffer, name: string) =>
    zip.addReadStream(Readable.from(bytes.length === 0 ? [] : [bytes]), name, { size: bytes.length, compress: false, mtime, mode: 0o100644, forceZip64Format: forceZip64 });
  entries.forEach((entry, index) => add(contents[index]!, entry.name));
  add(manifest, 'manifest.csv');
  (zip.end as (options: { forceZip64Format: boolean }) => void)({ forceZip64Format: forceZip64 });
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function ourArchive(entries: BlobZipEntry[], manifest: Buffer, forceZip64: boolean, pool = new ReadBufferPool(2, 4097, true, recordHeadroomBytes), store: BlobStore = blobs): Promise<{ bytes: Buffer; problems: FileProblem[] }> {
  const chunks: Buffer[] = [];
  const problems: FileProblem[] = [];
  // Copies each chunk before handing its buffer back, as a socket does once it has sent it.
  const sink: ZipSink = {
    write(chunk, release) {
      chunks.push(Buffer.from(chunk));
      release?.();
      return Promise.resolve();
    },
  };
  await writeStoredZip(sink, { blobs: store, entries, trailer: { name: 'manifest.csv', size: manifest.length, mtime, bytes: () => manifest }, forceZip64, pool, isAborted: () => false, onFileProblem: (_entry, problem) => problems.push(problem) });
  return { bytes: Buffer.concat(chunks), problems };
}

describe('stored ZIP writer', () => {
  // Headroom in the read buffers: none (records sent on their own), too little for a descriptor and
  // the next header (sent on their own), enough (written in front of the file's first chunk).
  it.each([
    [false, 0, true],
    [true, 0, true],
    [false, 50, true],
    [false, recordHeadroomBytes, true],
    [true, recordHeadroomBytes, true],
    [true, recordHeadroomBytes, false],
  ])('writes what yazl wrote, byte for byte, with an exact announced size (forced ZIP64: %s, headroom %i bytes, reused buffers: %s)', async (forceZip64, headroomBytes, reuse) => {
    // Sizes around the 4 KiB chunk: empty, one byte, exactly a chunk, a chunk and one, several chunks.
    const { entries, contents } = await storeFiles([0, 1, 4096, 4097, 20_000]);
    const manifest = Buffer.from('file,status\r\na.png,completed\r\n');
    const ours = await ourArchive(entries, manifest, forceZip64, new ReadBufferPool(2, 4097, reuse, headroomBytes));
    expect(ours.problems).toEqual([]);
    const theirs = await yazlArchive(entries, contents, manifest, forceZip64);
    expect(ours.bytes.equals(theirs)).toBe(true);
    expect(archiveSize([...entries, { name: 'manifest.csv', size: manifest.length, mtime }], forceZip64)).toBe(ours.bytes.length);
  });

  it('zero-fills a shorter blob and reports a longer one, keeping the planned sizes', async () => {
    const { entries, contents } = await storeFiles([10_000, 5_000]);
    await truncate(path.join(directory, 'blobs', '0.png'), 6_000);
    await writeFile(path.join(directory, 'blobs', '1.png'), Buffer.concat([contents[1]!, Buffer.from('tail')]));
    const manifest = Buffer.from('x');
    const ours = await ourArchive(entries, manifest, false);
    expect(ours.problems.map((problem) => [problem.kind, problem.bytesRead])).toEqual([
      ['short', 6_000],
      ['long', 5_000],
    ]);
    const expected = await yazlArchive(entries, [Buffer.concat([contents[0]!.subarray(0, 6_000), Buffer.alloc(4_000)]), contents[1]!], manifest, false);
    expect(ours.bytes.equals(expected)).toBe(true);
  });

  it('copies entries with a stored CRC-32 without checksumming them: the same bytes, and the stored value is what the archive carries', async () => {
    const { entries, contents } = await storeFiles([1, 4096, 20_000]);
    const manifest = Buffer.from('x');
    const stored = entries.map((entry, index) => ({ ...entry, crc32: zlib.crc32(contents[index]!) }));
    const ours = await ourArchive(stored, manifest, false);
    expect(ours.problems).toEqual([]);
    expect(ours.bytes.equals(await yazlArchive(entries, contents, manifest, false))).toBe(true);

    // A stored value that does not match is carried as it is (the bytes are not checksummed again),
    // so a reader's CRC check flags the file: it changed since it was written.
    const wrong = entries.map((entry, index) => ({ ...entry, crc32: (zlib.crc32(contents[index]!) ^ 1) >>> 0 }));
    const carried = await ourArchive(wrong, manifest, false);
    const { centralCrcs } = readCentralDirectory(carried.bytes);
    expect(centralCrcs.slice(0, 3)).toEqual(wrong.map((entry) => entry.crc32));
  });

  it('works out the CRC-32 of what was sent when a file with a stored CRC turns out shorter, missing or longer', async () => {
    const { entries, contents } = await storeFiles([10_000, 5_000, 9_000]);
    await truncate(path.join(directory, 'blobs', '0.png'), 6_000);
    await writeFile(path.join(directory, 'blobs', '1.png'), Buffer.concat([contents[1]!, Buffer.from('tail')]));
    await writeFile(path.join(directory, 'blobs', '2.png'), Buffer.alloc(0));
    const stored = entries.map((entry, index) => ({ ...entry, crc32: zlib.crc32(contents[index]!) }));
    const manifest = Buffer.from('x');
    const ours = await ourArchive(stored, manifest, false);
    expect(ours.problems.map((problem) => problem.kind)).toEqual(['short', 'long', 'short']);
    const sent = [Buffer.concat([contents[0]!.subarray(0, 6_000), Buffer.alloc(4_000)]), contents[1]!, Buffer.alloc(9_000)];
    expect(ours.bytes.equals(await yazlArchive(entries, sent, manifest, false))).toBe(true);

    // The same through a store that only streams (as S3): the part sent is read again with a range.
    const streamingOnly: BlobStore = { ...blobsPort(blobs), openReader: undefined };
    const streamed = await ourArchive(stored, manifest, false, new ReadBufferPool(2, 4097, false), streamingOnly);
    expect(streamed.problems.map((problem) => problem.kind)).toEqual(['short', 'long', 'short']);
    expect(streamed.bytes.equals(ours.bytes)).toBe(true);
  });

  it('sends a download over a real socket through reused buffers, intact and exactly as announced', async () => {
    const { entries, contents } = await storeFiles(Array.from({ length: 40 }, (_value, index) => 100_000 + index * 7_919));
    const manifest = Buffer.from('file\r\n');
    const plan: DownloadPlan = { group: { id: 'g', name: 'g', createdAtMs: 0, updatedAtMs: 0 }, blobs, entries, manifest, fileName: 'g.zip' };
    const server = http.createServer((_request, response) => {
      void startZipStream(plan).then(async (zip) => {
        response.writeHead(200, { 'content-length': String(zip.size) });
        if (await zip.writeTo(response)) response.end();
        else response.destroy();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const received = Buffer.from(await response.arrayBuffer());
      expect(received.length).toBe(Number(response.headers.get('content-length')));
      // The same archive read as a Readable (fresh buffers) is the reference; only the manifest's time differs.
      const reference = await startZipStream(plan);
      const chunks: Buffer[] = [];
      for await (const chunk of reference.output as Readable) chunks.push(chunk as Buffer);
      const expected = Buffer.concat(chunks);
      expect(received.length).toBe(expected.length);
      // Everything before the manifest's local header (30 fixed bytes, then its name), whose time is the stream's start.
      const manifestHeader = received.indexOf(Buffer.from('manifest.csv')) - 30;
      expect(manifestHeader).toBeGreaterThan(0);
      expect(received.subarray(0, manifestHeader).equals(expected.subarray(0, manifestHeader))).toBe(true);
      for (const content of contents) expect(received.includes(content)).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('stops reading and closes its files when the client goes mid-download', async () => {
    const { entries } = await storeFiles(Array.from({ length: 200 }, () => 300_000));
    const plan: DownloadPlan = { group: { id: 'g', name: 'g', createdAtMs: 0, updatedAtMs: 0 }, blobs, entries, manifest: Buffer.from('file\r\n'), fileName: 'g.zip' };
    const openFiles = () => readdirSync('/proc/self/fd').length;
    let finished: Promise<boolean> | undefined;
    const server = http.createServer((_request, response) => {
      void startZipStream(plan).then((zip) => {
        response.writeHead(200, { 'content-length': String(zip.size) });
        finished = zip.writeTo(response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const baseline = openFiles();
    try {
      const aborter = new AbortController();
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: aborter.signal });
      const reader = response.body!.getReader();
      await reader.read();
      aborter.abort();
      await reader.cancel().catch(() => undefined);
      expect(await finished).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(openFiles()).toBeLessThanOrEqual(baseline);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

/** The CRC-32 of each central directory record, in order (plain ZIP, no ZIP64). */
function readCentralDirectory(archive: Buffer): { centralCrcs: number[] } {
  const endOffset = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(endOffset + 10);
  let offset = archive.readUInt32LE(endOffset + 16);
  const centralCrcs: number[] = [];
  for (let index = 0; index < count; index += 1) {
    centralCrcs.push(archive.readUInt32LE(offset + 16));
    offset += 46 + archive.readUInt16LE(offset + 28) + archive.readUInt16LE(offset + 30) + archive.readUInt16LE(offset + 32);
  }
  return { centralCrcs };
}

/** The file store's port methods as a plain object, so one can be left out (a store that only streams). */
function blobsPort(store: FileBlobStore): BlobStore {
  return {
    put: store.put.bind(store),
    get: store.get.bind(store),
    read: store.read.bind(store),
    stat: store.stat.bind(store),
    delete: store.delete.bind(store),
    deletePrefix: store.deletePrefix.bind(store),
    materialize: store.materialize.bind(store),
  };
}
