/**
 * The Gemini provider's options in a job's `settings.providerOptions`:
 *
 * - `batchRetry`: `"batch"` (default) or `"online"` — where a batch-lane request is retried when
 *   its batch expired, failed or was cancelled, or its own line failed: in a new batch (half price,
 *   slow) or as an online call (full price, now).
 */
import { providerError } from '../contract.js';

export const batchRetryLanes = ['batch', 'online'] as const;
export type BatchRetryLane = (typeof batchRetryLanes)[number];

export interface GeminiProviderOptions {
  batchRetry: BatchRetryLane;
}

const knownOptionNames: readonly string[] = ['batchRetry'];

/** Reads the options; an unknown option is dropped with a warning, a bad value is refused. */
export function readGeminiProviderOptions(providerOptions: Record<string, unknown> | undefined): { options: GeminiProviderOptions; warnings: string[] } {
  const warnings = Object.keys(providerOptions ?? {})
    .filter((name) => !knownOptionNames.includes(name))
    .map((name) => `providerOptions.${name}: not a Gemini option (known: ${knownOptionNames.join(', ')}) — ignored`);
  const batchRetry = providerOptions?.batchRetry ?? 'batch';
  if (!batchRetryLanes.includes(batchRetry as BatchRetryLane)) {
    throw providerError('invalid', `providerOptions.batchRetry must be one of ${batchRetryLanes.join(', ')} (got ${JSON.stringify(batchRetry)}).`);
  }
  return { options: { batchRetry: batchRetry as BatchRetryLane }, warnings };
}
