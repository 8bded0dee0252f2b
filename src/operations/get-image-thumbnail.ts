/**
 * The thumbnail of one output image, rebuilt from the output first when a power cut left it
 * missing, empty or torn (thumbnails are written without fsync, decision 0048). `not_found` when
 * there is no such image, or when its output is gone too.
 */
import type { GeneratedImage } from '../core/image.js';
import { ensureOutputThumbnail } from '../imaging/output-thumbnail.js';
import { getImage } from './get-image.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface GetImageThumbnailInput {
  /** The output image whose thumbnail to read. */
  imageId: string;
}

export interface ImageThumbnail {
  /** The output image. */
  image: GeneratedImage;
  /** Blob key of its thumbnail, whole and decodable when this resolved. */
  thumbnailKey: string;
}

export async function getImageThumbnail(input: GetImageThumbnailInput, dependencies: Pick<OperationDependencies, 'store' | 'blobs'>): Promise<ImageThumbnail> {
  const image = await getImage(input, dependencies);
  return { image, thumbnailKey: await ensureOutputThumbnail(dependencies.blobs, image) };
}
