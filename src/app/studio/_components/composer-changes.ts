/**
 * What each "use …" action does to the composer, as pure functions of the stored preferences and
 * drafts: the Studio applies them to its state, the job page and the gallery to the Studio's
 * stored draft of the image's group (studio-handoff.ts). One definition, so "use prompt" means the
 * same wherever the image was opened.
 */
import type { Asset, ResultImage, TaskList } from '../../_lib/api-types.js';
import { newPromptDraft, newReferenceDraft, type ReferenceDraft } from './composer-draft.js';
import { referenceFromAsset } from './reference-image.js';
import type { StudioPreferences } from './studio-preferences.js';

/** The settings every task of a job shares (`GET /api/jobs/{id}/tasks` → job). */
export type JobSettingsSource = Pick<TaskList['job'], 'provider' | 'model' | 'settings'>;

/** Only the seed field changes. */
export function withSeed(preferences: StudioPreferences, seed: number): StudioPreferences {
  return { ...preferences, seedText: String(seed) };
}

/** Model and settings (and the image's seed); references and prompts stay. */
export function withSettings(preferences: StudioPreferences, image: Pick<ResultImage, 'seed'>, job: JobSettingsSource): StudioPreferences {
  return {
    ...preferences,
    providerId: job.provider,
    modelId: job.model,
    size: job.settings.size,
    aspectRatio: job.settings.aspectRatio,
    negativePrompt: job.settings.negativePrompt ?? '',
    strength: job.settings.strength,
    loras: job.settings.loras.map((lora, index) => ({ key: `lora-copied-${Date.now()}-${index}`, name: lora.name, weightText: String(lora.weight) })),
    seedText: image.seed === null ? preferences.seedText : String(image.seed),
  };
}

/** The image's prompt as a new row (count 1) beside its reference, or in a new block with it. */
export function withPrompt(drafts: readonly ReferenceDraft[], image: Pick<ResultImage, 'prompt' | 'referenceIds' | 'referenceNames'>): ReferenceDraft[] {
  const referenceId = image.referenceIds[0] ?? null;
  const holder = drafts.find((draft) => (draft.reference?.id ?? null) === referenceId);
  if (holder) return drafts.map((draft) => (draft === holder ? { ...draft, prompts: [...draft.prompts, newPromptDraft(image.prompt, 1)] } : draft));
  const reference = referenceId === null ? null : referenceFromAsset({ id: referenceId, name: image.referenceNames?.[0] ?? 'reference' });
  return [...drafts, newReferenceDraft(reference, [newPromptDraft(image.prompt, 1)])];
}

/** A stored asset (the image made a reference) as a new block. */
export function withReference(drafts: readonly ReferenceDraft[], asset: Pick<Asset, 'id' | 'name'>): ReferenceDraft[] {
  return [...drafts, newReferenceDraft(referenceFromAsset(asset))];
}
