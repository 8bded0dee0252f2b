/**
 * The studio's remembered choices (localStorage): the group, provider, model and every setting,
 * and the seed field. References and prompts are not kept: they are per batch.
 */
import { batchSizes, type BatchSize } from './batch-arithmetic.js';
import type { GenerationChoices } from './composer-draft.js';
import type { LoraDraft } from './lora-validation.js';

export const preferencesStorageKey = 'imagefleet.studio.preferences.v1';

export interface StudioPreferences extends GenerationChoices {
  groupId: string | null;
  seedText: string;
}

export const defaultPreferences: StudioPreferences = {
  groupId: null,
  providerId: 'local',
  modelId: '',
  size: '1K',
  aspectRatio: '1:1',
  batchSize: 4,
  negativePrompt: '',
  strength: null,
  loras: [],
  webhookUrl: '',
  seedText: '',
};

/** Takes what is usable from a stored value; the model's own lists correct the rest later. */
export function restorePreferences(stored: unknown): StudioPreferences | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const record = stored as Record<string, unknown>;
  const text = (key: string, fallback: string) => (typeof record[key] === 'string' ? record[key] : fallback);
  const batchSize = batchSizes.includes(record.batchSize as BatchSize) ? (record.batchSize as BatchSize) : defaultPreferences.batchSize;
  const strength = typeof record.strength === 'number' && record.strength >= 0 && record.strength <= 1 ? record.strength : null;
  const loras = Array.isArray(record.loras)
    ? record.loras.flatMap((entry: unknown): LoraDraft[] => {
        if (typeof entry !== 'object' || entry === null) return [];
        const lora = entry as Record<string, unknown>;
        return typeof lora.key === 'string' && typeof lora.name === 'string' && typeof lora.weightText === 'string' ? [{ key: lora.key, name: lora.name, weightText: lora.weightText }] : [];
      })
    : [];
  return {
    groupId: typeof record.groupId === 'string' ? record.groupId : null,
    providerId: text('providerId', defaultPreferences.providerId),
    modelId: text('modelId', ''),
    size: text('size', defaultPreferences.size),
    aspectRatio: text('aspectRatio', defaultPreferences.aspectRatio),
    batchSize,
    negativePrompt: text('negativePrompt', ''),
    strength,
    loras,
    webhookUrl: text('webhookUrl', ''),
    seedText: text('seedText', ''),
  };
}
