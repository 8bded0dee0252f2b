/**
 * Upload routes: `POST /api/uploads` (one image, streamed to disk), `POST /api/uploads/zip`
 * (an archive of images, extracted safely), `POST /api/uploads/check` (which files are known already), `GET /api/uploads` (earlier uploads, newest first),
 * and `GET /api/uploads/{id}` / `GET /api/uploads/{id}/thumb` (the stored image, its thumbnail). Uploads wait on disk in the data directory's
 * `tmp/uploads`, which is emptied of leftovers when the first upload of a process arrives.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ImagefleetError, invalidInput } from '../core/errors.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { checkUploads } from '../operations/check-uploads.js';
import { getUpload } from '../operations/get-upload.js';
import { listUploads } from '../operations/list-uploads.js';
import { uploadThumbnail } from '../operations/upload-thumbnail.js';
import { apiRoute, runInApiContext, withCommonHeaders, type ApiContext } from './api-route.js';
import { fileResponse } from './file-response.js';
import { decodeCursor, nextCursorOf } from './keyset-cursor.js';
import { nodeRequestHead } from './node-request-head.js';
import { readJsonBody, readParams, readQuery } from './request-input.js';
import { idParamsSchema } from './schemas/common.js';
import { defaultUploadPageSize, uploadCheckBodySchema, uploadListQuerySchema } from './schemas/uploads.js';
import { serverState } from './server-state.js';
import { importUploadedImage, imageTypeRefusal } from './uploads/image-import.js';
import { receiveMultipartFile } from './uploads/multipart-file.js';
import { importZipUpload } from './uploads/zip-import.js';
import { assetBody, uploadListItem } from './wire-format.js';
import { z } from 'zod';

/** Temporary files older than this are left over from a crash and removed. */
const staleUploadMs = 60 * 60 * 1000;

const uploadRouteOptions = { name: 'POST /api/uploads' };

/**
 * `POST /api/uploads`: 201 with the new asset, 200 when the same image was stored before. `body`
 * is the Node request's own stream when `imagefleet serve` answers before Next (see
 * `serveUploadFromNode`); the Next route reads the web request's body.
 */
async function storeUpload({ request, url, fleet }: ApiContext<Record<string, never>>, body?: Readable): Promise<Response> {
  readQuery(url, z.strictObject({}));
  const directory = await uploadDirectory(fleet);
  const file = await receiveMultipartFile(
    request,
    {
      directory,
      maxBytes: fleet.config.api.uploadMaxBytes,
      limitName: 'IMAGEFLEET_UPLOAD_MAX_BYTES',
      checkType: (type) => imageTypeRefusal(type),
    },
    body,
  );
  try {
    const { asset, created } = await importUploadedImage(fleet, file);
    return Response.json(assetBody(asset), { status: created ? 201 : 200 });
  } finally {
    await rm(file.path, { force: true });
  }
}

/** The Next route of `POST /api/uploads`. */
export const handleUpload = apiRoute((context) => storeUpload(context), uploadRouteOptions);

/**
 * The custom server's plain Node handler for `POST /api/uploads`: the same checks, errors and
 * answers as the route, with busboy reading the Node request directly — no web stream and its
 * per-chunk garbage in between (decision 0047). Returns undefined for any other request.
 */
export function serveUploadFromNode(request: IncomingMessage, response: ServerResponse): Promise<void> | undefined {
  if (request.method !== 'POST') return undefined;
  const pathname = (request.url ?? '/').split('?')[0];
  if (pathname !== '/api/uploads' && pathname !== '/api/uploads/') return undefined;
  return (async () => {
    const aborter = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) aborter.abort();
    });
    const outcome = await runInApiContext(nodeRequestHead(request, aborter.signal), undefined, (context: ApiContext<Record<string, never>>) => storeUpload(context, request), uploadRouteOptions);
    const answer = outcome.ok ? withCommonHeaders(outcome.value, outcome.requestId) : outcome.response;
    const bytes = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, { ...Object.fromEntries(answer.headers), 'content-length': String(bytes.length) });
    response.end(bytes);
  })();
}

/** `POST /api/uploads/zip`: 201 when an image was stored, 200 when all were known; 422 when none was usable. */
export const handleZipUpload = apiRoute(
  async ({ request, url, fleet }) => {
    readQuery(url, z.strictObject({}));
    const directory = await uploadDirectory(fleet);
    const file = await receiveMultipartFile(request, {
      directory,
      maxBytes: fleet.config.api.zipUploadMaxBytes,
      limitName: 'IMAGEFLEET_ZIP_UPLOAD_MAX_BYTES',
      checkType: (type) => (type === 'zip' ? undefined : new ImagefleetError('unsupported_media_type', 'The file is not a ZIP archive (judged by its bytes); send a .zip of images, or single images to POST /api/uploads.')),
    });
    try {
      const result = await importZipUpload(fleet, file.path, directory);
      if (result.assets.length === 0) {
        const issues = result.rejected.map((rejected) => ({ path: rejected.entry, message: rejected.reason }));
        if (issues.length === 0) throw invalidInput([{ path: 'file', message: 'the archive holds no files' }], 'Empty ZIP');
        throw new ImagefleetError('unprocessable', `No image in the ZIP could be stored (${issues.length} entr${issues.length === 1 ? 'y' : 'ies'} rejected; see details). Nothing was stored.`, { issues: issues.slice(0, 100) });
      }
      const created = result.assets.some((entry) => entry.created);
      return Response.json(
        {
          assets: result.assets.map((entry) => ({ ...assetBody(entry.asset), entry: entry.entry, created: entry.created })),
          rejected: result.rejected,
        },
        { status: created ? 201 : 200 },
      );
    } finally {
      await rm(file.path, { force: true });
    }
  },
  { name: 'POST /api/uploads/zip' },
);

/**
 * `POST /api/uploads/check`: which of these files (by the SHA-256 of their bytes as the client
 * holds them) the server has already, so a browser re-adding a folder sends only the new ones.
 */
export const handleUploadCheck = apiRoute(
  async ({ request, url, fleet }) => {
    readQuery(url, z.strictObject({}));
    const body = await readJsonBody(request, uploadCheckBodySchema);
    const known = await checkUploads({ sha256: body.sha256 }, fleet);
    return Response.json({ known: Object.fromEntries([...known].map(([sha256, asset]) => [sha256, assetBody(asset)])) });
  },
  { name: 'POST /api/uploads/check' },
);

/** `GET /api/uploads`: stored reference images, newest first, a page at a time. */
export const handleListUploads = apiRoute(
  async ({ url, fleet }) => {
    const query = readQuery(url, uploadListQuerySchema);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const limit = query.limit ?? defaultUploadPageSize;
    const page = await listUploads({ before, limit, nameContains: query.name }, fleet);
    return Response.json({ items: page.assets.map(uploadListItem), nextCursor: nextCursorOf(page.assets, page.hasMore) });
  },
  { name: 'GET /api/uploads' },
);

/** `GET /api/uploads/{id}`: the stored (re-encoded, metadata-free) reference image. */
export const handleGetUpload = apiRoute<{ id: string }>(
  async ({ request, params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    readQuery(url, z.strictObject({}));
    const asset = await getUpload({ assetId: id }, fleet);
    return fileResponse(request, fleet.blobs, asset.blobKey, { contentType: asset.mediaType, fileName: asset.originalName });
  },
  { name: 'GET /api/uploads/{id}' },
);

/** `GET /api/uploads/{id}/thumb`: a WebP thumbnail, made with sharp on first request and kept in the blob store. */
export const handleGetUploadThumbnail = apiRoute<{ id: string }>(
  async ({ request, params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    readQuery(url, z.strictObject({}));
    // Making the thumbnail decodes the image: it waits for a free import slot.
    const { asset, thumbnailKey } = await serverState(fleet).imports.run(() => uploadThumbnail({ assetId: id }, fleet));
    // Content-addressed: the bytes behind this URL never change.
    return fileResponse(request, fleet.blobs, thumbnailKey, { contentType: 'image/webp', fileName: `${asset.id}-thumb.webp`, cacheControl: 'private, max-age=31536000, immutable' });
  },
  { name: 'GET /api/uploads/{id}/thumb' },
);

async function uploadDirectory(fleet: Fleet): Promise<string> {
  const directory = path.join(fleet.config.dataDir, 'tmp', 'uploads');
  const state = serverState(fleet);
  if (!state.uploadsSwept) {
    state.uploadsSwept = true;
    await sweepStaleUploads(directory);
  }
  return directory;
}

async function sweepStaleUploads(directory: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  const cutoff = Date.now() - staleUploadMs;
  for (const name of names) {
    const filePath = path.join(directory, name);
    const stats = await stat(filePath).catch(() => undefined);
    if (stats && stats.mtimeMs < cutoff) await rm(filePath, { force: true, recursive: true }).catch(() => undefined);
  }
}
