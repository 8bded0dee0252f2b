'use client';
/**
 * Every unfinished job in the order the engine runs them, live: progress, pause / resume / cancel,
 * move up or down within its priority, and change its priority.
 */
import { Icon } from '../../_components/icons.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Route } from 'next';
import Link from 'next/link';
import { toast } from 'sonner';
import { Button } from '../../_components/button.js';
import { Card } from '../../_components/card.js';
import { ConfirmDialog } from '../../_components/confirm-dialog.js';
import { PageHeader } from '../../_components/page-header.js';
import { ProgressBar } from '../../_components/progress-bar.js';
import { StatusBadge } from '../../_components/status-badge.js';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import { useQueue } from '../../_lib/api-queries.js';
import type { QueueEntry, QueueResponse } from '../../_lib/api-types.js';
import { formatCount, formatPercent } from '../../_lib/format.js';
import { queryKeys } from '../../_lib/query-keys.js';
import { useJobControl } from '../../_lib/use-job-control.js';
import { reorderedIds } from './queue-order.js';

type QueueChange = { first?: string[]; reset?: string[]; priorities?: Array<{ id: string; priority: QueueEntry['priority'] }> };

const priorityLabels: Record<QueueEntry['priority'], string> = { interactive: 'Interactive', normal: 'Normal', bulk: 'Bulk' };

export function QueueView() {
  const queue = useQueue();
  const queryClient = useQueryClient();
  const control = useJobControl();
  const change = useMutation({
    mutationFn: (body: QueueChange) => apiRequest<QueueResponse>('/api/queue', { method: 'PATCH', body }),
    onSuccess: (next) => queryClient.setQueryData(queryKeys.queue, next),
    onError: (error) => toast.error(`The queue was not changed. ${errorMessage(error)}`),
  });
  const jobs = queue.data?.jobs ?? [];
  const busy = change.isPending || control.isPending;

  return (
    <div className="mx-auto flex max-w-5xl flex-col gap-6">
      <PageHeader
        title="Queue"
        description="Jobs run by priority (interactive before normal before bulk); jobs of one priority take turns unless you move them. Paused jobs wait at the end."
      />
      {queue.isError ? <p className="text-red-400">{errorMessage(queue.error)}</p> : null}
      {queue.isSuccess && jobs.length === 0 ? (
        <Card className="text-center text-neutral-400">
          Nothing is waiting. Start a job from{' '}
          <Link className="text-violet-300 underline" href={'/automatic'}>
            Automatic
          </Link>{' '}
          or the{' '}
          <Link className="text-violet-300 underline" href="/studio">
            Studio
          </Link>
          .
        </Card>
      ) : null}
      <ol className="flex flex-col gap-3" aria-label="Jobs in the order they run">
        {jobs.map((job) => {
          const up = reorderedIds(jobs, job, -1);
          const down = reorderedIds(jobs, job, 1);
          const finished = job.counts.completed + job.counts.failed + job.counts.blocked + job.counts.canceled;
          return (
            <li key={job.id} data-testid="queue-entry" data-job-id={job.id}>
              <Card className="flex flex-col gap-3">
                <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
                  <span className="grid size-7 place-items-center rounded-full bg-neutral-800 text-xs font-semibold text-neutral-300" aria-label={`Position ${job.position}`}>
                    {job.position}
                  </span>
                  <Link href={`/jobs/${encodeURIComponent(job.id)}` as Route} className="min-w-0 flex-1 truncate font-medium hover:text-violet-200 focus-visible:outline-2 focus-visible:outline-violet-400">
                    {job.name}
                  </Link>
                  <StatusBadge status={job.status} />
                  {job.placement !== 'turns' ? <span className="text-xs text-neutral-400">moved {job.placement === 'first' ? 'ahead' : 'back'}</span> : null}
                </div>
                <ProgressBar fraction={job.progress} label={`${job.name}: ${formatPercent(job.progress)} done`} tone={job.status === 'paused' ? 'amber' : 'violet'} />
                <div className="flex flex-wrap items-center justify-between gap-3 text-sm">
                  <span className="text-neutral-400">
                    {formatCount(finished)} of {formatCount(job.counts.total)} images · {job.counts.running} running · {job.provider} / {job.model}
                    {job.statusReason ? ` · ${job.statusReason}` : ''}
                  </span>
                  <div className="flex flex-wrap items-center gap-2">
                    <label className="sr-only" htmlFor={`priority-${job.id}`}>
                      Priority of {job.name}
                    </label>
                    <select
                      id={`priority-${job.id}`}
                      value={job.priority}
                      disabled={busy}
                      onChange={(event) => change.mutate({ priorities: [{ id: job.id, priority: event.target.value as QueueEntry['priority'] }] })}
                      className="h-8 rounded-lg border border-neutral-700 bg-neutral-900 px-2 text-sm focus-visible:outline-2 focus-visible:outline-violet-400"
                    >
                      {Object.entries(priorityLabels).map(([value, label]) => (
                        <option key={value} value={value}>
                          {label}
                        </option>
                      ))}
                    </select>
                    <Button size="small" aria-label={`Move ${job.name} up`} disabled={busy || up === undefined} onClick={() => up && change.mutate({ first: up })}>
                      <Icon name="arrow-up" />
                    </Button>
                    <Button size="small" aria-label={`Move ${job.name} down`} disabled={busy || down === undefined} onClick={() => down && change.mutate({ first: down })}>
                      <Icon name="arrow-down" />
                    </Button>
                    {job.placement !== 'turns' ? (
                      <Button size="small" variant="ghost" disabled={busy} onClick={() => change.mutate({ reset: [job.id] })}>
                        Take turns again
                      </Button>
                    ) : null}
                    {job.status === 'paused' ? (
                      <Button size="small" disabled={busy} onClick={() => control.mutate({ jobId: job.id, action: 'resume' })}>
                        Resume
                      </Button>
                    ) : (
                      <Button size="small" disabled={busy} onClick={() => control.mutate({ jobId: job.id, action: 'pause' })}>
                        Pause
                      </Button>
                    )}
                    <ConfirmDialog
                      trigger="Cancel"
                      triggerVariant="ghost"
                      triggerSize="small"
                      triggerLabel={`Cancel ${job.name}`}
                      disabled={busy}
                      title="Cancel this job?"
                      description="Waiting and running calls stop (calls in flight are aborted). Images already made are kept."
                      confirmLabel="Cancel the job"
                      onConfirm={() => control.mutate({ jobId: job.id, action: 'cancel' })}
                    />
                  </div>
                </div>
              </Card>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
