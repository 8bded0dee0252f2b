/**
 * What one output image cost. Providers bill per call, and a call can make several images; lists
 * show each image's share so a gallery's costs add up to what the calls cost.
 */

/** `taskCostUsd` (USD, what the call cost; undefined while unknown) split evenly over the `imageCount` images the call made; undefined when unknown or the call made none. */
export function imageCostShareUsd(taskCostUsd: number | undefined, imageCount: number): number | undefined {
  if (taskCostUsd === undefined || imageCount <= 0) return undefined;
  return taskCostUsd / imageCount;
}
