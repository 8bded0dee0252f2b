'use client';
/**
 * Client-side context every page shares: the server-state cache (TanStack Query), the live
 * event stream that keeps it fresh, and the toaster.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Toaster } from 'sonner';
import { isApiError } from '../_lib/api-client.js';
import { LiveEventsProvider } from '../_lib/live-events.js';

/** `liveUpdates` false: no event stream (a signed-out visitor could not open it). */
export function AppProviders({ children, liveUpdates = true }: { children: ReactNode; liveUpdates?: boolean }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            // Live events invalidate what changed; polling is not needed to stay fresh.
            staleTime: 30_000,
            refetchOnWindowFocus: true,
            // A 4xx will not get better by asking again.
            retry: (failureCount, error) => failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <LiveEventsProvider enabled={liveUpdates}>{children}</LiveEventsProvider>
      {/* Clickable over an open dialog too: a modal dialog turns pointer events off on the body, and a toast's Undo must still take a click. */}
      {/* The toast's own buttons take sonner's colours, which on a rich-coloured toast fall below 4.5:1: the app's button colours instead. */}
      <Toaster
        theme="dark"
        position="bottom-right"
        richColors
        closeButton
        style={{ pointerEvents: 'auto' }}
        toastOptions={{ classNames: { actionButton: 'bg-violet-600! text-white!', cancelButton: 'bg-neutral-800! text-neutral-100!' } }}
      />
    </QueryClientProvider>
  );
}
