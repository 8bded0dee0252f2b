/**
 * The WebP thumbnail of a stored reference, made from its blob on first use and kept beside it
 * (content-addressed like the asset, so it never goes stale): references get no thumbnail at
 * upload time, and most are never shown in a picker.
 */
import { assetThumbnailKey } from '../core/blob-keys.js';
import type { BlobStore } from '../engine/ports.js';
import { makeThumbnail } from './thumbnail.js';

/** Returns the thumbnail's blob key, making it first when it does not exist yet. */
export async function ensureAssetThumbnail(blobs: BlobStore, sha256: string, assetKey: string): Promise<string> {
  const key = assetThumbnailKey(sha256);
  if ((await blobs.stat(key)) !== undefined) return key;
  const thumbnail = await makeThumbnail(await blobs.read(assetKey), `asset ${sha256.slice(0, 12)}`);
  // Two first requests at once both write the same bytes; the atomic put makes that harmless.
  await blobs.put(key, thumbnail, { contentType: 'image/webp' });
  return key;
}
