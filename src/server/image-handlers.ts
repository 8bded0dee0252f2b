/**
 * Image routes: the file and its thumbnail, its metadata (with `Accept: application/json` or
 * `?format=json`), favourite/discard marks, regenerate and upscale, use as a reference.
 */
import { z } from 'zod';
import { ImagefleetError } from '../core/errors.js';
import { regenerateImage, type RegenerateRequest } from '../operations/regenerate-image.js';
import type { ResultImage } from '../engine/ports.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { describeImage } from '../operations/describe-image.js';
import { getImage } from '../operations/get-image.js';
import { getImageThumbnail } from '../operations/get-image-thumbnail.js';
import { markImage } from '../operations/mark-image.js';
import { storeImageAsReference, useImageAsReference } from '../operations/use-image-as-reference.js';
import { apiRoute } from './api-route.js';
import { fileResponse } from './file-response.js';
import { readJsonBody, readParams, readQuery } from './request-input.js';
import { idParamsSchema } from './schemas/common.js';
import { imagePatchBodySchema, regenerateBodySchema, upscaleBodySchema } from './schemas/images.js';
import { serverState } from './server-state.js';
import { assetBody, planSummary, resultItem } from './wire-format.js';

const imageQuerySchema = z.strictObject({
  format: z.enum(['file', 'json'], { error: 'must be file or json' }).optional().describe('json: the metadata instead of the file (same as Accept: application/json).'),
});

const extensions: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/avif': 'avif' };

/** `GET /api/images/{id}`: the file, or its metadata as JSON. */
export const handleGetImage = apiRoute<{ id: string }>(
  async ({ request, params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const { format } = readQuery(url, imageQuerySchema);
    if (format === 'json' || (format === undefined && prefersJson(request))) return Response.json(imageBody(await describeImage({ imageId: id }, fleet)));
    const image = await getImage({ imageId: id }, fleet);
    return fileResponse(request, fleet.blobs, image.fileKey, {
      contentType: image.mediaType,
      fileName: `${image.id}.${extensions[image.mediaType] ?? 'bin'}`,
    });
  },
  { name: 'GET /api/images/{id}' },
);

/** `GET /api/images/{id}/thumb`: the WebP thumbnail. */
export const handleGetThumbnail = apiRoute<{ id: string }>(
  async ({ request, params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    readQuery(url, z.strictObject({}));
    const { image, thumbnailKey } = await getImageThumbnail({ imageId: id }, fleet);
    return fileResponse(request, fleet.blobs, thumbnailKey, { contentType: 'image/webp', fileName: `${image.id}-thumb.webp` });
  },
  { name: 'GET /api/images/{id}/thumb' },
);

/** `PATCH /api/images/{id}`: favourite / discarded. */
export const handlePatchImage = apiRoute<{ id: string }>(
  async ({ request, params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const body = await readJsonBody(request, imagePatchBodySchema);
    return Response.json(imageBody(await markImage({ imageId: id, favorite: body.favorite, discarded: body.discarded }, fleet)));
  },
  { name: 'PATCH /api/images/{id}' },
);

/**
 * `POST /api/images/{id}/reference`: the image stored as a reference (an asset), so it can be
 * composed with like an upload; 201 when new, 200 when the same picture was stored before.
 */
export const handleImageAsReference = apiRoute<{ id: string }>(
  async ({ params, url, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    readQuery(url, z.strictObject({}));
    // Decoding and re-encoding is CPU- and memory-heavy: it waits for a free import slot.
    const { asset, created } = await serverState(fleet).imports.run(() => useImageAsReference({ imageId: id }, fleet));
    return Response.json(assetBody(asset), { status: created ? 201 : 200 });
  },
  { name: 'POST /api/images/{id}/reference' },
);

/** `POST /api/images/{id}/regenerate`. */
export const handleRegenerateImage = apiRoute<{ id: string }>(
  async ({ request, params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const { seed, count, strength } = await readJsonBody(request, regenerateBodySchema, { optional: true });
    return regenerate(fleet, id, { kind: 'regenerate', seed, count, strength });
  },
  { name: 'POST /api/images/{id}/regenerate' },
);

/** `POST /api/images/{id}/upscale`. */
export const handleUpscaleImage = apiRoute<{ id: string }>(
  async ({ request, params, fleet }) => {
    const { id } = readParams(params, idParamsSchema);
    const { size } = await readJsonBody(request, upscaleBodySchema);
    return regenerate(fleet, id, { kind: 'upscale', size });
  },
  { name: 'POST /api/images/{id}/upscale' },
);

async function regenerate(fleet: Fleet, imageId: string, request: RegenerateRequest): Promise<Response> {
  // The fleet satisfies the operation's store dependency; the handler adds the wiring only it knows.
  const result = await regenerateImage(imageId, request, {
    ...fleet,
    submit: (spec, options) => fleet.submitJob(spec, options),
    random: Math.random,
    modelSupport: (providerId, modelId) => {
      if (!fleet.providers.has(providerId)) return undefined;
      const model = fleet.providers.get(providerId).models().find((candidate) => candidate.modelId === modelId || candidate.aliases?.includes(modelId));
      return model ? { supportsStrength: model.supportsStrength, maxReferenceImages: model.maxReferenceImages } : undefined;
    },
    imageAsReference: async (image) => (await serverState(fleet).imports.run(() => storeImageAsReference(image, fleet))).asset.id,
  });
  const job = result.job;
  if (!job) throw new ImagefleetError('internal', 'The regenerate job was planned but not created.');
  const statusUrl = `/api/jobs/${encodeURIComponent(job.id)}/status`;
  return Response.json(
    { id: job.id, groupId: job.groupId, sourceImageId: imageId, seed: result.seed ?? null, statusUrl, plan: planSummary(result.plan, job.lane), ...(result.variation ? { variation: result.variation } : {}) },
    { status: 201, headers: { location: statusUrl } },
  );
}

/** The image's metadata as the API shows it. */
function imageBody(image: ResultImage) {
  return resultItem(image, image.referenceAssetIds);
}

/** Whether the client asked for JSON rather than the image (an `Accept` naming JSON and no image type). */
function prefersJson(request: Request): boolean {
  const accept = request.headers.get('accept')?.toLowerCase() ?? '';
  return accept.includes('application/json') && !accept.includes('image/');
}
