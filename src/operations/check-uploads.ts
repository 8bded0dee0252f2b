/**
 * Which of these files (by the SHA-256 of their bytes as the client holds them) are stored already,
 * so a browser re-adding a folder sends only the new ones. A file matches the upload it was first
 * stored from, or a stored image with exactly these bytes.
 */
import type { Asset } from '../core/asset.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface CheckUploadsInput {
  /** SHA-256 of each file, lowercase hex; repeats are looked up once. */
  sha256: string[];
}

/** The known files' assets, by the SHA-256 they were asked by; unknown ones are absent. */
export async function checkUploads(input: CheckUploadsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<Map<string, Asset>> {
  const { assets } = dependencies.store;
  const known = new Map<string, Asset>();
  for (const sha256 of new Set(input.sha256)) {
    const asset = (await assets.getAssetBySourceSha256(sha256)) ?? (await assets.getAssetBySha256(sha256));
    if (asset) known.set(sha256, asset);
  }
  return known;
}
