/**
 * `BlobStore` on an S3-compatible object store (AWS S3, MinIO, R2, …), signed with aws4fetch
 * (decision 0037). A blob key is an object key under the location's prefix, one to one, so the
 * layout is the one core/blob-keys.ts describes. This adapter only stores bytes: key names come
 * from core/blob-keys.ts, thumbnails from src/imaging.
 *
 * Every request has a deadline for its response headers; idempotent requests (GET, HEAD, PUT of an
 * object or a part, DELETE, DeleteObjects) are retried a bounded number of times on 5xx answers and
 * network failures. Creating and completing a multipart upload are not retried: a repeat could act
 * twice. Errors are `not_found`, `invalid_input` or `storage_unavailable`, and their messages name
 * the bucket, host and key but never a credential.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { checkBlobKey, checkBlobPrefix } from '../../core/blob-keys.js';
import { ImagefleetError, invalidInput, isImagefleetError } from '../../core/errors.js';
import type { BlobPutOptions, BlobRange, BlobRead, BlobStat, BlobStore, MaterializedBlob } from '../../engine/ports.js';
import { blobParts } from './s3/blob-parts.js';
import { createS3Signer, type S3Signer } from './s3/s3-signer.js';
import { completeMultipartXml, deleteObjectsXml, xmlValue, xmlValues } from './s3/s3-xml.js';
import type { S3Location } from './s3-location.js';

/** Settings of the adapter besides the location. */
export interface S3BlobStoreOptions {
  /**
   * Size of one multipart-upload part, in bytes; a put larger than this is a multipart upload, a
   * smaller one a single PUT. Default 16 MiB. AWS needs at least 5 MiB for every part but the last;
   * tests use less against a local server.
   */
  partSizeBytes?: number;
  /** How long one attempt waits for the response headers, in ms (bodies stream without a deadline). Default 30 000. */
  requestTimeoutMs?: number;
  /** Attempts of an idempotent request, the first included, on 5xx answers and network failures. Default 3. */
  maxAttempts?: number;
  /** Wait before the first retry, in ms, doubled for each further retry. Default 200. */
  retryDelayMs?: number;
  /** Directory for the temporary copies `materialize` makes. Default: the OS temporary directory. */
  temporaryDirectory?: string;
}

const mebibyte = 1024 * 1024;
const defaultPartSizeBytes = 16 * mebibyte;
const defaultRequestTimeoutMs = 30_000;
const defaultMaxAttempts = 3;
const defaultRetryDelayMs = 200;
/** S3's limit on the keys of one DeleteObjects request and one ListObjectsV2 page. */
const keysPerBatch = 1000;
/** S3's limit on the parts of one multipart upload. */
const maxPartCount = 10_000;
/** S3's limit on a presigned URL's lifetime (7 days), in seconds. */
const maxSignedUrlSeconds = 7 * 24 * 60 * 60;

type S3Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

/** One request to S3, before signing. */
interface S3Request {
  method: S3Method;
  /** Object key with the location's prefix; absent for a bucket-level request (list, delete many). */
  objectKey?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Whether repeating the request cannot do anything twice; only those are retried. */
  idempotent: boolean;
  /** What the request does, for error messages ("read outputs/j1/t1-0.png"). */
  action: string;
}

export class S3BlobStore implements BlobStore {
  private readonly location: S3Location;
  private readonly signer: S3Signer;
  private readonly partSizeBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly temporaryDirectory: string;
  /** Host named in error messages (never the signed URL). */
  private readonly endpointHost: string;

  constructor(location: S3Location, options: S3BlobStoreOptions = {}) {
    this.location = location;
    this.signer = createS3Signer({ credentials: location.credentials, region: location.region });
    this.partSizeBytes = positiveInteger(options.partSizeBytes, defaultPartSizeBytes, 'partSizeBytes');
    this.requestTimeoutMs = positiveInteger(options.requestTimeoutMs, defaultRequestTimeoutMs, 'requestTimeoutMs');
    this.maxAttempts = positiveInteger(options.maxAttempts, defaultMaxAttempts, 'maxAttempts');
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
    this.temporaryDirectory = options.temporaryDirectory ?? tmpdir();
    this.endpointHost = new URL(location.endpoint).host;
  }

  /** One PUT up to the part size, a multipart upload above it; S3 makes either visible only once complete. */
  async put(key: string, bytes: Uint8Array | AsyncIterable<Uint8Array>, options: BlobPutOptions): Promise<void> {
    checkBlobKey(key);
    const objectKey = this.objectKeyOf(key);
    const parts = blobParts(bytes, this.partSizeBytes);
    const first = await parts.next();
    if (first.done) return this.putObject(key, objectKey, new Uint8Array(0), options.contentType);
    const second = await parts.next();
    if (second.done) return this.putObject(key, objectKey, first.value, options.contentType);
    await this.multipartUpload(key, objectKey, prepend([first.value, second.value], parts), options.contentType);
  }

  async get(key: string, range?: BlobRange): Promise<BlobRead> {
    checkBlobKey(key);
    if (range !== undefined) checkRange(range);
    if (range?.lengthBytes === 0) return this.emptyRead(key);
    const objectKey = this.objectKeyOf(key);
    const headers: Record<string, string> = {};
    // From 0 to the end is the whole blob: no Range header (needless, and s3rver answers `bytes=0-` on an
    // empty object with a 1-byte 206 it never sends).
    if (range !== undefined && (range.offsetBytes > 0 || range.lengthBytes !== undefined)) {
      const lastByte = range.lengthBytes === undefined ? '' : String(range.offsetBytes + range.lengthBytes - 1);
      headers.range = `bytes=${range.offsetBytes}-${lastByte}`;
    }
    const response = await this.send({ method: 'GET', objectKey, headers, idempotent: true, action: `read ${key}` });
    // A range that starts at or past the end (any range of an empty blob): nothing to read, like a file.
    if (response.status === 416) {
      await drain(response);
      return this.emptyRead(key);
    }
    if (!response.ok) throw await this.failure(response, `read ${key}`, key);
    const byteSize = totalSizeOf(response);
    const stream = response.body === null ? Readable.from([]) : Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    return { stream, byteSize, modifiedAtMs: modifiedAtMsOf(response) };
  }

  async read(key: string): Promise<Uint8Array> {
    const { stream } = await this.get(key);
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (error) {
      throw new ImagefleetError('storage_unavailable', `S3 stopped sending ${key} from bucket ${this.location.bucket} at ${this.endpointHost}; check the S3 server and the network.`, { cause: error });
    }
    return Buffer.concat(chunks);
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    checkBlobKey(key);
    const response = await this.send({ method: 'HEAD', objectKey: this.objectKeyOf(key), idempotent: true, action: `look up ${key}` });
    // A HEAD answer has no body, so a missing bucket looks like a missing blob here; get and list tell them apart.
    if (response.status === 404) return undefined;
    if (!response.ok) throw await this.failure(response, `look up ${key}`);
    return { byteSize: Number(response.headers.get('content-length') ?? 0), modifiedAtMs: modifiedAtMsOf(response) };
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) checkBlobKey(key);
    const objectKeys = keys.map((key) => this.objectKeyOf(key));
    for (let start = 0; start < objectKeys.length; start += keysPerBatch) await this.deleteObjects(objectKeys.slice(start, start + keysPerBatch));
  }

  /** Lists the prefix page by page (ListObjectsV2) and deletes each page (DeleteObjects). */
  async deletePrefix(prefix: string): Promise<void> {
    checkBlobPrefix(prefix);
    const objectPrefix = this.objectKeyOf(prefix);
    let continuationToken: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix: objectPrefix, 'max-keys': String(keysPerBatch) };
      if (continuationToken !== undefined) query['continuation-token'] = continuationToken;
      const response = await this.send({ method: 'GET', query, idempotent: true, action: `list ${prefix}` });
      if (!response.ok) throw await this.failure(response, `list ${prefix}`);
      const listing = await response.text();
      const objectKeys = xmlValues(listing, 'Key');
      if (objectKeys.length > 0) await this.deleteObjects(objectKeys);
      continuationToken = xmlValue(listing, 'IsTruncated') === 'true' ? xmlValue(listing, 'NextContinuationToken') : undefined;
    } while (continuationToken !== undefined);
  }

  /** A presigned GET (query signing); S3 refuses lifetimes over 7 days, so this does too. */
  async signedUrl(key: string, expiresInMs: number): Promise<string> {
    checkBlobKey(key);
    if (!Number.isFinite(expiresInMs) || expiresInMs <= 0 || expiresInMs > maxSignedUrlSeconds * 1000) {
      throw invalidInput([{ path: 'expiresInMs', message: `must be more than 0 and at most ${maxSignedUrlSeconds * 1000} (7 days)` }], 'Invalid signed URL lifetime');
    }
    const url = this.urlOf(this.objectKeyOf(key));
    url.searchParams.set('X-Amz-Expires', String(Math.ceil(expiresInMs / 1000)));
    const signed = await this.signer.sign(url.toString(), { method: 'GET', signQuery: true });
    return signed.url;
  }

  /** Downloads the blob to a file in a fresh temporary directory; `release` removes the directory. */
  async materialize(key: string): Promise<MaterializedBlob> {
    checkBlobKey(key);
    const directory = await mkdtemp(path.join(this.temporaryDirectory, 'imagefleet-blob-')).catch((error: unknown) => {
      throw new ImagefleetError('storage_unavailable', `Could not create a temporary directory in ${this.temporaryDirectory} (${String((error as { code?: unknown }).code ?? error)}); check its space and permissions.`, { cause: error });
    });
    const removeDirectory = (): Promise<void> => rm(directory, { recursive: true, force: true });
    const filePath = path.join(directory, path.posix.basename(key));
    try {
      const { stream } = await this.get(key);
      await pipeline(stream, createWriteStream(filePath));
    } catch (error) {
      await removeDirectory();
      if (isImagefleetError(error)) throw error;
      throw new ImagefleetError('storage_unavailable', `Could not download ${key} from bucket ${this.location.bucket} at ${this.endpointHost} to ${directory}; check the S3 server, the network and the temporary directory.`, { cause: error });
    }
    let released: Promise<void> | undefined;
    return { filePath, isStoredFile: false, release: () => (released ??= removeDirectory()) };
  }

  private async emptyRead(key: string): Promise<BlobRead> {
    const stats = await this.stat(key);
    if (stats === undefined) throw new ImagefleetError('not_found', `Blob ${key} does not exist.`);
    return { stream: Readable.from([]), byteSize: stats.byteSize, modifiedAtMs: stats.modifiedAtMs };
  }

  private async putObject(key: string, objectKey: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const response = await this.send({ method: 'PUT', objectKey, headers: { 'content-type': contentType }, body: bytes, idempotent: true, action: `write ${key}` });
    if (!response.ok) throw await this.failure(response, `write ${key}`);
    await drain(response);
  }

  /** Create, upload the parts in order, complete; on any failure (the source's included) abort, so no parts linger. */
  private async multipartUpload(key: string, objectKey: string, parts: AsyncIterable<Uint8Array>, contentType: string): Promise<void> {
    const created = await this.send({ method: 'POST', objectKey, query: { uploads: '' }, headers: { 'content-type': contentType }, idempotent: false, action: `start an upload of ${key}` });
    if (!created.ok) throw await this.failure(created, `start an upload of ${key}`);
    const uploadId = xmlValue(await created.text(), 'UploadId');
    if (uploadId === undefined) throw new ImagefleetError('storage_unavailable', `S3 at ${this.endpointHost} started an upload of ${key} without an upload id; check that it is an S3-compatible server.`);
    try {
      const uploaded: Array<{ partNumber: number; etag: string }> = [];
      for await (const part of parts) {
        const partNumber = uploaded.length + 1;
        if (partNumber > maxPartCount) throw new ImagefleetError('payload_too_large', `Blob ${key} needs more than ${maxPartCount} parts of ${this.partSizeBytes} bytes; raise the part size.`);
        const action = `write part ${partNumber} of ${key}`;
        const response = await this.send({ method: 'PUT', objectKey, query: { partNumber: String(partNumber), uploadId }, body: part, idempotent: true, action });
        if (!response.ok) throw await this.failure(response, action);
        await drain(response);
        const etag = response.headers.get('etag');
        if (etag === null) throw new ImagefleetError('storage_unavailable', `S3 at ${this.endpointHost} stored part ${partNumber} of ${key} without an ETag; check that it is an S3-compatible server.`);
        uploaded.push({ partNumber, etag });
      }
      const action = `complete the upload of ${key}`;
      const completed = await this.send({ method: 'POST', objectKey, query: { uploadId }, headers: { 'content-type': 'application/xml' }, body: completeMultipartXml(uploaded), idempotent: false, action });
      if (!completed.ok) throw await this.failure(completed, action);
      // S3 may answer 200 and report the failure in the body (the answer is sent before the work ends).
      const answer = await completed.text();
      if (answer.includes('<Error>')) throw new ImagefleetError('storage_unavailable', `S3 could not ${action} (${xmlValue(answer, 'Code') ?? 'error'}) in bucket ${this.location.bucket} at ${this.endpointHost}; try again.`);
    } catch (error) {
      await this.abortUpload(objectKey, uploadId);
      throw error;
    }
  }

  /** Best effort: a failed abort leaves parts that a bucket lifecycle rule removes; the upload's own error matters more. */
  private async abortUpload(objectKey: string, uploadId: string): Promise<void> {
    try {
      const response = await this.send({ method: 'DELETE', objectKey, query: { uploadId }, idempotent: true, action: 'abort an upload' });
      await drain(response);
    } catch {
      // Reported by the caller's error instead.
    }
  }

  /** One DeleteObjects request (at most 1000 keys); missing keys are not errors. */
  private async deleteObjects(objectKeys: string[]): Promise<void> {
    const body = deleteObjectsXml(objectKeys);
    // S3 requires an integrity header on DeleteObjects.
    const contentMd5 = createHash('md5').update(body).digest('base64');
    const action = `delete ${objectKeys.length} blobs`;
    const response = await this.send({ method: 'POST', query: { delete: '' }, headers: { 'content-type': 'application/xml', 'content-md5': contentMd5 }, body, idempotent: true, action });
    if (!response.ok) throw await this.failure(response, action);
    const answer = await response.text();
    const failures = xmlValues(answer, 'Error');
    if (failures.length > 0) {
      const first = failures[0] ?? '';
      throw new ImagefleetError('storage_unavailable', `S3 could not delete ${failures.length} of ${objectKeys.length} blobs (first: ${xmlValue(first, 'Key') ?? '?'}, ${xmlValue(first, 'Code') ?? 'error'}) in bucket ${this.location.bucket} at ${this.endpointHost}; check the bucket's permissions.`);
    }
  }

  /** Signs and sends, with a deadline on the headers of each attempt and retries for idempotent requests. */
  private async send(request: S3Request): Promise<Response> {
    const url = this.urlOf(request.objectKey);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const attempts = request.idempotent ? this.maxAttempts : 1;
    for (let attempt = 1; ; attempt += 1) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.requestTimeoutMs);
      let response: Response;
      // (`as BodyInit`: the DOM typing wants an ArrayBuffer-backed view; fetch accepts any Uint8Array.)
      try {
        const signed = await this.signer.sign(url.toString(), { method: request.method, headers: request.headers ?? {}, ...(request.body === undefined ? {} : { body: request.body as BodyInit }), signal: controller.signal });
        response = await fetch(signed);
      } catch (error) {
        if (attempt < attempts) {
          await this.waitBeforeRetry(attempt);
          continue;
        }
        const reason = controller.signal.aborted ? `no answer within ${this.requestTimeoutMs} ms` : networkReason(error);
        throw new ImagefleetError('storage_unavailable', `Could not ${request.action} in bucket ${this.location.bucket}: S3 at ${this.endpointHost} failed (${reason}); check AWS_ENDPOINT_URL_S3 and the network.`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
      if (response.status >= 500 && attempt < attempts) {
        await drain(response);
        await this.waitBeforeRetry(attempt);
        continue;
      }
      return response;
    }
  }

  private waitBeforeRetry(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
  }

  /** The error for an unsuccessful answer; `not_found` only when `key` is given and S3 says there is no such object. */
  private async failure(response: Response, action: string, key?: string): Promise<ImagefleetError> {
    const answer = await response.text().catch(() => '');
    const s3Code = xmlValue(answer, 'Code') ?? (response.statusText || 'no detail');
    const where = `bucket ${this.location.bucket} at ${this.endpointHost}`;
    if (response.status === 404 && s3Code === 'NoSuchBucket') {
      return new ImagefleetError('storage_unavailable', `Could not ${action}: ${where} does not exist; check IMAGEFLEET_BLOB_URL and AWS_ENDPOINT_URL_S3.`);
    }
    if (response.status === 404 && key !== undefined) return new ImagefleetError('not_found', `Blob ${key} does not exist.`);
    if (response.status === 401 || response.status === 403) {
      return new ImagefleetError('storage_unavailable', `S3 refused to ${action} in ${where} (${response.status} ${s3Code}); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and the bucket's policy.`);
    }
    return new ImagefleetError('storage_unavailable', `S3 could not ${action} in ${where} (${response.status} ${s3Code}); check the S3 server and IMAGEFLEET_BLOB_URL.`);
  }

  private objectKeyOf(key: string): string {
    return this.location.keyPrefix + key;
  }

  /** Path-style `endpoint/bucket/key` or virtual-host `bucket.host/key`; each key segment percent-encoded (RFC 3986). */
  private urlOf(objectKey: string | undefined): URL {
    const encodedKey = objectKey === undefined ? '' : objectKey.split('/').map(encodeSegment).join('/');
    if (this.location.pathStyle) return new URL(`${this.location.endpoint}/${this.location.bucket}${objectKey === undefined ? '' : `/${encodedKey}`}`);
    const url = new URL(this.location.endpoint);
    url.hostname = `${this.location.bucket}.${url.hostname}`;
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodedKey}`;
    return url;
  }
}

/** `first`, then the rest of `rest`; stopping early (a failed part) also stops `rest`, so the source is released. */
async function* prepend(first: Uint8Array[], rest: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return(undefined);
  }
}

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Size of the whole object: the total of `Content-Range` for a ranged answer, else `Content-Length`. */
function totalSizeOf(response: Response): number {
  const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
  return Number(total ?? response.headers.get('content-length') ?? 0);
}

/** `Last-Modified` in ms (S3 gives whole seconds); 0 when absent, so validators still compare equal. */
function modifiedAtMsOf(response: Response): number {
  const parsed = Date.parse(response.headers.get('last-modified') ?? '');
  return Number.isNaN(parsed) ? 0 : parsed;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = cause?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'network error';
}

function checkRange(range: BlobRange): void {
  const issues = [
    ...(Number.isSafeInteger(range.offsetBytes) && range.offsetBytes >= 0 ? [] : [{ path: 'offsetBytes', message: 'must be a non-negative integer' }]),
    ...(range.lengthBytes === undefined || (Number.isSafeInteger(range.lengthBytes) && range.lengthBytes >= 0) ? [] : [{ path: 'lengthBytes', message: 'must be a non-negative integer' }]),
  ];
  if (issues.length > 0) throw invalidInput(issues, 'Invalid blob range');
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw invalidInput([{ path: name, message: 'must be a positive integer' }], 'Invalid S3 blob store option');
  return value;
}

/**
 * Reads and drops a small answer (an empty PUT reply, an error document), so its connection goes
 * back to the pool; cancelling the body instead closes the connection. A failure here changes
 * nothing about the answer already seen.
 */
async function drain(response: Response): Promise<void> {
  await response.text().catch(() => '');
}
