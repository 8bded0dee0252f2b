'use client';
/**
 * Active and pending jobs with their progress (live through the event stream), a cancel button
 * each, and how many sets the chosen provider runs at once (its concurrency from its limits).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { JobControl, ProviderInfo, ProviderModel } from '../../_lib/api-types.js';
import { formatPercent } from '../../_lib/format.js';
import { queryKeys } from '../../_lib/query-keys.js';
import type { BatchSize } from './batch-arithmetic.js';
import { useQueue } from './studio-queries.js';

/** Sets of `batchSize` that run at once: each set needs ceil(batchSize / maxImagesPerCall) calls. */
export function setsAtOnce(provider: ProviderInfo | undefined, model: ProviderModel | undefined, batchSize: BatchSize): number | undefined {
  const concurrency = provider?.limits?.online.maxConcurrency;
  if (concurrency === undefined || !model) return undefined;
  const callsPerSet = Math.ceil(batchSize / Math.max(1, model.maxImagesPerCall));
  return Math.max(1, Math.floor(concurrency / callsPerSet));
}

export function QueuePanel({ provider, model, batchSize }: { provider: ProviderInfo | undefined; model: ProviderModel | undefined; batchSize: BatchSize }) {
  const queue = useQueue();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: (jobId: string) => apiRequest<JobControl>(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.queue }),
    onError: (error) => toast.error('The job was not canceled', { description: errorMessage(error) }),
  });
  const jobs = queue.data?.jobs ?? [];
  const parallel = setsAtOnce(provider, model, batchSize);

  return (
    <section aria-labelledby="queue-heading" className="flex flex-col gap-2 rounded-lg border border-neutral-800 bg-neutral-900 p-3" data-testid="queue-panel">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="queue-heading" className="text-xs font-medium uppercase tracking-wide text-neutral-400">
          Queue
        </h2>
        {parallel !== undefined && provider ? (
          <p className="text-xs text-neutral-400" data-testid="queue-concurrency">
            {`${provider.displayName}: ${parallel} ${parallel === 1 ? 'set' : 'sets'} of ${batchSize} at once`}
            {provider.limits && provider.limits.online.requestsPerMinute > 0 ? ` · ${provider.limits.online.requestsPerMinute} calls/min` : ''}
          </p>
        ) : null}
      </div>
      {jobs.length === 0 ? (
        <p className="text-sm text-neutral-400">{queue.isPending ? 'Loading…' : 'Nothing running or waiting.'}</p>
      ) : (
        <ul className="flex max-h-48 flex-col gap-2 overflow-y-auto">
          {jobs.map((job) => {
            const finished = job.counts.completed + job.counts.failed + job.counts.blocked + job.counts.canceled;
            return (
              <li key={job.id} className="flex items-center gap-3 text-sm" data-testid="queue-job">
                <div className="flex min-w-0 flex-1 flex-col gap-1">
                  <div className="flex items-baseline justify-between gap-2">
                    <span className="truncate" title={job.name}>
                      {job.name}
                    </span>
                    <span className="shrink-0 text-xs tabular-nums text-neutral-400">
                      {job.status === 'paused' ? `paused${job.statusReason ? `: ${job.statusReason}` : ''}` : `${finished}/${job.counts.total} · ${job.counts.running} running`}
                    </span>
                  </div>
                  <div className="h-1.5 overflow-hidden rounded bg-neutral-800" role="progressbar" aria-label={`${job.name} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(job.progress * 100)}>
                    <div className="h-full bg-sky-500 transition-[width]" style={{ width: formatPercent(job.progress) }} />
                  </div>
                </div>
                <button type="button" className="shrink-0 rounded px-2 py-0.5 text-xs text-neutral-300 hover:bg-neutral-800" onClick={() => cancel.mutate(job.id)} disabled={cancel.isPending && cancel.variables === job.id}>
                  Cancel
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
