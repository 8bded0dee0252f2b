/** The WebP thumbnail of a stored reference image, made on first request and kept in the blob store. */
import type { Asset } from '../core/asset.js';
import { ensureAssetThumbnail } from '../imaging/asset-thumbnail.js';
import { getUpload } from './get-upload.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface UploadThumbnailInput {
  /** The stored reference image (asset). */
  assetId: string;
}

export interface UploadThumbnail {
  /** The stored reference image. */
  asset: Asset;
  /** Blob key of the thumbnail; content-addressed, so the bytes behind it never change. */
  thumbnailKey: string;
}

/** `not_found` for an unknown asset. */
export async function uploadThumbnail(input: UploadThumbnailInput, dependencies: Pick<OperationDependencies, 'store' | 'blobs'>): Promise<UploadThumbnail> {
  const asset = await getUpload(input, dependencies);
  return { asset, thumbnailKey: await ensureAssetThumbnail(dependencies.blobs, asset.sha256, asset.blobKey) };
}
