/**
 * The `sdwebui` provider's models: `default` (whatever checkpoint the web UI has loaded, always
 * offered so jobs run even before the list is read) and one model per checkpoint the web UI lists
 * (`GET /sdapi/v1/sd-models`), named by its `model_name` and also accepted by its full `title`.
 */
import { aspectRatios } from '../../core/image-size.js';
import type { ModelCapabilities, PriceTable } from '../contract.js';
import type { CheckpointEntry } from '../stable-diffusion/server-catalog.js';
import { stableDiffusionSizes } from '../stable-diffusion/stable-diffusion-size.js';

/** The model that sends no checkpoint: the web UI uses the one it has loaded. */
export const sdwebuiDefaultModelId = 'default';

/** Self-hosted: imagefleet pays nothing per image. */
const freePrices: PriceTable = Object.fromEntries(stableDiffusionSizes.map((size) => [size, { online: 0 }]));

/** Capabilities shared by every checkpoint; the web UI does the same things with each. */
function capabilitiesOf(modelId: string, aliases: string[], displayName: string, description: string, maxImagesPerCall: number): ModelCapabilities {
  return {
    modelId,
    aliases,
    displayName,
    description,
    // init_images takes several, but the web UI then changes the batch size to match: one keeps n exact.
    maxReferenceImages: 1,
    seedSupport: 'exact',
    sizes: stableDiffusionSizes,
    aspectRatios,
    supportsMask: true,
    supportsLora: true,
    supportsNegativePrompt: true,
    supportsStrength: true,
    maxImagesPerCall,
    lanes: ['online'],
    pricePerImageUsd: freePrices,
    typicalLatencyMs: 15_000,
  };
}

/** Capabilities of `default` followed by every listed checkpoint. */
export function sdwebuiModelCapabilities(checkpoints: readonly CheckpointEntry[], maxImagesPerCall: number): ModelCapabilities[] {
  return [
    capabilitiesOf(sdwebuiDefaultModelId, [], 'Loaded checkpoint', 'Whatever checkpoint the Stable Diffusion web UI has loaded now.', maxImagesPerCall),
    ...checkpoints
      .filter((checkpoint) => checkpoint.modelId !== sdwebuiDefaultModelId)
      .map((checkpoint) => capabilitiesOf(checkpoint.modelId, checkpoint.aliases, checkpoint.modelId, `Checkpoint ${checkpoint.wireName} of the Stable Diffusion web UI.`, maxImagesPerCall)),
  ];
}
