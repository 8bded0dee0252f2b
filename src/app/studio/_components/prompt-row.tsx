'use client';
/** One prompt of a reference: its text, how many images, and how they fall into sets. */
import { describeSets, type BatchSize } from './batch-arithmetic.js';
import { maxPromptCount, promptCount, type PromptDraft } from './composer-draft.js';

interface Props {
  prompt: PromptDraft;
  label: string;
  batchSize: BatchSize;
  /** The seed range of this prompt's images, when a seed is set. */
  seedRange: string | undefined;
  onChange: (prompt: PromptDraft) => void;
  onRemove: (() => void) | undefined;
}

export function PromptRow({ prompt, label, batchSize, seedRange, onChange, onRemove }: Props) {
  const count = promptCount(prompt.countText);
  const countProblem = count === undefined ? `A whole number from 1 to ${maxPromptCount}.` : undefined;
  return (
    <div className="flex flex-col gap-1" data-testid="prompt-row">
      <div className="flex items-start gap-2">
        <textarea
          aria-label={label}
          data-testid="prompt-text"
          value={prompt.text}
          rows={2}
          placeholder="Describe the picture…"
          onChange={(event) => onChange({ ...prompt, text: event.target.value })}
          className="min-w-0 flex-1 resize-y rounded-md border border-neutral-700 bg-neutral-950 px-2 py-1.5 text-sm"
        />
        <label className="flex w-20 flex-col text-[11px] text-neutral-400">
          Images
          <input
            data-testid="prompt-count"
            inputMode="numeric"
            aria-invalid={countProblem !== undefined}
            value={prompt.countText}
            onChange={(event) => onChange({ ...prompt, countText: event.target.value })}
            className={`rounded-md border bg-neutral-950 px-2 py-1 text-sm text-neutral-100 ${countProblem ? 'border-rose-500' : 'border-neutral-700'}`}
          />
        </label>
        {onRemove ? (
          <button type="button" onClick={onRemove} aria-label={`Remove ${label.toLowerCase()}`} className="mt-4 rounded px-1.5 text-neutral-400 hover:bg-neutral-800 hover:text-neutral-100">
            ×
          </button>
        ) : null}
      </div>
      <p className={`text-xs ${countProblem ? 'text-rose-400' : 'text-neutral-400'}`} data-testid="prompt-arithmetic">
        {countProblem ?? `${describeSets(count ?? 0, batchSize)}${seedRange ? ` · seeds ${seedRange}` : ''}`}
      </p>
    </div>
  );
}
