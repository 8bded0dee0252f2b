/**
 * ExactSizeBlobStream over real file blobs: an entry of a ZIP download yields exactly its planned
 * bytes whatever happened to its blob (docs/decisions/0021, 0035).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExactSizeBlobStream, type FileProblem } from '../../src/server/zip/exact-size-blob-stream.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';
import { makeTempDir } from '../support/temp-dir.js';

let directory: string;
let cleanup: () => Promise<void>;
let blobs: FileBlobStore;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTempDir('imagefleet-zip-stream-'));
  blobs = new FileBlobStore(path.join(directory, 'blobs'));
});
afterEach(async () => {
  await cleanup();
});

async function readAll(key: string, size: number, chunkBytes = 4): Promise<{ bytes: Buffer; problems: FileProblem[] }> {
  const problems: FileProblem[] = [];
  const stream = new ExactSizeBlobStream(blobs, key, size, chunkBytes, (problem) => problems.push(problem));
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), problems };
}

describe('ExactSizeBlobStream', () => {
  it('yields a blob of the planned size whole, without a problem', async () => {
    await blobs.put('outputs/j/a-0.png', Buffer.from('0123456789'), { contentType: 'image/png' });
    expect(await readAll('outputs/j/a-0.png', 10)).toEqual({ bytes: Buffer.from('0123456789'), problems: [] });
  });

  it('zero-fills a missing blob and reports it missing', async () => {
    const { bytes, problems } = await readAll('outputs/j/gone-0.png', 9);
    expect(bytes).toEqual(Buffer.alloc(9));
    expect(problems.map((problem) => [problem.kind, problem.bytesRead])).toEqual([['missing', 0]]);
  });

  it('completes a shorter blob with zeros and reports how much was read', async () => {
    await blobs.put('outputs/j/short-0.png', Buffer.from('abcdef'), { contentType: 'image/png' });
    const { bytes, problems } = await readAll('outputs/j/short-0.png', 10);
    expect(bytes).toEqual(Buffer.concat([Buffer.from('abcdef'), Buffer.alloc(4)]));
    expect(problems.map((problem) => [problem.kind, problem.bytesRead])).toEqual([['short', 6]]);
  });

  it('cuts a longer blob at the planned size and reports it long', async () => {
    await blobs.put('outputs/j/long-0.png', Buffer.from('abcdefghijkl'), { contentType: 'image/png' });
    const { bytes, problems } = await readAll('outputs/j/long-0.png', 5);
    expect(bytes).toEqual(Buffer.from('abcde'));
    expect(problems.map((problem) => problem.kind)).toEqual(['long']);
  });

  it('yields nothing for an empty entry', async () => {
    await blobs.put('outputs/j/empty-0.png', Buffer.alloc(0), { contentType: 'image/png' });
    expect(await readAll('outputs/j/empty-0.png', 0)).toEqual({ bytes: Buffer.alloc(0), problems: [] });
  });

  it('releases the blob when destroyed midway', async () => {
    await blobs.put('outputs/j/big-0.png', Buffer.alloc(4 * 1024 * 1024, 7), { contentType: 'image/png' });
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const baseline = openFiles();
    const stream = new ExactSizeBlobStream(blobs, 'outputs/j/big-0.png', 4 * 1024 * 1024, 64 * 1024, () => undefined);
    await new Promise<void>((resolve) => stream.once('readable', () => resolve()));
    stream.read();
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openFiles()).toBeLessThanOrEqual(baseline);
  });
});
