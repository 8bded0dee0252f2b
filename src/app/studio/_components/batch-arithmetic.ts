/** How a prompt's images fall into sets of the batch size, said the way the composer shows it. */

export type BatchSize = 1 | 2 | 4;
export const batchSizes: readonly BatchSize[] = [1, 2, 4];

export interface SetBreakdown {
  fullSets: number;
  /** Images in a last, smaller set (0 when the count divides evenly). */
  remainder: number;
  totalSets: number;
}

export function setBreakdown(imageCount: number, batchSize: BatchSize): SetBreakdown {
  const fullSets = Math.floor(imageCount / batchSize);
  const remainder = imageCount % batchSize;
  return { fullSets, remainder, totalSets: fullSets + (remainder > 0 ? 1 : 0) };
}

/** `40 images = 10 sets of 4`, `10 images = 2 sets of 4 + 1 set of 2`, `1 image = 1 set of 1`. */
export function describeSets(imageCount: number, batchSize: BatchSize): string {
  const { fullSets, remainder } = setBreakdown(imageCount, batchSize);
  const images = `${imageCount} ${imageCount === 1 ? 'image' : 'images'}`;
  const parts: string[] = [];
  if (fullSets > 0) parts.push(`${fullSets} ${fullSets === 1 ? 'set' : 'sets'} of ${batchSize}`);
  if (remainder > 0) parts.push(`1 set of ${remainder}`);
  return `${images} = ${parts.join(' + ')}`;
}
