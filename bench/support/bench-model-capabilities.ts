import { aspectRatios, imageSizes } from '../../src/core/image-size.js';
import type { ModelCapabilities } from '../../src/providers/contract.js';

/**
 * Capabilities of a benchmark model. One image per call and batch size 1 keep "tasks" and
 * "provider calls" the same number, so every figure counts calls; the price is zero because the
 * benchmarks measure the engine, not budgets.
 */
export function benchModelCapabilities(options: { modelId: string; displayName: string; typicalLatencyMs: number }): ModelCapabilities {
  return {
    modelId: options.modelId,
    displayName: options.displayName,
    description: 'Benchmark model (not AI): returns a small fixed PNG.',
    maxReferenceImages: 1,
    seedSupport: 'exact',
    sizes: imageSizes,
    aspectRatios,
    supportsMask: false,
    supportsLora: false,
    supportsNegativePrompt: false,
    supportsStrength: false,
    maxImagesPerCall: 1,
    lanes: ['online'],
    pricePerImageUsd: Object.fromEntries(imageSizes.map((size) => [size, { online: 0 }])),
    typicalLatencyMs: options.typicalLatencyMs,
  };
}
