'use client';
/** Pause, resume, cancel and retry-failed for a job, with the answer folded into the caches and errors as toasts. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from './api-client.js';
import type { JobControl } from './api-types.js';
import { queryKeys } from './query-keys.js';

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry-failed';

const actionWords: Record<JobAction, string> = { pause: 'pause', resume: 'resume', cancel: 'cancel', 'retry-failed': 'retry the failed images of' };

export function useJobControl() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, action }: { jobId: string; action: JobAction }) => apiRequest<JobControl>(`/api/jobs/${encodeURIComponent(jobId)}/${action}`, { method: 'POST' }),
    onSuccess: (result, { action }) => {
      if (action === 'retry-failed') toast.success(result.retriedTasks === 1 ? 'One call queued again.' : `${result.retriedTasks ?? 0} calls queued again.`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.job(result.id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.queue });
    },
    onError: (error, { action }) => toast.error(`Could not ${actionWords[action]} the job. ${errorMessage(error)}`),
  });
}
