/** One output image as stored (file and thumbnail keys, marks, seed); `not_found` when there is none. */
import { ImagefleetError } from '../core/errors.js';
import type { GeneratedImage } from '../core/image.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface GetImageInput {
  /** The output image to read. */
  imageId: string;
}

export async function getImage(input: GetImageInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<GeneratedImage> {
  const image = await dependencies.store.images.getImage(input.imageId);
  if (!image) throw new ImagefleetError('not_found', `No image with id ${input.imageId}.`);
  return image;
}
