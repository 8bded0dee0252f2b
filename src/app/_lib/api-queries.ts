'use client';
/**
 * The server state pages share, as TanStack Query hooks over the API client. Live events
 * invalidate these keys, so nothing here polls except where a number moves without events (health).
 */
import { useQuery } from '@tanstack/react-query';
import { apiRequest } from './api-client.js';
import type { Group, GroupList, Health, JobStatus, ProviderList, QueueResponse } from './api-types.js';
import { queryKeys } from './query-keys.js';

export function useHealth() {
  return useQuery({ queryKey: queryKeys.health, queryFn: ({ signal }) => apiRequest<Health>('/api/health', { signal }), refetchInterval: 30_000 });
}

export function useProviders() {
  return useQuery({ queryKey: queryKeys.providers, queryFn: ({ signal }) => apiRequest<ProviderList>('/api/providers', { signal }) });
}

export function useGroups() {
  return useQuery({ queryKey: queryKeys.groups, queryFn: ({ signal }) => apiRequest<GroupList>('/api/groups', { signal }) });
}

export function useGroup(groupId: string) {
  return useQuery({ queryKey: queryKeys.group(groupId), queryFn: ({ signal }) => apiRequest<Group>(`/api/groups/${encodeURIComponent(groupId)}`, { signal }) });
}

export function useJobStatus(jobId: string) {
  return useQuery({ queryKey: queryKeys.job(jobId), queryFn: ({ signal }) => apiRequest<JobStatus>(`/api/jobs/${encodeURIComponent(jobId)}/status`, { signal }) });
}

export function useQueue() {
  return useQuery({ queryKey: queryKeys.queue, queryFn: ({ signal }) => apiRequest<QueueResponse>('/api/queue', { signal }) });
}
