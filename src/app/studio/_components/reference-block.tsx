'use client';
/** One reference in the composer (or a text-only block) with its prompts, and its mask when the model inpaints. */
import { useState } from 'react';
import type { BatchSize } from './batch-arithmetic.js';
import { newPromptDraft, type PromptDraft, type ReferenceDraft } from './composer-draft.js';
import { MaskEditorDialog } from './mask-editor-dialog.js';
import { PromptRow } from './prompt-row.js';

interface Props {
  draft: ReferenceDraft;
  index: number;
  batchSize: BatchSize;
  supportsMask: boolean;
  seedRangeOf: (prompt: PromptDraft) => string | undefined;
  onChange: (draft: ReferenceDraft) => void;
  onRemove: () => void;
}

export function ReferenceBlock({ draft, index, batchSize, supportsMask, seedRangeOf, onChange, onRemove }: Props) {
  const [maskOpen, setMaskOpen] = useState(false);
  const { reference } = draft;
  const title = reference ? `Reference ${index + 1}` : 'Text to image';

  const updatePrompt = (updated: PromptDraft) => onChange({ ...draft, prompts: draft.prompts.map((prompt) => (prompt.key === updated.key ? updated : prompt)) });

  return (
    <section className="flex flex-col gap-3 rounded-lg border border-neutral-800 bg-neutral-900 p-3" aria-label={title} data-testid="reference-block">
      <header className="flex items-start gap-3">
        {reference ? (
          <div className="relative h-16 w-16 shrink-0 overflow-hidden rounded-md border border-neutral-700 bg-neutral-950">
            <img src={reference.thumbUrl} alt={reference.name} className="h-full w-full object-cover" />
            {draft.mask ? <img src={draft.mask.previewUrl} alt="" className="absolute inset-0 h-full w-full object-cover opacity-50 mix-blend-screen" /> : null}
          </div>
        ) : (
          <div className="flex h-16 w-16 shrink-0 items-center justify-center rounded-md border border-dashed border-neutral-700 text-xs text-neutral-400">Aa</div>
        )}
        <div className="flex min-w-0 flex-1 flex-col gap-1">
          <h3 className="text-sm font-medium">{title}</h3>
          <p className="truncate text-xs text-neutral-400">{reference ? reference.name : 'Prompts here use no reference image.'}</p>
          {reference && supportsMask ? (
            <div className="flex flex-wrap gap-2 text-xs">
              <button type="button" className="rounded border border-neutral-700 px-1.5 py-0.5 hover:bg-neutral-800" onClick={() => setMaskOpen(true)}>
                {draft.mask ? 'Edit mask' : 'Paint mask'}
              </button>
              {draft.mask ? (
                <>
                  <span className="text-emerald-400" data-testid="mask-set">
                    Mask set
                  </span>
                  <button type="button" className="text-neutral-400 underline hover:text-neutral-100" onClick={() => onChange({ ...draft, mask: null })}>
                    Remove mask
                  </button>
                </>
              ) : null}
            </div>
          ) : null}
        </div>
        <button type="button" onClick={onRemove} aria-label={`Remove ${title.toLowerCase()}`} className="rounded px-1.5 text-neutral-400 hover:bg-neutral-800 hover:text-neutral-100">
          ×
        </button>
      </header>
      {reference && draft.mask && !supportsMask ? <p className="text-xs text-amber-400">This model does not inpaint: the mask is left out.</p> : null}
      <div className="flex flex-col gap-3">
        {draft.prompts.map((prompt, promptIndex) => (
          <PromptRow
            key={prompt.key}
            prompt={prompt}
            label={`Prompt ${promptIndex + 1} of ${title.toLowerCase()}`}
            batchSize={batchSize}
            seedRange={seedRangeOf(prompt)}
            onChange={updatePrompt}
            onRemove={draft.prompts.length > 1 ? () => onChange({ ...draft, prompts: draft.prompts.filter((candidate) => candidate.key !== prompt.key) }) : undefined}
          />
        ))}
      </div>
      <button type="button" className="self-start rounded-md px-2 py-1 text-xs text-sky-300 hover:bg-neutral-800" onClick={() => onChange({ ...draft, prompts: [...draft.prompts, newPromptDraft('', Number(draft.prompts.at(-1)?.countText) || 4)] })}>
        + Add prompt
      </button>
      {reference && supportsMask ? (
        <MaskEditorDialog
          reference={reference}
          open={maskOpen}
          onOpenChange={setMaskOpen}
          onSave={(mask) => {
            onChange({ ...draft, mask });
            setMaskOpen(false);
          }}
        />
      ) : null}
    </section>
  );
}
