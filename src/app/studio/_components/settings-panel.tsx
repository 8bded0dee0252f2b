'use client';
/**
 * Generation settings, showing only what the chosen model supports (from `GET /api/providers`):
 * provider and model, size, aspect ratio, batch size, seed (hidden when the model has none; with
 * the model's seed note), negative prompt, img2img strength (once a reference is added) and LoRAs
 * from the provider's list. Switching provider or model says which settings it dropped.
 */
import type { ProviderInfo, ProviderModel } from '../../_lib/api-types.js';
import { batchSizes } from './batch-arithmetic.js';
import type { GenerationChoices } from './composer-draft.js';
import { LoraEditor } from './lora-editor.js';
import type { LoraProblems } from './lora-validation.js';
import type { SeedInput } from './seed-input.js';

interface Props {
  providers: ProviderInfo[];
  model: ProviderModel | undefined;
  choices: GenerationChoices;
  onChoices: (choices: GenerationChoices) => void;
  seedText: string;
  seed: SeedInput;
  onSeedText: (text: string) => void;
  loraProblems: ReadonlyMap<string, LoraProblems>;
  /** LoRA names the chosen provider lists. */
  knownLoras: readonly string[] | undefined;
  /** Picks another provider (its first model when `modelId` is undefined) or model. */
  onSwitchModel: (providerId: string, modelId: string | undefined) => void;
  /** What the last switch dropped, or null. */
  droppedNote: { target: string; dropped: string[] } | null;
  onDismissDroppedNote: () => void;
  anyReference: boolean;
}

const fieldClass = 'rounded-md border border-neutral-700 bg-neutral-950 px-2 py-1.5 text-sm';
const labelClass = 'flex flex-col gap-1 text-xs font-medium uppercase tracking-wide text-neutral-400';

/** What the chosen model's seeds mean for "regenerate". */
export function seedNote(model: ProviderModel | undefined): string | undefined {
  if (!model) return undefined;
  if (model.seedSupport === 'none') return 'seed: not supported by this model — regenerate means re-roll';
  if (model.seedSupport === 'best-effort') return 'seed: best effort on this model — the same seed gives a similar, not identical, image';
  return undefined;
}

export function SettingsPanel({ providers, model, choices, onChoices, seedText, seed, onSeedText, loraProblems, knownLoras, onSwitchModel, droppedNote, onDismissDroppedNote, anyReference }: Props) {
  const configured = providers.filter((provider) => provider.configured);
  const provider = configured.find((candidate) => candidate.id === choices.providerId);
  const set = (changes: Partial<GenerationChoices>) => onChoices({ ...choices, ...changes });
  const note = seedNote(model);

  return (
    <div className="flex flex-col gap-3" data-testid="settings-panel">
      <div className="grid grid-cols-2 gap-2">
        <label className={labelClass}>
          Provider
          <select className={fieldClass} value={choices.providerId} onChange={(event) => onSwitchModel(event.target.value, undefined)} data-testid="provider-select">
            {configured.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.displayName}
                {candidate.pausedReason ? ' (paused)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          Model
          <select className={fieldClass} value={choices.modelId} onChange={(event) => onSwitchModel(choices.providerId, event.target.value)} data-testid="model-select">
            {(provider?.models ?? []).map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.displayName}
              </option>
            ))}
          </select>
        </label>
      </div>
      {model ? <p className="text-xs text-neutral-400">{model.description}</p> : null}
      {droppedNote ? (
        <div role="status" className="flex items-start gap-2 rounded-md border border-amber-700/60 bg-amber-950/40 px-2 py-1.5 text-xs text-amber-300" data-testid="dropped-settings">
          <p className="flex-1">
            {droppedNote.target} does not take these, so they were dropped: {droppedNote.dropped.join('; ')}.
          </p>
          <button type="button" aria-label="Dismiss" onClick={onDismissDroppedNote} className="rounded px-1 text-amber-400 hover:bg-amber-900/50">
            ×
          </button>
        </div>
      ) : null}
      {provider?.pausedReason ? <p className="text-xs text-amber-400">Paused: {provider.pausedReason}</p> : null}

      <div className="grid grid-cols-2 gap-2">
        <label className={labelClass}>
          Size
          <select className={fieldClass} value={choices.size} onChange={(event) => set({ size: event.target.value })} data-testid="size-select">
            {(model?.sizes ?? []).map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          Aspect ratio
          <select className={fieldClass} value={choices.aspectRatio} onChange={(event) => set({ aspectRatio: event.target.value })} data-testid="aspect-select">
            {(model?.aspectRatios ?? []).map((ratio) => (
              <option key={ratio} value={ratio}>
                {ratio}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div className="flex flex-col gap-1">
        <span className="text-xs font-medium uppercase tracking-wide text-neutral-400" id="batch-size-label">
          Batch size
        </span>
        <div className="flex w-fit overflow-hidden rounded-md border border-neutral-700" role="radiogroup" aria-labelledby="batch-size-label">
          {batchSizes.map((size) => (
            <button
              key={size}
              type="button"
              role="radio"
              aria-checked={choices.batchSize === size}
              data-testid={`batch-size-${size}`}
              onClick={() => set({ batchSize: size })}
              className={`px-3 py-1 text-sm ${choices.batchSize === size ? 'bg-sky-600 text-white' : 'hover:bg-neutral-800'}`}
            >
              {size}
            </button>
          ))}
        </div>
      </div>

      {model?.seedSupport !== 'none' ? (
        <>
          <label className={labelClass}>
            Seed
            <input
              className={`${fieldClass} ${seed.kind === 'invalid' ? 'border-rose-500' : ''}`}
              value={seedText}
              inputMode="numeric"
              placeholder="random"
              aria-invalid={seed.kind === 'invalid'}
              aria-describedby="seed-help"
              data-testid="seed-input"
              onChange={(event) => onSeedText(event.target.value)}
            />
          </label>
          <p id="seed-help" className={`-mt-2 text-xs ${seed.kind === 'invalid' ? 'text-rose-400' : 'text-neutral-400'}`} data-testid="seed-help" role={seed.kind === 'invalid' ? 'alert' : undefined}>
            {seed.kind === 'invalid' ? seed.reason : seed.kind === 'fixed' ? 'The first image takes this seed, each next one +1.' : 'Empty: a random seed for each set.'}
          </p>
        </>
      ) : null}
      {note ? (
        <p className="-mt-1 text-xs text-amber-400" data-testid="seed-note">
          {note}
        </p>
      ) : null}

      {model?.supportsNegativePrompt ? (
        <label className={labelClass}>
          Negative prompt
          <textarea className={fieldClass} rows={2} data-testid="negative-prompt" value={choices.negativePrompt} placeholder="what the images must not show" onChange={(event) => set({ negativePrompt: event.target.value })} />
        </label>
      ) : null}

      {model?.supportsStrength && anyReference ? (
        <div className="flex flex-col gap-1">
          <label className="flex items-center justify-between text-xs font-medium uppercase tracking-wide text-neutral-400">
            <span>Strength (img2img)</span>
            <span className="tabular-nums normal-case text-neutral-300" data-testid="strength-value">{choices.strength === null ? 'model default' : choices.strength.toFixed(2)}</span>
          </label>
          <div className="flex items-center gap-2">
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              aria-label="Strength"
              value={choices.strength ?? 0.6}
              onChange={(event) => set({ strength: Number(event.target.value) })}
              className="flex-1"
              data-testid="strength-input"
            />
            {choices.strength !== null ? (
              <button type="button" className="text-xs text-neutral-400 underline" onClick={() => set({ strength: null })}>
                default
              </button>
            ) : null}
          </div>
          <p className="text-xs text-neutral-400">How far to move away from the reference: 0 keeps it, 1 ignores it.</p>
        </div>
      ) : null}

      {model?.supportsLora ? <LoraEditor loras={choices.loras} knownNames={knownLoras} problems={loraProblems} onChange={(loras) => set({ loras })} /> : null}

      <label className={labelClass}>
        Webhook URL (optional)
        <input
          type="url"
          className={fieldClass}
          data-testid="studio-webhook-url"
          value={choices.webhookUrl}
          placeholder="https://hooks.example.com/imagefleet"
          onChange={(event) => set({ webhookUrl: event.target.value })}
        />
      </label>
    </div>
  );
}
