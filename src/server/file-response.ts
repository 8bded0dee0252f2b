/**
 * Serves one stored blob (an output image, a thumbnail, a reference) as a streamed response: exact
 * Content-Length, an ETag for conditional requests, RFC 6266 Content-Disposition, and headers that
 * stop a browser from treating the bytes as anything but the image they are. Reads through the
 * blob port (`stat`, then `get`), never a file path.
 */
import { Readable } from 'node:stream';
import { ImagefleetError, isImagefleetError } from '../core/errors.js';
import type { BlobStat, BlobStore } from '../engine/ports.js';
import { contentDisposition } from './content-disposition.js';

export interface FileResponseOptions {
  contentType: string;
  /** Suggested file name (sanitised by `safeFileName` in content-disposition.ts). */
  fileName: string;
  cacheControl?: string;
}

const missingMessage = 'The file of this image is missing from the data directory.';
const unreadableMessage = 'The file of this image cannot be read; check the data directory.';

export async function fileResponse(request: Request, blobs: BlobStore, key: string, options: FileResponseOptions): Promise<Response> {
  const stats = await readOrExplain(() => blobs.stat(key));
  if (stats === undefined) throw new ImagefleetError('not_found', missingMessage);
  const etag = etagOf(stats);
  const headers: Record<string, string> = {
    'content-type': options.contentType,
    etag,
    'cache-control': options.cacheControl ?? 'private, max-age=86400',
    'content-disposition': contentDisposition('inline', options.fileName),
    'content-security-policy': "default-src 'none'; sandbox",
    'x-content-type-options': 'nosniff',
  };
  if (request.headers.get('if-none-match')?.split(',').some((tag) => tag.trim() === etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers['content-length'] = String(stats.byteSize);
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  // The length announced is the one stat saw: read exactly that much, even if the blob was replaced since.
  const { stream } = await readOrExplain(() => blobs.get(key, { offsetBytes: 0, lengthBytes: stats.byteSize }));
  return new Response(Readable.toWeb(stream instanceof Readable ? stream : Readable.from(stream)) as ReadableStream<Uint8Array>, { status: 200, headers });
}

/** A weak validator from the size and modification time (as before the blob port: same header values). */
function etagOf(stats: BlobStat): string {
  return `W/"${stats.byteSize.toString(16)}-${stats.modifiedAtMs.toString(16)}"`;
}

/** Maps the store's errors to the messages this route has always given. */
async function readOrExplain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isImagefleetError(error) && error.code === 'not_found') throw new ImagefleetError('not_found', missingMessage, { cause: error });
    if (isImagefleetError(error) && error.code === 'invalid_input') throw error;
    throw new ImagefleetError('storage_unavailable', unreadableMessage, { cause: error });
  }
}
