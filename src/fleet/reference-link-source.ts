/**
 * Where a remote worker (RunPod) fetches a reference image from. With blobs in S3 it is a
 * presigned GET of the object (the blob store's `signedUrl`, decision 0037): the bytes travel from
 * the bucket, and the app needs no public address. With files it is this server's signed link
 * (`reference-links.ts`), which needs `IMAGEFLEET_PUBLIC_URL`.
 */
import type { AssetRepository, BlobStore, Clock } from '../engine/ports.js';
import type { ReferenceLinks } from './reference-links.js';

/** Longest life of a presigned S3 URL (S3 refuses more than 7 days), in ms. */
export const maxSignedUrlMs = 7 * 24 * 60 * 60 * 1000;

export interface ReferenceLinkSourceParts {
  blobs: BlobStore;
  assets: Pick<AssetRepository, 'getAssetBySha256'>;
  referenceLinks: ReferenceLinks;
  clock: Pick<Clock, 'now'>;
}

/**
 * A function giving the link to the reference with this SHA-256, valid `ttlMs` (at most 7 days for
 * a presigned URL); undefined when there is none (files and no public URL).
 */
export function referenceLinkSource(parts: ReferenceLinkSourceParts): (sha256: string, ttlMs: number) => Promise<string | undefined> {
  return async (sha256, ttlMs) => {
    if (parts.blobs.signedUrl !== undefined) {
      const asset = await parts.assets.getAssetBySha256(sha256);
      if (asset !== undefined) return parts.blobs.signedUrl(asset.blobKey, Math.min(ttlMs, maxSignedUrlMs));
    }
    return parts.referenceLinks.urlFor(sha256, ttlMs, parts.clock.now());
  };
}
