/**
 * What the composer holds before submit — references, each with its prompts and counts (a block
 * without a reference is text-to-image) — and the one function that turns it into the API's
 * submit body. Seeds run on across every prompt of the batch, so each image gets its own seed.
 */
import type { SubmitItemsBody } from '../../_lib/api-types.js';
import type { BatchSize } from './batch-arithmetic.js';
import { loraWeight, type LoraDraft } from './lora-validation.js';
import { offsetSeedValue, type SeedInput } from './seed-input.js';

/** A stored reference image as the composer shows it. */
export interface ReferenceImage {
  id: string;
  name: string;
  url: string;
  thumbUrl: string;
}

export interface PromptDraft {
  key: string;
  text: string;
  /** As typed; validated by `promptCount`. */
  countText: string;
}

export interface ReferenceDraft {
  key: string;
  /** Null for a text-to-image block. */
  reference: ReferenceImage | null;
  /** Uploaded inpainting mask painted over this reference. */
  mask: { id: string; previewUrl: string } | null;
  prompts: PromptDraft[];
}

export interface GenerationChoices {
  providerId: string;
  modelId: string;
  size: string;
  aspectRatio: string;
  batchSize: BatchSize;
  negativePrompt: string;
  /** Null = the model's default. */
  strength: number | null;
  loras: LoraDraft[];
  /** A URL told with a signed event when each Studio job ends (docs/api.md "Webhooks"); '' = none. */
  webhookUrl: string;
}

/** Which optional settings the chosen model takes (from `GET /api/providers`). */
export interface ModelSupport {
  negativePrompt: boolean;
  strength: boolean;
  mask: boolean;
  lora: boolean;
}

export const maxPromptCount = 1000;

/** The count typed, or undefined when it is not a whole number from 1 to 1000. */
export function promptCount(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const count = Number(text.trim());
  return count >= 1 && count <= maxPromptCount ? count : undefined;
}

let keyCounter = 0;
/** A key for React lists and drafts, unique within this tab. */
export function newDraftKey(prefix: string): string {
  keyCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${keyCounter}`;
}

export function newPromptDraft(text = '', count = 4): PromptDraft {
  return { key: newDraftKey('prompt'), text, countText: String(count) };
}

export function newReferenceDraft(reference: ReferenceImage | null, prompts: PromptDraft[] = [newPromptDraft()]): ReferenceDraft {
  return { key: newDraftKey('reference'), reference, mask: null, prompts };
}

/** The prompts that will be sent: non-blank text with a valid count, in composer order. */
export function readyPrompts(drafts: readonly ReferenceDraft[]): Array<{ draft: ReferenceDraft; prompt: PromptDraft; count: number }> {
  return drafts.flatMap((draft) =>
    draft.prompts.flatMap((prompt) => {
      const count = promptCount(prompt.countText);
      return prompt.text.trim() !== '' && count !== undefined ? [{ draft, prompt, count }] : [];
    }),
  );
}

/** The submit body for these drafts, or undefined when nothing is ready to send. */
export function buildSubmitBody(input: {
  groupId: string | undefined;
  drafts: readonly ReferenceDraft[];
  choices: GenerationChoices;
  support: ModelSupport;
  seed: SeedInput;
}): SubmitItemsBody | undefined {
  const { choices, support, seed } = input;
  const prompts = readyPrompts(input.drafts);
  if (prompts.length === 0 || seed.kind === 'invalid') return undefined;
  let seedOffset = 0;
  const items = prompts.map(({ draft, prompt, count }) => {
    const item: SubmitItemsBody['items'][number] = {
      prompt: prompt.text.trim(),
      count,
      ...(draft.reference ? { referenceIds: [draft.reference.id] } : {}),
      ...(seed.kind === 'fixed' ? { seed: offsetSeedValue(seed.seed, seedOffset) } : {}),
      ...(support.mask && draft.reference && draft.mask ? { maskId: draft.mask.id } : {}),
    };
    seedOffset += count;
    return item;
  });
  const loras = support.lora
    ? choices.loras.flatMap((lora) => {
        const weight = loraWeight(lora.weightText);
        return lora.name.trim() !== '' && weight !== undefined ? [{ name: lora.name.trim(), weight }] : [];
      })
    : [];
  const anyReference = prompts.some(({ draft }) => draft.reference !== null);
  return {
    mode: 'studio',
    ...(input.groupId ? { groupId: input.groupId } : {}),
    provider: choices.providerId,
    model: choices.modelId,
    priority: 'interactive',
    batchSize: choices.batchSize,
    settings: {
      size: choices.size as NonNullable<SubmitItemsBody['settings']>['size'],
      aspectRatio: choices.aspectRatio as NonNullable<SubmitItemsBody['settings']>['aspectRatio'],
      ...(support.negativePrompt && choices.negativePrompt.trim() !== '' ? { negativePrompt: choices.negativePrompt.trim() } : {}),
      ...(support.strength && anyReference && choices.strength !== null ? { strength: choices.strength } : {}),
      ...(loras.length > 0 ? { loras } : {}),
    },
    ...(choices.webhookUrl.trim() === '' ? {} : { webhooks: [{ url: choices.webhookUrl.trim() }] }),
    items,
  };
}
