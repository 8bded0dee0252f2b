'use client';
/** The composer's summary: images and sets, and the server's cost and time estimate for them. */
import { errorMessage } from '../../_lib/api-client.js';
import type { DryRunResponse } from '../../_lib/api-types.js';
import { formatCount, formatDurationSeconds, formatUsd } from '../../_lib/format.js';
import { setBreakdown, type BatchSize } from './batch-arithmetic.js';

interface Props {
  promptCounts: number[];
  batchSize: BatchSize;
  plan: DryRunResponse | undefined;
  pending: boolean;
  error: unknown;
}

export function PlanEstimate({ promptCounts, batchSize, plan, pending, error }: Props) {
  const images = promptCounts.reduce((sum, count) => sum + count, 0);
  const sets = promptCounts.reduce((sum, count) => sum + setBreakdown(count, batchSize).totalSets, 0);
  if (images === 0) return <p className="text-sm text-neutral-400" data-testid="plan-summary">Write a prompt to see what it makes.</p>;
  return (
    <div className="flex flex-col gap-1 rounded-md bg-neutral-950 p-2 text-sm" data-testid="plan-summary" aria-live="polite">
      <p className="font-medium" data-testid="plan-total">
        {`${promptCounts.length} ${promptCounts.length === 1 ? 'prompt' : 'prompts'} · ${formatCount(images)} ${images === 1 ? 'image' : 'images'} = ${formatCount(sets)} ${sets === 1 ? 'set' : 'sets'} of up to ${batchSize}`}
      </p>
      {error ? (
        <p className="text-rose-400" data-testid="plan-error">
          {errorMessage(error)}
        </p>
      ) : plan ? (
        <p className={`text-neutral-300 ${pending ? 'opacity-60' : ''}`} data-testid="plan-estimate">
          {`${formatCount(plan.plan.tasks)} ${plan.plan.tasks === 1 ? 'call' : 'calls'} · ${plan.plan.estimate.costUsd === null ? 'cost unknown' : formatUsd(plan.plan.estimate.costUsd)} · about ${formatDurationSeconds(plan.plan.estimate.durationSeconds)}`}
        </p>
      ) : (
        <p className="text-neutral-400">Estimating…</p>
      )}
      {plan && plan.plan.warnings.length > 0 ? (
        <ul className="list-disc pl-4 text-xs text-amber-400">
          {plan.plan.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
