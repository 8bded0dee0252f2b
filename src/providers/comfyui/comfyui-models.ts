/**
 * The `comfyui` provider's models: `default` (the first checkpoint ComfyUI lists, or whatever a
 * custom workflow loads) and one per listed checkpoint. What each can do follows from the
 * workflow templates in use: a custom workflow without `{{mask_image}}` offers no inpainting, and so on.
 */
import { aspectRatios } from '../../core/image-size.js';
import type { ModelCapabilities, PriceTable } from '../contract.js';
import type { CheckpointEntry } from '../stable-diffusion/server-catalog.js';
import { stableDiffusionSizes } from '../stable-diffusion/stable-diffusion-size.js';

export const comfyuiDefaultModelId = 'default';

/** What the workflow templates in use allow. */
export interface WorkflowFeatures {
  references: boolean;
  mask: boolean;
  negativePrompt: boolean;
  lora: boolean;
  /** Whether the workflow selects the checkpoint (`{{checkpoint}}`): without it only `default` is offered. */
  checkpoint: boolean;
}

/** Most images per task: one prompt is queued per image (each with its own seed), so this is a planning choice, not a server limit. */
export const comfyuiMaxImagesPerCall = 4;

const freePrices: PriceTable = Object.fromEntries(stableDiffusionSizes.map((size) => [size, { online: 0 }]));

function capabilitiesOf(modelId: string, aliases: string[], displayName: string, description: string, features: WorkflowFeatures): ModelCapabilities {
  return {
    modelId,
    aliases,
    displayName,
    description,
    maxReferenceImages: features.references ? 1 : 0,
    seedSupport: 'exact',
    sizes: stableDiffusionSizes,
    aspectRatios,
    supportsMask: features.mask,
    supportsLora: features.lora,
    supportsNegativePrompt: features.negativePrompt,
    supportsStrength: features.references,
    maxImagesPerCall: comfyuiMaxImagesPerCall,
    lanes: ['online'],
    pricePerImageUsd: freePrices,
    typicalLatencyMs: 15_000,
  };
}

export function comfyuiModelCapabilities(checkpoints: readonly CheckpointEntry[], features: WorkflowFeatures): ModelCapabilities[] {
  const named = features.checkpoint ? checkpoints.filter((checkpoint) => checkpoint.modelId !== comfyuiDefaultModelId) : [];
  return [
    capabilitiesOf(comfyuiDefaultModelId, [], 'Default checkpoint', features.checkpoint ? 'The first checkpoint ComfyUI lists.' : 'The checkpoint the workflow loads.', features),
    ...named.map((checkpoint) => capabilitiesOf(checkpoint.modelId, checkpoint.aliases, checkpoint.modelId, `Checkpoint ${checkpoint.wireName} in ComfyUI.`, features)),
  ];
}
