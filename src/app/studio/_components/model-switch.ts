/**
 * What happens to the composer's settings when another provider or model is chosen: size and aspect
 * ratio move to ones the new model offers, and settings it does not take (negative prompt, LoRAs,
 * strength, seed) are cleared — and listed, so the user sees what was dropped instead of finding
 * out from the images.
 */
import type { ProviderInfo, ProviderModel } from '../../_lib/api-types.js';
import type { StudioPreferences } from './studio-preferences.js';

type SwitchedChoices = Pick<StudioPreferences, 'providerId' | 'modelId' | 'size' | 'aspectRatio' | 'negativePrompt' | 'strength' | 'loras' | 'seedText'>;

export interface ModelSwitch {
  changes: SwitchedChoices;
  /** One phrase per setting dropped or changed, e.g. "negative prompt" or "size 4K (now 1K)". Empty when nothing was. */
  dropped: string[];
}

/** The size to keep on `model`: the same when offered, else 1K, else its first. */
export function fittingSize(model: ProviderModel, size: string): string {
  return model.sizes.includes(size) ? size : model.sizes.includes('1K') ? '1K' : (model.sizes[0] ?? size);
}

/** The aspect ratio to keep on `model`: the same when offered, else 1:1, else its first. */
export function fittingAspectRatio(model: ProviderModel, aspectRatio: string): string {
  return model.aspectRatios.includes(aspectRatio) ? aspectRatio : model.aspectRatios.includes('1:1') ? '1:1' : (model.aspectRatios[0] ?? aspectRatio);
}

/** Choices after switching to `provider` and its model `modelId` (its first model when undefined or unknown). */
export function switchModel(previous: SwitchedChoices, provider: ProviderInfo, modelId: string | undefined): ModelSwitch {
  const model = provider.models.find((candidate) => candidate.id === modelId) ?? provider.models[0];
  if (!model) {
    const { size, aspectRatio, negativePrompt, strength, loras, seedText } = previous;
    return { changes: { providerId: provider.id, modelId: '', size, aspectRatio, negativePrompt, strength, loras, seedText }, dropped: [] };
  }
  const dropped: string[] = [];
  const size = fittingSize(model, previous.size);
  if (size !== previous.size) dropped.push(`size ${previous.size} (now ${size})`);
  const aspectRatio = fittingAspectRatio(model, previous.aspectRatio);
  if (aspectRatio !== previous.aspectRatio) dropped.push(`aspect ratio ${previous.aspectRatio} (now ${aspectRatio})`);
  const keepNegative = model.supportsNegativePrompt || previous.negativePrompt.trim() === '';
  if (!keepNegative) dropped.push('negative prompt');
  const keepLoras = model.supportsLora || previous.loras.length === 0;
  if (!keepLoras) {
    const names = previous.loras.map((lora) => lora.name.trim()).filter((name) => name !== '');
    dropped.push(`${previous.loras.length === 1 ? 'LoRA' : `${previous.loras.length} LoRAs`}${names.length > 0 ? ` ${names.join(', ')}` : ''}`);
  }
  const keepStrength = model.supportsStrength || previous.strength === null;
  if (!keepStrength) dropped.push('strength');
  const keepSeed = model.seedSupport !== 'none' || previous.seedText.trim() === '';
  if (!keepSeed) dropped.push('seed');
  return {
    changes: {
      providerId: provider.id,
      modelId: model.id,
      size,
      aspectRatio,
      negativePrompt: keepNegative ? previous.negativePrompt : '',
      loras: keepLoras ? previous.loras : [],
      strength: keepStrength ? previous.strength : null,
      seedText: keepSeed ? previous.seedText : '',
    },
    dropped,
  };
}
