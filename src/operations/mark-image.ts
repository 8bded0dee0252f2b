/** Sets or clears an image's favourite and discarded marks (discarded images are hidden from feeds, restorable). */
import type { ResultImage } from '../engine/ports.js';
import { imageDetails } from './describe-image.js';
import { getImage } from './get-image.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface MarkImageInput {
  /** The output image to mark. */
  imageId: string;
  /** undefined = unchanged. */
  favorite?: boolean | undefined;
  /** undefined = unchanged. */
  discarded?: boolean | undefined;
}

/** Returns the image's details after the change; `not_found` for an unknown image. */
export async function markImage(input: MarkImageInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<ResultImage> {
  const { images } = dependencies.store;
  let image = await getImage(input, dependencies);
  if (input.favorite !== undefined) image = await images.setFavorite(input.imageId, input.favorite);
  if (input.discarded !== undefined) image = await images.setDiscarded(input.imageId, input.discarded);
  return imageDetails(image, dependencies);
}
