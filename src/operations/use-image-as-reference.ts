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
  // TODO(blob port by key): import from the blob by key once the blob port has no file paths.
  return dependencies.importAssetFile(dependencies.blobs.pathOf(image.fileKey), name);
}
