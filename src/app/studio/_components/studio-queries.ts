'use client';
/**
 * The server state the studio reads, through the API client only. Keys extend the shared ones, so
 * the live event stream's invalidations (`['job', id]`, `['job-results', id]`, `['queue']`,
 * `['groups']`) refresh these too.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../_lib/api-client.js';
import type { GroupList, JobList, ProviderList, QueueResponse, ResultsPage, TaskList } from '../../_lib/api-types.js';
import { queryKeys } from '../../_lib/query-keys.js';

export const studioQueryKeys = {
  providers: ['providers'] as const,
  jobTasks: (jobId: string) => [...queryKeys.job(jobId), 'tasks'] as const,
  jobImages: (jobId: string) => [...queryKeys.jobResults(jobId), 'studio-all'] as const,
  uploads: ['uploads'] as const,
};

export function useProviders() {
  return useQuery({ queryKey: studioQueryKeys.providers, queryFn: ({ signal }) => apiRequest<ProviderList>('/api/providers', { signal }), staleTime: 60_000 });
}

/** Asks self-hosted servers for their checkpoints and LoRAs again (one just added) and shows the new lists. */
export function useRefreshProviders() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<ProviderList>('/api/providers?refresh=1'),
    onSuccess: (list) => queryClient.setQueryData(studioQueryKeys.providers, list),
  });
}

export function useGroups() {
  return useQuery({ queryKey: queryKeys.groups, queryFn: ({ signal }) => apiRequest<GroupList>('/api/groups', { signal }) });
}

/** How many of a group's latest jobs the feed shows. */
export const groupFeedJobLimit = 30;

/**
 * A group's latest jobs of every mode — Studio, Automatic and CLI — from any browser, the API or the
 * CLI. Under the groups key, so the live events that refresh groups (a job started, a task
 * completed) refresh it too.
 */
export function useGroupStudioJobs(groupId: string | null) {
  return useQuery({
    queryKey: [...queryKeys.groups, 'studio-jobs', groupId] as const,
    queryFn: ({ signal }) => apiRequest<JobList>(`/api/jobs?groupId=${encodeURIComponent(groupId ?? '')}&limit=${groupFeedJobLimit}`, { signal }),
    enabled: groupId !== null,
  });
}

export function useQueue() {
  return useQuery({ queryKey: queryKeys.queue, queryFn: ({ signal }) => apiRequest<QueueResponse>('/api/queue', { signal }) });
}

export function useJobTasks(jobId: string) {
  return useQuery({
    queryKey: studioQueryKeys.jobTasks(jobId),
    queryFn: ({ signal }) => apiRequest<TaskList>(`/api/jobs/${encodeURIComponent(jobId)}/tasks?limit=1000`, { signal }),
    // A finished job's tasks do not change; live events refresh an unfinished one.
    staleTime: 5_000,
  });
}

/** Every image of a job, discarded ones too (the feed hides those but can restore them). */
export function useJobImages(jobId: string) {
  return useQuery({
    queryKey: studioQueryKeys.jobImages(jobId),
    queryFn: ({ signal }) => apiRequest<ResultsPage>(`/api/jobs/${encodeURIComponent(jobId)}/results?status=all&limit=500`, { signal }),
    staleTime: 5_000,
  });
}
