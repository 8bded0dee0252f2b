'use client';
/**
 * LoRA styles with weights, for models that take them. Names are picked from the provider's list
 * (`GET /api/providers` → `loras`) through a combobox that still accepts typing, so a LoRA added on
 * the server since the list was read can be used after "Refresh list".
 */
import { useId } from 'react';
import { errorMessage } from '../../_lib/api-client.js';
import { newDraftKey } from './composer-draft.js';
import { maxLoraWeight, minLoraWeight, type LoraDraft, type LoraProblems } from './lora-validation.js';
import { useRefreshProviders } from './studio-queries.js';

interface Props {
  loras: LoraDraft[];
  /** Names the chosen provider lists; undefined while the list has not arrived. */
  knownNames: readonly string[] | undefined;
  problems: ReadonlyMap<string, LoraProblems>;
  onChange: (loras: LoraDraft[]) => void;
}

/** The API takes at most this many LoRAs per job. */
const maxLoras = 20;

export function LoraEditor({ loras, knownNames, problems, onChange }: Props) {
  const listId = useId();
  const refresh = useRefreshProviders();
  const update = (updated: LoraDraft) => onChange(loras.map((lora) => (lora.key === updated.key ? updated : lora)));
  const usedNames = new Set(loras.map((lora) => lora.name.trim()));
  const firstUnused = knownNames?.find((name) => !usedNames.has(name)) ?? '';
  const known = knownNames ?? [];
  return (
    <fieldset className="flex flex-col gap-2" data-testid="lora-editor">
      <legend className="text-xs font-medium uppercase tracking-wide text-neutral-400">LoRA</legend>
      <datalist id={listId}>
        {known.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <p className="flex flex-wrap items-baseline gap-x-2 text-xs text-neutral-400" data-testid="lora-known-count">
        <span>{knownNames === undefined ? 'Reading the server’s LoRA list…' : known.length === 0 ? 'The server lists no LoRAs.' : `${known.length} ${known.length === 1 ? 'LoRA' : 'LoRAs'} on the server.`}</span>
        <button type="button" className="text-sky-300 underline disabled:opacity-50" disabled={refresh.isPending} onClick={() => refresh.mutate()} data-testid="lora-refresh">
          {refresh.isPending ? 'Refreshing…' : 'Refresh list'}
        </button>
      </p>
      {refresh.isError ? (
        <p role="alert" className="text-xs text-rose-400">
          The list was not refreshed: {errorMessage(refresh.error)}
        </p>
      ) : null}
      {loras.map((lora, index) => {
        const problem = problems.get(lora.key);
        return (
          <div key={lora.key} className="flex flex-col gap-0.5" data-testid="lora-row">
            <div className="flex gap-2">
              <input
                aria-label={`LoRA ${index + 1} name`}
                data-testid="lora-name"
                list={listId}
                value={lora.name}
                placeholder={known.length > 0 ? 'choose or type a name' : 'name as the server lists it'}
                autoComplete="off"
                onChange={(event) => update({ ...lora, name: event.target.value })}
                aria-invalid={problem?.name !== undefined}
                className={`min-w-0 flex-1 rounded-md border bg-neutral-950 px-2 py-1 text-sm ${problem?.name ? 'border-rose-500' : 'border-neutral-700'}`}
              />
              <input
                aria-label={`LoRA ${index + 1} weight`}
                data-testid="lora-weight"
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
            {problem ? (
              <p className="text-xs text-rose-400" data-testid="lora-problem">
                {[problem.name, problem.weight].filter((text) => text !== undefined).join(' ')}
              </p>
            ) : null}
          </div>
        );
      })}
      <button
        type="button"
        disabled={loras.length >= maxLoras}
        className="self-start rounded-md px-2 py-1 text-xs text-sky-300 hover:bg-neutral-800 disabled:opacity-50"
        onClick={() => onChange([...loras, { key: newDraftKey('lora'), name: firstUnused, weightText: '1' }])}
      >
        + Add LoRA (weight {minLoraWeight} to {maxLoraWeight})
      </button>
    </fieldset>
  );
}
