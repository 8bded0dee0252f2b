/**
 * Receives the one file of a `multipart/form-data` request, streamed to a temporary file (never
 * held in memory whole) with busboy, hashed (SHA-256) on the way. The size limit stops the write at the limit; the type is
 * judged from the first bytes as they arrive, so a wrong file is refused before the rest is
 * stored. On any refusal the temporary file is removed and the rest of the request body is
 * drained (up to a bound) so the client can read the answer instead of a reset connection.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { ImagefleetError, invalidInput } from '../../core/errors.js';
import { sniffLength, sniffType, type SniffedType } from './sniff-type.js';

/** Multipart framing allowed beyond the file itself (boundaries, part headers, small fields). */
const multipartOverheadBytes = 1024 * 1024;
/** After a refusal, at most this much more of the body is read and dropped before answering. */
const drainLimitBytes = 64 * 1024 * 1024;

export interface ReceiveOptions {
  /** Where the temporary file goes (same file system as the blob store). */
  directory: string;
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** What the limit is called in the 413 message, e.g. "IMAGEFLEET_UPLOAD_MAX_BYTES". */
  limitName: string;
  /** Checks the sniffed type; returns the refusal (415) or undefined to accept. */
  checkType: (type: SniffedType | undefined) => ImagefleetError | undefined;
}

export interface ReceivedFile {
  /** The temporary file; the caller removes it. */
  path: string;
  /** The client's file name, for display only. */
  fileName: string;
  byteSize: number;
  type: SniffedType | undefined;
  /** Hex SHA-256 of the file's bytes, computed as they arrived (the file is not read again for it). */
  sha256: string;
}

/**
 * `nodeBody` is the body as the Node request that carries it, when the caller has one (the plain
 * Node upload route of `imagefleet serve`): busboy then reads it with no web-stream layer between
 * (decision 0047); otherwise `request.body` is read.
 */
export async function receiveMultipartFile(request: Request, options: ReceiveOptions, nodeBody?: Readable): Promise<ReceivedFile> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType) || !/boundary=/i.test(contentType)) {
    throw new ImagefleetError('unsupported_media_type', 'Send the file as multipart/form-data with one field named "file" (e.g. curl -F file=@photo.jpg).');
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes + multipartOverheadBytes) throw tooLarge(options);
  if (nodeBody === undefined ? request.body === null : declared === 0) throw invalidInput([{ path: 'file', message: 'is missing: the request has no body' }], 'Missing file');
  await mkdir(options.directory, { recursive: true });

  const source = nodeBody ?? Readable.fromWeb(request.body as NodeWebReadableStream<Uint8Array>);
  const parser = busboy({
    headers: { 'content-type': contentType },
    // Browsers, curl and requests send `filename` as UTF-8; busboy would read it as Latin-1.
    defParamCharset: 'utf8',
    limits: { files: 1, fileSize: options.maxBytes, fields: 20, fieldSize: 64 * 1024, parts: 40, headerPairs: 100 },
  });

  let tempPath: string | undefined;
  let written: Promise<{ byteSize: number; type: SniffedType | undefined; sha256: string }> | undefined;
  let fileName = 'upload';

  const outcome = new Promise<ReceivedFile>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || written !== undefined) {
        stream.resume();
        return;
      }
      fileName = displayName(info.filename);
      tempPath = path.join(options.directory, `${randomUUID()}.upload`);
      written = writeUpload(stream, tempPath, options);
      written.catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
    });
    parser.on('filesLimit', () => fail(invalidInput([{ path: 'file', message: 'send one file per request (use POST /api/uploads/zip for many)' }], 'Too many files')));
    parser.on('partsLimit', () => fail(invalidInput([{ path: '', message: 'too many form parts' }], 'Malformed upload')));
    parser.on('fieldsLimit', () => fail(invalidInput([{ path: '', message: 'too many form fields' }], 'Malformed upload')));
    parser.on('error', (error: unknown) =>
      fail(invalidInput([{ path: '', message: `the multipart body cannot be read (${error instanceof Error ? error.message : String(error)})` }], 'Malformed upload')),
    );
    parser.on('close', () => {
      if (written === undefined) {
        fail(invalidInput([{ path: 'file', message: 'is missing: send the file in a form field named "file"' }], 'Missing file'));
        return;
      }
      written.then(
        (result) => {
          if (settled || tempPath === undefined) return;
          settled = true;
          resolve({ path: tempPath, fileName, byteSize: result.byteSize, type: result.type, sha256: result.sha256 });
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
    source.on('error', (error) => fail(error));
    source.pipe(parser);
  });

  try {
    return await outcome;
  } catch (error) {
    source.unpipe(parser);
    parser.removeAllListeners('file');
    if (tempPath !== undefined) await rm(tempPath, { force: true });
    await drain(source);
    throw error;
  }
}

/** Writes one file stream to `filePath`, refusing it at the size limit or on a wrong type. */
async function writeUpload(stream: Readable & { truncated?: boolean }, filePath: string, options: ReceiveOptions): Promise<{ byteSize: number; type: SniffedType | undefined; sha256: string }> {
  let byteSize = 0;
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let type: SniffedType | undefined;
  let checked = false;
  const check = (): Error | undefined => {
    checked = true;
    type = sniffType(head);
    return options.checkType(type);
  };
  const sniffer = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      byteSize += chunk.length;
      hash.update(chunk);
      if (!checked) {
        head = Buffer.concat([head, chunk.subarray(0, sniffLength - head.length)]);
        if (head.length >= sniffLength) {
          const refusal = check();
          if (refusal) return callback(refusal);
        }
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (!checked) {
        const refusal = check();
        if (refusal) return callback(refusal);
      }
      callback();
    },
  });
  stream.once('limit', () => sniffer.destroy(tooLarge(options)));
  try {
    await pipeline(stream, sniffer, createWriteStream(filePath, { flags: 'wx' }));
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
  if (stream.truncated) {
    await rm(filePath, { force: true });
    throw tooLarge(options);
  }
  return { byteSize, type, sha256: hash.digest('hex') };
}

/** Reads and drops what is left of the body (bounded), so the client gets to read the answer. */
async function drain(source: Readable): Promise<void> {
  if (source.readableEnded || source.destroyed) return;
  await new Promise<void>((resolve) => {
    let dropped = 0;
    const finish = () => {
      source.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > drainLimitBytes) {
        source.destroy();
        finish();
      }
    };
    source.on('data', onData);
    source.once('end', finish);
    source.once('close', finish);
    source.once('error', finish);
    source.resume();
  });
}

function tooLarge(options: ReceiveOptions): ImagefleetError {
  return new ImagefleetError('payload_too_large', `The file is larger than ${formatBytes(options.maxBytes)} (${options.limitName}); nothing was stored.`);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${Math.round((bytes / 1024 / 1024 / 1024) * 10) / 10} GiB`;
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** The client's file name reduced to a display name: no folders, no control characters, at most 255 characters. */
export function displayName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base.normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 255);
  return clean === '' ? 'upload' : clean;
}
