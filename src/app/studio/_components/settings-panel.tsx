'use client';
/**
 * Generation settings, showing only what the chosen model supports (from `GET /api/providers`):
 * provider and model, size, aspect ratio, batch size, seed (with the model's seed note), negative
 * prompt, img2img strength and LoRAs.
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

export function SettingsPanel({ providers, model, choices, onChoices, seedText, seed, onSeedText, loraProblems, anyReference }: Props) {
  const configured = providers.filter((provider) => provider.configured);
  const provider = configured.find((candidate) => candidate.id === choices.providerId);
  const set = (changes: Partial<GenerationChoices>) => onChoices({ ...choices, ...changes });
  const note = seedNote(model);

  return (
    <div className="flex flex-col gap-3" data-testid="settings-panel">
      <div className="grid grid-cols-2 gap-2">
        <label className={labelClass}>
          Provider
          <select className={fieldClass} value={choices.providerId} onChange={(event) => set({ providerId: event.target.value, modelId: '' })} data-testid="provider-select">
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
          <select className={fieldClass} value={choices.modelId} onChange={(event) => set({ modelId: event.target.value })} data-testid="model-select">
            {(provider?.models ?? []).map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.displayName}
              </option>
            ))}
          </select>
        </label>
      </div>
      {model ? <p className="text-xs text-neutral-500">{model.description}</p> : null}
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
      <p id="seed-help" className={`-mt-2 text-xs ${seed.kind === 'invalid' ? 'text-rose-400' : 'text-neutral-500'}`} data-testid="seed-help" role={seed.kind === 'invalid' ? 'alert' : undefined}>
        {seed.kind === 'invalid' ? seed.reason : seed.kind === 'fixed' ? 'The first image takes this seed, each next one +1.' : 'Empty: a random seed for each set.'}
      </p>
      {note ? (
        <p className="-mt-1 text-xs text-amber-400" data-testid="seed-note">
          {note}
        </p>
      ) : null}

      {model?.supportsNegativePrompt ? (
        <label className={labelClass}>
          Negative prompt
          <textarea className={fieldClass} rows={2} value={choices.negativePrompt} placeholder="what the images must not show" onChange={(event) => set({ negativePrompt: event.target.value })} />
        </label>
      ) : null}

      {model?.supportsStrength ? (
        <div className="flex flex-col gap-1">
          <label className="flex items-center justify-between text-xs font-medium uppercase tracking-wide text-neutral-400">
            <span>Strength (img2img)</span>
            <span className="tabular-nums normal-case text-neutral-300">{choices.strength === null ? 'model default' : choices.strength.toFixed(2)}</span>
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
              disabled={!anyReference}
            />
            {choices.strength !== null ? (
              <button type="button" className="text-xs text-neutral-400 underline" onClick={() => set({ strength: null })}>
                default
              </button>
            ) : null}
          </div>
          <p className="text-xs text-neutral-500">{anyReference ? 'How far to move away from the reference: 0 keeps it, 1 ignores it.' : 'Applies to prompts with a reference.'}</p>
        </div>
      ) : null}

      {model?.supportsLora ? <LoraEditor loras={choices.loras} problems={loraProblems} onChange={(loras) => set({ loras })} /> : null}
    </div>
  );
}
