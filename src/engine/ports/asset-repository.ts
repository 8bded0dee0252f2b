/** Uploaded reference images, stored once by SHA-256. A port: adapters in src/store implement it. */
import type { Asset } from '../../core/asset.js';

export interface AssetRepository {
  /** Inserts or returns the existing asset with the same SHA-256. */
  upsertAsset(asset: Asset & { blobKey: string }): Promise<Asset>;
  getAsset(assetId: string): Promise<(Asset & { blobKey: string }) | undefined>;
  /** The asset with these bytes (assets are unique by SHA-256). */
  getAssetBySha256(sha256: string): Promise<(Asset & { blobKey: string }) | undefined>;
  /** The asset first uploaded as exactly these bytes (SHA-256 of the file before re-encoding). */
  getAssetBySourceSha256(sourceSha256: string): Promise<(Asset & { blobKey: string }) | undefined>;
  getAssets(assetIds: string[]): Promise<Array<Asset & { blobKey: string }>>;
  /** One page of assets, newest first, after the keyset cursor `before` (the last asset of the previous page). */
  listAssets(query: AssetListQuery): Promise<Array<Asset & { blobKey: string }>>;
}

export interface AssetListQuery {
  before?: { createdAtMs: number; id: string } | undefined;
  limit: number;
  /** Case-insensitive substring of the uploaded file name. */
  nameContains?: string | undefined;
}
