/**
 * The remote handle of one batch-lane request, as the engine stores it: the batch name plus
 * everything needed to read this request's result after a restart, without the original request
 * (`batches/abc?key=…&model=nano-banana&size=2K&ratio=16%3A9&retry=batch`).
 */
import { aspectRatios, imageSizes, type AspectRatio, type ImageSize } from '../../../core/image-size.js';
import { batchRetryLanes, type BatchRetryLane } from '../gemini-provider-options.js';

export interface BatchHandle {
  /** `batches/…`, as Google names the batch job. */
  batchName: string;
  /** The request's key in the batch (its JSONL `key`). */
  key: string;
  /** Friendly model name, for the price. */
  model: string;
  size: ImageSize;
  aspectRatio: AspectRatio;
  /** Where the request goes if its batch ends without a result for it. */
  retry: BatchRetryLane;
}

export function formatBatchHandle(handle: BatchHandle): string {
  const query = new URLSearchParams({ key: handle.key, model: handle.model, size: handle.size, ratio: handle.aspectRatio, retry: handle.retry });
  return `${handle.batchName}?${query.toString()}`;
}

/** The handle's parts, or undefined when the text is not a batch handle of this provider. */
export function parseBatchHandle(text: string): BatchHandle | undefined {
  const separator = text.indexOf('?');
  if (separator < 0) return undefined;
  const batchName = text.slice(0, separator);
  if (!/^batches\/[^/?]+$/.test(batchName)) return undefined;
  const query = new URLSearchParams(text.slice(separator + 1));
  const key = query.get('key');
  const model = query.get('model');
  const size = imageSizes.find((candidate) => candidate === query.get('size'));
  const aspectRatio = aspectRatios.find((candidate) => candidate === query.get('ratio'));
  const retry = batchRetryLanes.find((candidate) => candidate === query.get('retry'));
  if (!key || !model || !size || !aspectRatio || !retry) return undefined;
  return { batchName, key, model, size, aspectRatio, retry };
}
