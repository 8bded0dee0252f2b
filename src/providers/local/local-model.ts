/** The capabilities of the local provider's one model. */
import { aspectRatios } from '../../core/image-size.js';
import type { ModelCapabilities } from '../contract.js';

export const localModelId = 'local-transform';

/** Default strength: a clear variation that still shows its reference. */
export const defaultLocalStrength = 0.6;

/** Rough render time of one call at 1K on a modest CPU, added to the simulated latency for estimates. */
const renderEstimateMs = 150;

/** Capabilities of `local-transform`; `simulatedLatencyMs` feeds the time estimate. */
export function localModelCapabilities(simulatedLatencyMs: number): ModelCapabilities {
  return {
    modelId: localModelId,
    displayName: 'Local transform (offline stand-in, not AI)',
    description:
      'Offline stand-in that transforms the reference images with ordinary image operations (crop, flip, colour, blur, grain); not an AI model. Free, exact seeds, for trying imagefleet without a key.',
    maxReferenceImages: 8,
    seedSupport: 'exact',
    sizes: ['512', '1K', '2K', '4K'],
    aspectRatios: [...aspectRatios],
    supportsMask: true,
    supportsLora: false,
    supportsNegativePrompt: false,
    supportsStrength: true,
    maxImagesPerCall: 4,
    lanes: ['online'],
    pricePerImageUsd: { '512': { online: 0 }, '1K': { online: 0 }, '2K': { online: 0 }, '4K': { online: 0 } },
    typicalLatencyMs: simulatedLatencyMs + renderEstimateMs,
  };
}
