'use client';
/** The plan of the composer's batch before submit: a dry run, asked again 500 ms after the last change. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { apiRequest } from '../../_lib/api-client.js';
import type { DryRunResponse, SubmitItemsBody } from '../../_lib/api-types.js';

const debounceMs = 500;

export function usePlanEstimate(body: SubmitItemsBody | undefined) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const [settled, setSettled] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), debounceMs);
    return () => clearTimeout(timer);
  }, [text]);
  const query = useQuery({
    queryKey: ['studio-dry-run', settled],
    queryFn: ({ signal }) => apiRequest<DryRunResponse>('/api/jobs/submit?dryRun=1', { method: 'POST', body: JSON.parse(settled ?? '{}') as unknown, signal }),
    enabled: settled !== undefined,
    staleTime: 60_000,
    retry: false,
  });
  return { ...query, stale: settled !== text };
}
