'use client';
/** LoRA styles with weights, for models that take them. Names are typed until providers list theirs. */
import { newDraftKey } from './composer-draft.js';
import { maxLoraWeight, minLoraWeight, type LoraDraft, type LoraProblems } from './lora-validation.js';

export function LoraEditor({ loras, problems, onChange }: { loras: LoraDraft[]; problems: ReadonlyMap<string, LoraProblems>; onChange: (loras: LoraDraft[]) => void }) {
  const update = (updated: LoraDraft) => onChange(loras.map((lora) => (lora.key === updated.key ? updated : lora)));
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="text-xs font-medium uppercase tracking-wide text-neutral-400">LoRA</legend>
      {loras.map((lora, index) => {
        const problem = problems.get(lora.key);
        return (
          <div key={lora.key} className="flex flex-col gap-0.5" data-testid="lora-row">
            <div className="flex gap-2">
              <input
                aria-label={`LoRA ${index + 1} name`}
                value={lora.name}
                placeholder="name, e.g. film-grain-v2"
                onChange={(event) => update({ ...lora, name: event.target.value })}
                aria-invalid={problem?.name !== undefined}
                className={`min-w-0 flex-1 rounded-md border bg-neutral-950 px-2 py-1 text-sm ${problem?.name ? 'border-rose-500' : 'border-neutral-700'}`}
              />
              <input
                aria-label={`LoRA ${index + 1} weight`}
                inputMode="decimal"
                value={lora.weightText}
                placeholder="1"
                onChange={(event) => update({ ...lora, weightText: event.target.value })}
                aria-invalid={problem?.weight !== undefined}
                className={`w-16 rounded-md border bg-neutral-950 px-2 py-1 text-sm ${problem?.weight ? 'border-rose-500' : 'border-neutral-700'}`}
              />
              <button type="button" aria-label={`Remove LoRA ${index + 1}`} onClick={() => onChange(loras.filter((candidate) => candidate.key !== lora.key))} className="rounded px-1.5 text-neutral-400 hover:bg-neutral-800">
                ×
              </button>
            </div>
            {problem ? <p className="text-xs text-rose-400">{problem.name ?? problem.weight}</p> : null}
          </div>
        );
      })}
      <button
        type="button"
        disabled={loras.length >= 20}
        className="self-start rounded-md px-2 py-1 text-xs text-sky-300 hover:bg-neutral-800 disabled:opacity-50"
        onClick={() => onChange([...loras, { key: newDraftKey('lora'), name: '', weightText: '1' }])}
      >
        + Add LoRA (weight {minLoraWeight} to {maxLoraWeight})
      </button>
    </fieldset>
  );
}
