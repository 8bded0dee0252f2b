/**
 * `GET /api/references/{sha256}?expires=&signature=`: a stored reference image for a remote
 * worker (RunPod) that got it as a signed link instead of inline. No API token: the signature is
 * the permission, for this image until `expires` only (see src/fleet/reference-links.ts).
 */
import { getReferenceImage } from '../operations/get-reference-image.js';
import { apiRoute } from './api-route.js';
import { fileResponse } from './file-response.js';
import { readParams, readQuery } from './request-input.js';
import { referenceParamsSchema, referenceQuerySchema } from './schemas/references.js';

export const handleGetReference = apiRoute<{ sha256: string }>(
  async ({ request, params, url, fleet }) => {
    const { sha256 } = readParams(params, referenceParamsSchema);
    const { expires, signature } = readQuery(url, referenceQuerySchema);
    const asset = await getReferenceImage({ sha256, expiresAtSeconds: expires, signature }, fleet);
    return fileResponse(request, fleet.blobs, asset.blobKey, { contentType: asset.mediaType, fileName: `${sha256.slice(0, 16)}`, cacheControl: 'private, max-age=3600' });
  },
  { access: 'public', name: 'GET /api/references/{sha256}' },
);
