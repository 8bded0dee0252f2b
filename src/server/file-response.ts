/**
 * Serves one stored file (an output image, a thumbnail) as a streamed response: exact
 * Content-Length, an ETag for conditional requests, RFC 6266 Content-Disposition, and headers that
 * stop a browser from treating the bytes as anything but the image they are.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImagefleetError } from '../core/errors.js';
import { contentDisposition } from './content-disposition.js';

export interface FileResponseOptions {
  contentType: string;
  /** Suggested file name (sanitised by `safeFileName` in content-disposition.ts). */
  fileName: string;
  cacheControl?: string;
}

export async function fileResponse(request: Request, filePath: string, options: FileResponseOptions): Promise<Response> {
  let size: number;
  let modifiedMs: number;
  try {
    const stats = await stat(filePath);
    size = stats.size;
    modifiedMs = Math.floor(stats.mtimeMs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ImagefleetError('not_found', 'The file of this image is missing from the data directory.', { cause: error });
    throw new ImagefleetError('storage_unavailable', 'The file of this image cannot be read; check the data directory.', { cause: error });
  }
  const etag = `W/"${size.toString(16)}-${modifiedMs.toString(16)}"`;
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
  headers['content-length'] = String(size);
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  const stream = createReadStream(filePath);
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status: 200, headers });
}
