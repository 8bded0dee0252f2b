/**
 * What one image cost. The reply's usage metadata, where present, gives the real figure (image
 * output tokens, plus input tokens where their price is known); otherwise the price table's
 * per-image price for the size and lane. Thinking tokens and grounding are not counted.
 */
import type { ImageSize } from '../../core/image-size.js';
import type { Lane } from '../../core/job.js';
import { batchPriceFactor, type GeminiModel } from './models.js';
import type { GeminiUsage } from './read-generate-response.js';

/** Cost of one image in USD, rounded to a millionth of a dollar. */
export function geminiImageCostUsd(model: GeminiModel, size: ImageSize, lane: Lane, usage: GeminiUsage | undefined): number {
  const tablePrice = model.capabilities.pricePerImageUsd[size]?.[lane] ?? 0;
  if (usage?.imageOutputTokens === undefined) return tablePrice;
  const { imageOutputPerMillionUsd, inputPerMillionUsd } = model.tokenPrices;
  let onlineUsd = (usage.imageOutputTokens * imageOutputPerMillionUsd) / 1_000_000;
  if (inputPerMillionUsd !== undefined && usage.promptTokens !== undefined) onlineUsd += (usage.promptTokens * inputPerMillionUsd) / 1_000_000;
  const laneUsd = lane === 'batch' ? onlineUsd * batchPriceFactor : onlineUsd;
  return Math.round(laneUsd * 1_000_000) / 1_000_000;
}
