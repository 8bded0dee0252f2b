/** One stored reference image (re-encoded, metadata-free) with its blob key; `not_found` when there is none. */
import type { Asset } from '../core/asset.js';
import { ImagefleetError } from '../core/errors.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface GetUploadInput {
  /** The stored reference image (asset) to read. */
  assetId: string;
}

export async function getUpload(input: GetUploadInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<Asset & { blobKey: string }> {
  const asset = await dependencies.store.assets.getAsset(input.assetId);
  if (!asset) throw new ImagefleetError('not_found', `No uploaded image with id ${input.assetId}.`);
  return asset;
}
