/**
 * The name an image is known by to the person who uploaded its references: the first reference's
 * file name, plus how many more there are. For an Automatic result that is its product photo.
 */
import type { ResultImage } from '../_lib/api-types.js';

export function sourceLabel(image: Pick<ResultImage, 'referenceNames'>): string | undefined {
  const names = image.referenceNames ?? [];
  const first = names[0];
  if (first === undefined) return undefined;
  return names.length === 1 ? first : `${first} +${names.length - 1}`;
}
