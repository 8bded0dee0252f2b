/**
 * Stores an output image as a reference image (an asset), so it can be composed with like an
 * upload; named by its seed, deduped by content.
 */
import type { Asset } from '../core/asset.js';
import type { GeneratedImage } from '../core/image.js';
import { getImage } from './get-image.js';
import type { OperationDependencies } from './operation-dependencies.js';

const extensions: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/avif': 'avif' };

export interface UseImageAsReferenceInput {
  /** The output image to keep as a reference. */
  imageId: string;
}

export interface UseImageAsReferenceResult {
  /** The stored reference image (the existing one when deduped). */
  asset: Asset;
  /** False when the same picture was stored as a reference before. */
  created: boolean;
}

/** `not_found` for an unknown image. */
export async function useImageAsReference(input: UseImageAsReferenceInput, dependencies: Pick<OperationDependencies, 'store' | 'blobs' | 'importAssetFile'>): Promise<UseImageAsReferenceResult> {
  return storeImageAsReference(await getImage(input, dependencies), dependencies);
}

/** The same for an image already read (regenerating from an image stores it as a reference first). */
export function storeImageAsReference(image: GeneratedImage, dependencies: Pick<OperationDependencies, 'blobs' | 'importAssetFile'>): Promise<UseImageAsReferenceResult> {
  const name = `${image.seed === undefined ? image.id : `seed-${image.seed}`}.${extensions[image.mediaType] ?? 'png'}`;
  return importFromBlob(image.fileKey, name, dependencies);
}

/** Imports through a local file of the blob: the stored file itself for file blobs, a temporary download otherwise. */
async function importFromBlob(key: string, name: string, dependencies: Pick<OperationDependencies, 'blobs' | 'importAssetFile'>): Promise<UseImageAsReferenceResult> {
  const source = await dependencies.blobs.materialize(key);
  try {
    return await dependencies.importAssetFile(source.filePath, name);
  } finally {
    await source.release();
  }
}
