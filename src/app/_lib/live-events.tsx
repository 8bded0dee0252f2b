'use client';
/**
 * One Server-Sent Events connection per tab (`/api/events`) keeps every page live: events
 * invalidate the cached queries they change (batched, so a burst of 1,000 completions costs a few
 * refetches, not 1,000), progress events go to whoever listens, and a finished job raises a toast.
 * The browser's EventSource reconnects by itself and resumes with Last-Event-ID.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Route } from 'next';
import Link from 'next/link';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { toast } from 'sonner';
import { domainEventTypes } from '../../core/events.js';
import type { JobStatus, LiveEvent } from './api-types.js';
import { queryKeys } from './query-keys.js';

type Listener = (event: LiveEvent) => void;

interface LiveEventsContextValue {
  /** Calls `listener` for every event (including `task.progress`); returns the unsubscribe function. */
  subscribe: (listener: Listener) => () => void;
  /** Whether the stream is open now. */
  connected: boolean;
}

const LiveEventsContext = createContext<LiveEventsContextValue | null>(null);

/** Invalidations are gathered for this long, then applied at once. */
const invalidateBatchMs = 400;
/** Image lists are refreshed less often: each refresh refetches every page loaded so far. */
const imageListBatchMs = 2000;
const imageListPrefixes = new Set<string>([queryKeys.allGroupImages[0], queryKeys.allJobResults[0]]);

const finalStatusWords: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  canceled: 'was canceled',
};

export function LiveEventsProvider({ children, enabled = true }: { children: ReactNode; enabled?: boolean }) {
  const queryClient = useQueryClient();
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!enabled) return undefined;
    // Two batches: counts and statuses refresh quickly; image lists (which refetch every loaded
    // page of an infinite list, up to 50 for a 10,000-image gallery) at most every 2 s.
    const batches = [invalidateBatchMs, imageListBatchMs].map((delayMs) => ({ delayMs, pending: new Set<string>(), timer: undefined as ReturnType<typeof setTimeout> | undefined }));
    const schedule = (key: readonly string[]) => {
      const batch = imageListPrefixes.has(key[0] ?? '') ? batches[1]! : batches[0]!;
      batch.pending.add(JSON.stringify(key));
      batch.timer ??= setTimeout(() => {
        batch.timer = undefined;
        const keys = [...batch.pending].map((text) => JSON.parse(text) as string[]);
        batch.pending.clear();
        for (const queryKey of keys) void refreshChanged(queryClient, queryKey);
      }, batch.delayMs);
    };

    const source = new EventSource('/api/events');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(source.readyState === EventSource.OPEN);
    const onEvent = (message: MessageEvent<string>) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(message.data) as LiveEvent;
      } catch {
        return;
      }
      for (const listener of listeners.current) listener(event);
      for (const key of keysChangedBy(event)) schedule(key);
      if (event.type === 'job.finished' && event.jobId !== null) announceFinishedJob(queryClient, event.jobId, typeof event.payload.status === 'string' ? event.payload.status : 'finished');
    };
    for (const type of eventTypes) source.addEventListener(type, onEvent);
    return () => {
      source.close();
      for (const batch of batches) if (batch.timer !== undefined) clearTimeout(batch.timer);
    };
  }, [queryClient, enabled]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<LiveEventsContextValue>(() => ({ subscribe, connected }), [subscribe, connected]);

  return <LiveEventsContext.Provider value={value}>{children}</LiveEventsContext.Provider>;
}

/** Calls `listener` for every live event while the component is mounted. */
export function useLiveEvents(listener: Listener): void {
  const context = useContext(LiveEventsContext);
  const latest = useRef(listener);
  latest.current = listener;
  const subscribe = context?.subscribe;
  useEffect(() => subscribe?.((event) => latest.current(event)), [subscribe]);
}

/** Whether the live stream is connected (for a small indicator). */
export function useLiveConnection(): boolean {
  return useContext(LiveEventsContext)?.connected ?? false;
}

/** Every type the stream sends: the one vocabulary's names (`core/events.ts`). */
const eventTypes = domainEventTypes;

function keysChangedBy(event: LiveEvent): ReadonlyArray<readonly string[]> {
  if (event.type === 'task.progress') return [];
  if (event.type.startsWith('provider.')) return [queryKeys.health, queryKeys.providers];
  if (event.type === 'queue.changed') return [queryKeys.queue];
  const keys: Array<readonly string[]> = [queryKeys.queue];
  if (event.jobId !== null) keys.push(queryKeys.job(event.jobId));
  // A job submitted anywhere starts within moments: it then joins its group's job lists.
  if (event.type === 'job.started') keys.push(queryKeys.groups);
  if (event.type === 'task.completed' || event.type === 'job.finished') {
    if (event.jobId !== null) keys.push(queryKeys.jobResults(event.jobId));
    keys.push(queryKeys.allGroupImages, queryKeys.groups);
  }
  return keys;
}

/**
 * An image list scrolled deep into a big gallery would refetch every loaded page on each refresh
 * (an infinite query refetches its pages in order, to keep their cursors right). Those are only
 * marked stale — they refresh when shown again or the window regains focus —, while lists of a few
 * pages, the usual view of a running job, stay live.
 */
const liveImageListMaxPages = 3;

function refreshChanged(queryClient: QueryClient, queryKey: readonly string[]): Promise<void> {
  if (!imageListPrefixes.has(queryKey[0] ?? '')) return queryClient.invalidateQueries({ queryKey });
  return queryClient.invalidateQueries({ queryKey, refetchType: 'none' }).then(() =>
    queryClient.refetchQueries({
      queryKey,
      type: 'active',
      predicate: (query) => {
        const pages = (query.state.data as { pages?: unknown[] } | undefined)?.pages;
        return pages === undefined || pages.length <= liveImageListMaxPages;
      },
    }),
  );
}

function announceFinishedJob(queryClient: QueryClient, jobId: string, status: string): void {
  const job = queryClient.getQueryData<JobStatus>(queryKeys.job(jobId));
  const name = job?.name ? `“${job.name}”` : 'A job';
  const text = `${name} ${finalStatusWords[status] ?? status}`;
  const show = status === 'completed' ? toast.success : status === 'failed' ? toast.error : toast.info;
  show(text, {
    id: `job-finished-${jobId}`,
    description: (
      <Link href={`/jobs/${jobId}` as Route} className="underline">
        Open the job
      </Link>
    ),
  });
}
