/**
 * The S3 adapter against a real S3-compatible server (s3rver on loopback), plus small loopback HTTP
 * servers for the failure paths S3 servers do not produce on demand (5xx, silence).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { S3BlobStore } from '../../src/store/blobs/s3-blob-store.js';
import type { S3Location } from '../../src/store/blobs/s3-location.js';
import { startS3Server, type RunningS3Server } from '../support/s3-server.js';
import { makeTempDir } from '../support/temp-dir.js';

let server: RunningS3Server;
let store: S3BlobStore;
let prefixCounter = 0;
let keyPrefix: string;

beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  // Each test under its own prefix, so tests share one server without seeing each other's blobs.
  prefixCounter += 1;
  keyPrefix = `test-${prefixCounter}/`;
  store = new S3BlobStore(server.locationWith(keyPrefix), { partSizeBytes: 1024 });
});

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

async function streamBytes(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function failureOf(action: () => Promise<unknown>): Promise<ImagefleetError> {
  try {
    await action();
  } catch (error) {
    if (isImagefleetError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** Deterministic bytes of any length (not all equal, so a misplaced part shows). */
function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = (index * 31 + (index >> 8)) & 0xff;
  return bytes;
}

async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let turn = 0; offset < bytes.byteLength; turn += 1) {
    const size = sizes[turn % sizes.length] ?? 1;
    await Promise.resolve(); // a real source yields between chunks
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

async function putMany(keys: string[]): Promise<void> {
  const concurrency = 16;
  for (let start = 0; start < keys.length; start += concurrency) {
    await Promise.all(keys.slice(start, start + concurrency).map((key) => store.put(key, text(key), { contentType: 'text/plain' })));
  }
}

describe('S3BlobStore on s3rver', () => {
  it('writes, reads, replaces and states a blob', async () => {
    const before = Date.now();
    await store.put('assets/ab/one.png', text('first'), { contentType: 'image/png' });
    await store.put('assets/ab/one.png', text('second version'), { contentType: 'image/png' });
    expect(decode(await store.read('assets/ab/one.png'))).toBe('second version');
    const stats = await store.stat('assets/ab/one.png');
    expect(stats?.byteSize).toBe(14);
    // Last-Modified has whole seconds.
    expect(stats?.modifiedAtMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(stats?.modifiedAtMs).toBeLessThanOrEqual(Date.now() + 1000);
    const whole = await store.get('assets/ab/one.png');
    expect(whole.byteSize).toBe(14);
    expect(whole.modifiedAtMs).toBe(stats?.modifiedAtMs);
    expect((await streamBytes(whole.stream)).toString()).toBe('second version');
  });

  it('reads ranges: a middle, to the end, past the end, empty; byteSize is the whole blob', async () => {
    await store.put('outputs/j1/t1-0.png', text('0123456789'), { contentType: 'image/png' });
    const read = async (offsetBytes: number, lengthBytes?: number): Promise<[string, number]> => {
      const opened = await store.get('outputs/j1/t1-0.png', lengthBytes === undefined ? { offsetBytes } : { offsetBytes, lengthBytes });
      return [(await streamBytes(opened.stream)).toString(), opened.byteSize];
    };
    expect(await read(2, 3)).toEqual(['234', 10]);
    expect(await read(7)).toEqual(['789', 10]);
    expect(await read(8, 100)).toEqual(['89', 10]);
    expect(await read(10)).toEqual(['', 10]);
    expect(await read(3, 0)).toEqual(['', 10]);
    expect((await failureOf(() => store.get('outputs/j1/t1-0.png', { offsetBytes: -1 }))).code).toBe('invalid_input');
  });

  it('reads an empty blob whole and by range', async () => {
    await store.put('outputs/j1/empty.png', new Uint8Array(0), { contentType: 'image/png' });
    expect((await store.read('outputs/j1/empty.png')).byteLength).toBe(0);
    const ranged = await store.get('outputs/j1/empty.png', { offsetBytes: 0 });
    expect(ranged.byteSize).toBe(0);
    expect((await streamBytes(ranged.stream)).byteLength).toBe(0);
  });

  it('says not_found for a missing blob and undefined from stat', async () => {
    expect((await failureOf(() => store.get('outputs/none/x-0.png'))).code).toBe('not_found');
    expect((await failureOf(() => store.get('outputs/none/x-0.png', { offsetBytes: 0, lengthBytes: 0 }))).code).toBe('not_found');
    expect((await failureOf(() => store.read('outputs/none/x-0.png'))).code).toBe('not_found');
    expect((await failureOf(() => store.materialize('outputs/none/x-0.png'))).code).toBe('not_found');
    expect(await store.stat('outputs/none/x-0.png')).toBeUndefined();
  });

  it('refuses unsafe keys and prefixes before any request', async () => {
    for (const key of ['', '../secret', '/absolute', 'a//b', 'a\\b']) {
      expect((await failureOf(() => store.put(key, text('x'), { contentType: 'text/plain' }))).code).toBe('invalid_input');
      expect((await failureOf(() => store.stat(key))).code).toBe('invalid_input');
    }
    expect((await failureOf(() => store.delete(['ok/key', '../bad']))).code).toBe('invalid_input');
    expect((await failureOf(() => store.deletePrefix('no-trailing-slash'))).code).toBe('invalid_input');
  });

  it('puts every key under the location prefix', async () => {
    await store.put('thumbnails/j1/t1-0.webp', text('thumb'), { contentType: 'image/webp' });
    const unprefixed = new S3BlobStore(server.locationWith(''));
    expect(decode(await unprefixed.read(`${keyPrefix}thumbnails/j1/t1-0.webp`))).toBe('thumb');
    expect(await unprefixed.stat('thumbnails/j1/t1-0.webp')).toBeUndefined();
  });

  it('uploads above the part size in parts, from bytes and from an unevenly chunked stream', async () => {
    const large = patternBytes(5000);
    await store.put('outputs/j2/big-0.png', large, { contentType: 'image/png' });
    expect(Buffer.from(await store.read('outputs/j2/big-0.png')).equals(Buffer.from(large))).toBe(true);

    const streamed = patternBytes(4097);
    await store.put('outputs/j2/big-1.png', chunked(streamed, [700, 1, 2500, 13]), { contentType: 'image/png' });
    expect(Buffer.from(await store.read('outputs/j2/big-1.png')).equals(Buffer.from(streamed))).toBe(true);
    expect((await store.stat('outputs/j2/big-1.png'))?.byteSize).toBe(4097);

    // A stream no longer than one part is a single PUT.
    await store.put('outputs/j2/small-0.png', chunked(text('tiny stream'), [3]), { contentType: 'image/png' });
    expect(decode(await store.read('outputs/j2/small-0.png'))).toBe('tiny stream');
  });

  it('keeps the old blob when a multipart source fails midway, and rethrows the source error', async () => {
    await store.put('outputs/j3/t-0.png', text('old'), { contentType: 'image/png' });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield patternBytes(1500);
      yield patternBytes(1500);
      await Promise.resolve();
      throw new Error('client went away');
    }
    await expect(store.put('outputs/j3/t-0.png', failing(), { contentType: 'image/png' })).rejects.toThrow('client went away');
    expect(decode(await store.read('outputs/j3/t-0.png'))).toBe('old');
  });

  it('deletes listed blobs in batches of 1000 (missing ones are fine) and whole prefixes across list pages', async () => {
    const manyOutputs = Array.from({ length: 1003 }, (_, index) => `outputs/big/t${index}-0.png`);
    const manyThumbnails = Array.from({ length: 1002 }, (_, index) => `thumbnails/big/t${index}-0.webp`);
    await putMany([...manyOutputs, ...manyThumbnails, 'outputs/other/keep-0.png', 'outputs/bigger/keep-0.png']);

    await store.delete([...manyOutputs, 'outputs/big/never-existed.png']);
    expect(await store.stat('outputs/big/t0-0.png')).toBeUndefined();
    expect(await store.stat('outputs/big/t1002-0.png')).toBeUndefined();

    await store.deletePrefix('thumbnails/big/');
    expect(await store.stat('thumbnails/big/t0-0.webp')).toBeUndefined();
    expect(await store.stat('thumbnails/big/t1001-0.webp')).toBeUndefined();
    // A prefix ends with "/": a sibling whose name merely starts the same stays.
    await store.deletePrefix('outputs/big/');
    expect(decode(await store.read('outputs/bigger/keep-0.png'))).toBe('outputs/bigger/keep-0.png');
    expect(decode(await store.read('outputs/other/keep-0.png'))).toBe('outputs/other/keep-0.png');
    // Idempotent, and nothing to do is fine.
    await store.deletePrefix('thumbnails/big/');
    await store.delete([]);
  }, 120_000);

  it('signs a URL that plain fetch can read, with the stored content type', async () => {
    await store.put('assets/cd/picture.webp', text('webp bytes'), { contentType: 'image/webp' });
    const url = await store.signedUrl('assets/cd/picture.webp', 60_000);
    expect(url).toContain('X-Amz-Expires=60');
    expect(url).not.toContain('S3RVER&'); // the secret never appears; only the access key id in the credential scope
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await response.text()).toBe('webp bytes');
    expect((await failureOf(() => store.signedUrl('assets/cd/picture.webp', 0))).code).toBe('invalid_input');
    expect((await failureOf(() => store.signedUrl('assets/cd/picture.webp', 8 * 24 * 60 * 60 * 1000))).code).toBe('invalid_input');
  });

  it('materializes a blob as a temporary file that release removes (idempotently); nothing is left on not_found', async () => {
    const temporary = await makeTempDir();
    try {
      const local = new S3BlobStore(server.locationWith(keyPrefix), { temporaryDirectory: temporary.directory });
      const bytes = patternBytes(3000);
      await local.put('outputs/j4/t-0.png', bytes, { contentType: 'image/png' });
      const materialized = await local.materialize('outputs/j4/t-0.png');
      expect(materialized.isStoredFile).toBe(false);
      expect(materialized.filePath.startsWith(temporary.directory)).toBe(true);
      expect((await readFile(materialized.filePath)).equals(Buffer.from(bytes))).toBe(true);
      await materialized.release();
      await materialized.release();
      await expect(stat(materialized.filePath)).rejects.toThrow();
      expect((await failureOf(() => local.materialize('outputs/j4/missing-0.png'))).code).toBe('not_found');
      expect(await readdir(temporary.directory)).toEqual([]);
    } finally {
      await temporary.cleanup();
    }
  });
});

describe('S3BlobStore addressing', () => {
  const awsLocation = (overrides: Partial<S3Location>): S3Location => ({
    bucket: 'my-bucket',
    keyPrefix: 'imagefleet/',
    endpoint: 'https://s3.eu-west-1.amazonaws.com',
    region: 'eu-west-1',
    pathStyle: false,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    ...overrides,
  });

  it('uses the virtual-host form on AWS and the path form when asked, with the prefix and encoded segments', async () => {
    const virtualHost = new URL(await new S3BlobStore(awsLocation({})).signedUrl('outputs/j1/t1-0.png', 1000));
    expect(virtualHost.origin).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com');
    expect(virtualHost.pathname).toBe('/imagefleet/outputs/j1/t1-0.png');
    expect(virtualHost.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/' + virtualHost.searchParams.get('X-Amz-Date')?.slice(0, 8) + '/eu-west-1/s3/aws4_request');

    const pathStyle = new URL(await new S3BlobStore(awsLocation({ pathStyle: true, endpoint: 'http://127.0.0.1:9000/base' })).signedUrl('assets/ab/a b(1).png', 1000));
    expect(pathStyle.origin).toBe('http://127.0.0.1:9000');
    expect(pathStyle.pathname).toBe('/base/my-bucket/imagefleet/assets/ab/a%20b%281%29.png');
    expect(JSON.stringify(pathStyle)).not.toContain('wJalrXUtnFEMI');
  });
});

describe('S3BlobStore failures', () => {
  const secret = 'do-not-leak-this-secret-0123456789';
  let httpServer: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (httpServer === undefined ? resolve() : httpServer.close(() => resolve())));
    httpServer = undefined;
  });

  /** A loopback HTTP server answering every request with `handler`; returns its endpoint. */
  async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
    httpServer = createServer(handler);
    await new Promise<void>((resolve) => httpServer?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(httpServer?.address() as AddressInfo).port}`;
  }

  const locationAt = (endpoint: string): S3Location => ({ bucket: 'b1', keyPrefix: '', endpoint, region: 'us-east-1', pathStyle: true, credentials: { accessKeyId: 'S3RVER-WRONG', secretAccessKey: secret } });

  function expectNoSecret(error: ImagefleetError): void {
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain(secret);
  }

  it('maps a refused access key to storage_unavailable naming the variables, without the secret', async () => {
    const refused = new S3BlobStore({ ...server.locationWith(''), credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: secret } });
    const error = await failureOf(() => refused.stat('outputs/j/t-0.png'));
    expect(error.code).toBe('storage_unavailable');
    expect(error.message).toContain('AWS_ACCESS_KEY_ID');
    expectNoSecret(error);
    const readError = await failureOf(() => refused.read('outputs/j/t-0.png'));
    expect(readError.code).toBe('storage_unavailable');
    expectNoSecret(readError);
  });

  it('names a missing bucket as storage_unavailable, not not_found', async () => {
    const wrongBucket = new S3BlobStore({ ...server.locationWith(''), bucket: 'no-such-bucket' });
    const error = await failureOf(() => wrongBucket.read('outputs/j/t-0.png'));
    expect(error.code).toBe('storage_unavailable');
    expect(error.message).toContain('IMAGEFLEET_BLOB_URL');
  });

  it('retries idempotent requests on 5xx a bounded number of times, and never a multipart create', async () => {
    const methods: string[] = [];
    const endpoint = await serve((request, response) => {
      methods.push(request.method ?? '');
      request.resume();
      response.writeHead(503, { 'content-type': 'application/xml' }).end('<Error><Code>SlowDown</Code></Error>');
    });
    const failing = new S3BlobStore(locationAt(endpoint), { maxAttempts: 3, retryDelayMs: 1, partSizeBytes: 4 });
    const error = await failureOf(() => failing.read('outputs/j/t-0.png'));
    expect(error.code).toBe('storage_unavailable');
    expect(error.message).toContain('SlowDown');
    expectNoSecret(error);
    expect(methods).toEqual(['GET', 'GET', 'GET']);

    methods.length = 0;
    await failureOf(() => failing.put('outputs/j/t-0.png', text('more than four bytes'), { contentType: 'image/png' }));
    expect(methods).toEqual(['POST']);
  });

  it('succeeds when a retry gets through', async () => {
    let requests = 0;
    const endpoint = await serve((request, response) => {
      requests += 1;
      request.resume();
      if (requests === 1) response.writeHead(503).end();
      else response.writeHead(200, { 'content-length': '2', 'last-modified': 'Sat, 05 Dec 2026 01:00:00 GMT' }).end('ok');
    });
    const flaky = new S3BlobStore(locationAt(endpoint), { retryDelayMs: 1 });
    expect(decode(await flaky.read('outputs/j/t-0.png'))).toBe('ok');
    expect(await flaky.stat('outputs/j/t-0.png')).toEqual({ byteSize: 2, modifiedAtMs: Date.UTC(2026, 11, 5, 1, 0, 0) });
    expect(requests).toBe(3);
  });

  it('aborts a multipart upload whose part keeps failing, and stops reading the source', async () => {
    const calls: string[] = [];
    const endpoint = await serve((request, response) => {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      calls.push(`${request.method} ${[...query.keys()].join(',')}`);
      request.resume();
      if (request.method === 'POST') {
        response.writeHead(200, { 'content-type': 'application/xml' }).end('<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>');
      } else if (request.method === 'PUT') {
        response.writeHead(500, { 'content-type': 'application/xml' }).end('<Error><Code>InternalError</Code></Error>');
      } else {
        response.writeHead(204).end();
      }
    });
    let sourceClosed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let index = 0; index < 100; index += 1) {
          await Promise.resolve();
          yield patternBytes(8);
        }
      } finally {
        sourceClosed = true;
      }
    }
    const failing = new S3BlobStore(locationAt(endpoint), { maxAttempts: 2, retryDelayMs: 1, partSizeBytes: 8 });
    const error = await failureOf(() => failing.put('outputs/j/t-0.png', source(), { contentType: 'image/png' }));
    expect(error.code).toBe('storage_unavailable');
    expectNoSecret(error);
    expect(calls).toEqual(['POST uploads', 'PUT partNumber,uploadId', 'PUT partNumber,uploadId', 'DELETE uploadId']);
    expect(sourceClosed).toBe(true);
  });

  it('gives up after the deadline when the server does not answer, and on a closed port', async () => {
    const endpoint = await serve(() => {
      // Never answers.
    });
    const silent = new S3BlobStore(locationAt(endpoint), { requestTimeoutMs: 100, maxAttempts: 2, retryDelayMs: 1 });
    const error = await failureOf(() => silent.stat('outputs/j/t-0.png'));
    expect(error.code).toBe('storage_unavailable');
    expect(error.message).toContain('no answer within 100 ms');
    expectNoSecret(error);
    httpServer?.closeAllConnections();

    const closedPort = new S3BlobStore(locationAt('http://127.0.0.1:1'), { maxAttempts: 2, retryDelayMs: 1 });
    const refused = await failureOf(() => closedPort.stat('outputs/j/t-0.png'));
    expect(refused.code).toBe('storage_unavailable');
    expect(refused.message).toContain('127.0.0.1:1');
    expectNoSecret(refused);
  });
});
