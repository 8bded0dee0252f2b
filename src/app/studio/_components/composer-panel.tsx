'use client';
/**
 * The composer: group, references with their prompts and counts, settings, the arithmetic and
 * estimate of the batch, and Generate. Submit stays blocked while anything is invalid, with the
 * reason next to the field.
 */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { apiRequest, errorMessage, isApiError } from '../../_lib/api-client.js';
import type { ProviderList, SubmitResponse } from '../../_lib/api-types.js';
import { formatCount } from '../../_lib/format.js';
import { buildSubmitBody, newPromptDraft, newReferenceDraft, promptCount, readyPrompts, type PromptDraft, type ReferenceDraft } from './composer-draft.js';
import { GroupPicker } from './group-picker.js';
import { validateLoras, type LoraProblems } from './lora-validation.js';
import { fittingAspectRatio, fittingSize, switchModel } from './model-switch.js';
import { PlanEstimate } from './plan-estimate.js';
import { usePromptHistory } from './prompt-history.js';
import { ReferenceAdder } from './reference-adder.js';
import { ReferenceBlock } from './reference-block.js';
import { offsetSeedValue, parseSeedInput, type SeedInput } from './seed-input.js';
import { SettingsPanel } from './settings-panel.js';
import type { StudioPreferences } from './studio-preferences.js';
import { usePlanEstimate } from './use-plan-estimate.js';

interface Props {
  preferences: StudioPreferences;
  onPreferences: (update: (previous: StudioPreferences) => StudioPreferences) => void;
  drafts: ReferenceDraft[];
  onDrafts: (update: (previous: ReferenceDraft[]) => ReferenceDraft[]) => void;
  providers: ProviderList | undefined;
  onSubmitted: (job: SubmitResponse) => void;
  /** A feed image dropped on the references: it becomes one. */
  onDropImage: (imageId: string) => void;
}

export function ComposerPanel({ preferences, onPreferences, drafts, onDrafts, providers, onSubmitted, onDropImage }: Props) {
  const [recentPrompts, rememberPrompts] = usePromptHistory(preferences.groupId);
  const providerList = useMemo(() => providers?.items ?? [], [providers]);
  const provider = providerList.find((candidate) => candidate.id === preferences.providerId && candidate.configured);
  const model = provider?.models.find((candidate) => candidate.id === preferences.modelId) ?? provider?.models[0];

  // Keep the remembered choices within what the chosen provider and model offer (on load, or when a provider goes away).
  useEffect(() => {
    if (providerList.length === 0) return;
    onPreferences((previous) => {
      const nextProvider = providerList.find((candidate) => candidate.id === previous.providerId && candidate.configured) ?? providerList.find((candidate) => candidate.configured);
      if (!nextProvider) return previous;
      const nextModel = nextProvider.models.find((candidate) => candidate.id === previous.modelId) ?? nextProvider.models[0];
      if (!nextModel) return previous;
      const size = fittingSize(nextModel, previous.size);
      const aspectRatio = fittingAspectRatio(nextModel, previous.aspectRatio);
      if (nextProvider.id === previous.providerId && nextModel.id === previous.modelId && size === previous.size && aspectRatio === previous.aspectRatio) return previous;
      return { ...previous, providerId: nextProvider.id, modelId: nextModel.id, size, aspectRatio };
    });
  }, [providerList, preferences.providerId, preferences.modelId, onPreferences]);

  // What the last provider or model switch dropped, shown until the next switch or dismissed.
  const [droppedNote, setDroppedNote] = useState<{ target: string; dropped: string[] } | null>(null);
  const onSwitchModel = (providerId: string, modelId: string | undefined) => {
    const nextProvider = providerList.find((candidate) => candidate.id === providerId && candidate.configured);
    if (!nextProvider) return;
    const switched = switchModel(preferences, nextProvider, modelId);
    onPreferences((previous) => ({ ...previous, ...switched.changes }));
    const nextModel = nextProvider.models.find((candidate) => candidate.id === switched.changes.modelId);
    setDroppedNote(switched.dropped.length === 0 ? null : { target: nextModel ? `${nextProvider.displayName} · ${nextModel.displayName}` : nextProvider.displayName, dropped: switched.dropped });
  };

  // A model without seeds ignores the field (it is hidden), so a leftover seed neither blocks nor is sent.
  const seed: SeedInput = model?.seedSupport === 'none' ? { kind: 'random' } : parseSeedInput(preferences.seedText);
  const support = { negativePrompt: model?.supportsNegativePrompt ?? false, strength: model?.supportsStrength ?? false, mask: model?.supportsMask ?? false, lora: model?.supportsLora ?? false };
  const loraProblems = support.lora ? validateLoras(preferences.loras, provider?.loras) : new Map<string, LoraProblems>();
  const ready = readyPrompts(drafts);
  const badCounts = drafts.some((draft) => draft.prompts.some((prompt) => prompt.text.trim() !== '' && promptCount(prompt.countText) === undefined));
  const tooManyReferences = model !== undefined && model.maxReferenceImages === 0 && drafts.some((draft) => draft.reference !== null);
  // Only once the remembered choices fit the model (the effect above corrects them right after a load or a
  // hand-off from the job page): an estimate asked in between would be refused with a 400.
  const body = model && model.id === preferences.modelId && model.sizes.includes(preferences.size) ? buildSubmitBody({ groupId: preferences.groupId ?? undefined, drafts, choices: preferences, support, seed }) : undefined;
  const blockedBy =
    seed.kind === 'invalid'
      ? 'Fix the seed first.'
      : loraProblems.size > 0
        ? 'Fix the LoRA list first.'
        : badCounts
          ? 'Fix the image counts first.'
          : tooManyReferences
            ? 'This model takes no reference images: remove them or choose another model.'
            : ready.length === 0
              ? 'Write at least one prompt.'
              : undefined;
  const estimate = usePlanEstimate(blockedBy === undefined ? body : undefined);

  // Seeds run on across the batch's prompts in composer order.
  const seedRanges = new Map<string, string>();
  if (seed.kind === 'fixed') {
    let offset = 0;
    for (const { prompt, count } of ready) {
      const first = offsetSeedValue(seed.seed, offset);
      seedRanges.set(prompt.key, count === 1 ? String(first) : `${first}–${offsetSeedValue(seed.seed, offset + count - 1)}`);
      offset += count;
    }
  }
  const seedRangeOf = (prompt: PromptDraft) => seedRanges.get(prompt.key);

  /** A webhook signing secret the server generated for the last job: shown once, here. */
  const [webhookSecret, setWebhookSecret] = useState<string | undefined>();
  const submit = useMutation({
    mutationFn: (submitBody: NonNullable<typeof body>) => apiRequest<SubmitResponse>('/api/jobs/submit', { method: 'POST', body: submitBody }),
    onSuccess: (job, submitted) => {
      setWebhookSecret(job.webhooks.find((webhook) => webhook.secret !== null)?.secret ?? undefined);
      rememberPrompts(submitted.items.map((item) => item.prompt));
      onSubmitted(job);
    },
  });

  // Ctrl+Enter (⌘+Enter on a Mac) generates from anywhere in the Studio, a prompt field included.
  const generate = useRef<() => void>(() => undefined);
  generate.current = () => {
    if (blockedBy === undefined && body !== undefined && !submit.isPending) submit.mutate(body);
  };
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      event.preventDefault();
      generate.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  const updateDraft = (updated: ReferenceDraft) => onDrafts((previous) => previous.map((draft) => (draft.key === updated.key ? updated : draft)));
  const imageTotal = ready.reduce((sum, entry) => sum + entry.count, 0);

  return (
    <div className="flex flex-col gap-4" data-testid="composer">
      <GroupPicker groupId={preferences.groupId} onChange={(groupId) => onPreferences((previous) => ({ ...previous, groupId }))} />

      <div className="flex flex-col gap-3">
        <h2 className="text-xs font-medium uppercase tracking-wide text-neutral-400">References and prompts</h2>
        {drafts.map((draft, index) => (
          <ReferenceBlock
            key={draft.key}
            draft={draft}
            index={drafts.slice(0, index).filter((candidate) => candidate.reference !== null).length}
            batchSize={preferences.batchSize}
            supportsMask={support.mask}
            seedRangeOf={seedRangeOf}
            onChange={updateDraft}
            onRemove={() => onDrafts((previous) => previous.filter((candidate) => candidate.key !== draft.key))}
          />
        ))}
        {recentPrompts.length > 0 ? (
          <details className="rounded-lg border border-neutral-800 bg-neutral-900 p-3 text-sm" data-testid="recent-prompts">
            <summary className="cursor-pointer text-xs font-medium uppercase tracking-wide text-neutral-400">Recent prompts in this group ({recentPrompts.length})</summary>
            <ul className="mt-2 flex flex-col gap-1">
              {recentPrompts.map((prompt) => (
                <li key={prompt}>
                  <button
                    type="button"
                    className="w-full rounded px-2 py-1 text-left text-neutral-200 hover:bg-neutral-800 focus-visible:outline-2 focus-visible:outline-violet-400"
                    title="Add as a prompt of the last reference"
                    onClick={() =>
                      onDrafts((previous) => {
                        const last = previous[previous.length - 1];
                        if (!last) return [newReferenceDraft(null, [newPromptDraft(prompt, preferences.batchSize)])];
                        return previous.map((draft) => (draft === last ? { ...draft, prompts: [...draft.prompts, newPromptDraft(prompt, preferences.batchSize)] } : draft));
                      })
                    }
                  >
                    {prompt}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
        <ReferenceAdder onAdd={(reference) => onDrafts((previous) => [...previous, newReferenceDraft(reference)])} onAddTextOnly={() => onDrafts((previous) => [...previous, newReferenceDraft(null)])} onDropImage={onDropImage} />
      </div>

      <details open className="rounded-lg border border-neutral-800 bg-neutral-900 p-3">
        <summary className="cursor-pointer text-xs font-medium uppercase tracking-wide text-neutral-400">Settings</summary>
        <div className="mt-3">
          <SettingsPanel
            providers={providerList}
            model={model}
            choices={preferences}
            onChoices={(choices) => onPreferences((previous) => ({ ...previous, ...choices }))}
            seedText={preferences.seedText}
            seed={seed}
            onSeedText={(seedText) => onPreferences((previous) => ({ ...previous, seedText }))}
            loraProblems={loraProblems}
            knownLoras={provider?.loras}
            onSwitchModel={onSwitchModel}
            droppedNote={droppedNote}
            onDismissDroppedNote={() => setDroppedNote(null)}
            anyReference={drafts.some((draft) => draft.reference !== null)}
          />
        </div>
      </details>

      <PlanEstimate promptCounts={ready.map((entry) => entry.count)} batchSize={preferences.batchSize} plan={estimate.data} pending={estimate.isFetching || estimate.stale} error={estimate.error} />

      {/* Sticky on a phone: the composer is long, Generate stays in reach. */}
      <div className="sticky bottom-0 z-10 -mx-1 flex flex-col gap-1 bg-neutral-950/95 px-1 py-2 backdrop-blur lg:static lg:bg-transparent lg:p-0" data-testid="generate-bar">
        <button
          type="button"
          aria-keyshortcuts="Control+Enter Meta+Enter"
          title="Ctrl+Enter (⌘+Enter)"
          data-testid="generate"
          disabled={blockedBy !== undefined || body === undefined || submit.isPending}
          onClick={() => body && submit.mutate(body)}
          className="rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-600 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {submit.isPending ? 'Submitting…' : `Generate ${formatCount(imageTotal)} ${imageTotal === 1 ? 'image' : 'images'}`}
        </button>
        {blockedBy ? (
          <p className="text-xs text-neutral-400" data-testid="generate-blocked">
            {blockedBy}
          </p>
        ) : null}
        {webhookSecret ? (
          <p className="break-all text-xs text-neutral-300" role="status" data-testid="studio-webhook-secret">
            Webhook signing secret of that job, shown only now: <code className="font-mono text-neutral-100">{webhookSecret}</code>
          </p>
        ) : null}
        {submit.isError ? (
          <div role="alert" className="text-xs text-rose-400" data-testid="submit-error">
            <p>{errorMessage(submit.error)}</p>
            {isApiError(submit.error) && submit.error.issues.length > 1 ? (
              <ul className="list-disc pl-4">
                {submit.error.issues.map((issue) => (
                  <li key={`${issue.path}:${issue.message}`}>{`${issue.path}: ${issue.message}`}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}
