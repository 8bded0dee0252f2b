/**
 * A stored reference image for a remote worker (RunPod) that got it as a signed link instead of
 * inline: the signature is the permission, for this image until the link's expiry only.
 */
import type { Asset } from '../core/asset.js';
import { ImagefleetError } from '../core/errors.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface GetReferenceImageInput {
  /** SHA-256 of the stored image, lowercase hex. */
  sha256: string;
  /** The link's expiry, epoch seconds. */
  expiresAtSeconds: number;
  /** The link's signature. */
  signature: string;
}

/** `forbidden` for a wrong or expired link, `not_found` when the image is no longer stored. */
export async function getReferenceImage(input: GetReferenceImageInput, dependencies: Pick<OperationDependencies, 'store' | 'referenceLinks' | 'clock'>): Promise<Asset & { blobKey: string }> {
  if (!dependencies.referenceLinks.verify(input.sha256, input.expiresAtSeconds, input.signature, dependencies.clock.now())) {
    throw new ImagefleetError('forbidden', 'This reference link is not valid or has expired; the job that carried it is submitted again with a fresh one.');
  }
  const asset = await dependencies.store.assets.getAssetBySha256(input.sha256);
  if (!asset) throw new ImagefleetError('not_found', 'The image behind this reference link is no longer stored.');
  return asset;
}
