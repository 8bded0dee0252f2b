'use client';
/**
 * Settings → Webhooks: the latest deliveries (event, target, state, attempts, last answer) and a
 * "Send test event" button that queues a signed webhook.test through the same outbox, signature and
 * SSRF guard as job events. Secrets are never listed; one generated for a test is shown once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '../../_components/button.js';
import { Card, CardTitle } from '../../_components/card.js';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import { formatTime } from '../../_lib/format.js';

/** One row of `GET /api/webhooks/deliveries`. */
interface WebhookDelivery {
  id: string;
  url: string;
  eventType: string;
  jobId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

const deliveriesKey = ['webhook-deliveries'] as const;
/** Rows shown. */
const shownDeliveries = 20;

const statusClasses: Record<WebhookDelivery['status'], string> = {
  delivered: 'bg-emerald-500/15 text-emerald-300',
  pending: 'bg-amber-500/15 text-amber-300',
  failed: 'bg-red-500/15 text-red-300',
};

export function WebhookPanel() {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const deliveries = useQuery({
    queryKey: deliveriesKey,
    queryFn: ({ signal }) => apiRequest<{ items: WebhookDelivery[] }>(`/api/webhooks/deliveries?limit=${shownDeliveries}`, { signal }),
    // Deliveries change without live events; look often only while one is waiting.
    refetchInterval: (query) => (query.state.data?.items.some((delivery) => delivery.status === 'pending') ? 2_000 : 15_000),
  });
  const sendTest = useMutation({
    mutationFn: (target: string) => apiRequest<{ delivery: WebhookDelivery; secret: string | null }>('/api/webhooks/test', { method: 'POST', body: target.trim() === '' ? {} : { url: target.trim() } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: deliveriesKey }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    sendTest.mutate(url);
  };

  return (
    <Card aria-labelledby="webhooks-heading" data-testid="webhook-panel">
      <CardTitle id="webhooks-heading">Webhooks</CardTitle>
      <p className="mt-2 text-sm text-neutral-400">
        Jobs name webhook URLs when they are submitted; IMAGEFLEET_WEBHOOK_URL adds one to every job. Each event is a signed POST (Standard Webhooks), retried for about a day.
      </p>
      <form className="mt-4 flex flex-col gap-2 sm:flex-row" onSubmit={submit}>
        <label className="sr-only" htmlFor="webhook-test-url">
          Test URL
        </label>
        <input
          id="webhook-test-url"
          type="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://… (empty: the server-wide webhook)"
          className="h-10 min-w-0 flex-1 rounded-lg border border-neutral-700 bg-neutral-950 px-3 text-sm text-neutral-100 placeholder:text-neutral-600"
        />
        <Button type="submit" variant="secondary" disabled={sendTest.isPending}>
          {sendTest.isPending ? 'Sending…' : 'Send test event'}
        </Button>
      </form>
      {sendTest.isError ? (
        <p className="mt-2 text-sm text-red-400" role="alert">
          {errorMessage(sendTest.error)}
        </p>
      ) : null}
      {sendTest.data ? (
        <p className="mt-2 text-sm text-neutral-300" role="status">
          Queued {sendTest.data.delivery.id}.
          {sendTest.data.secret !== null ? (
            <>
              {' '}
              Its signing secret (shown once): <code className="break-all font-mono text-neutral-100">{sendTest.data.secret}</code>
            </>
          ) : null}
        </p>
      ) : null}
      {deliveries.isError ? <p className="mt-3 text-sm text-red-400">{errorMessage(deliveries.error)}</p> : null}
      {deliveries.data && deliveries.data.items.length === 0 ? <p className="mt-4 text-sm text-neutral-400">No webhook deliveries yet.</p> : null}
      {deliveries.data && deliveries.data.items.length > 0 ? (
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="webhook-deliveries">
            <thead className="text-xs text-neutral-400">
              <tr>
                <th className="py-1 pr-3 font-medium">Event</th>
                <th className="py-1 pr-3 font-medium">Target</th>
                <th className="py-1 pr-3 font-medium">State</th>
                <th className="py-1 pr-3 font-medium">Attempts</th>
                <th className="py-1 font-medium">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((delivery) => (
                <tr key={delivery.id} className="border-t border-neutral-800 align-top">
                  <td className="py-1.5 pr-3">
                    <div className="font-medium text-neutral-100">{delivery.eventType}</div>
                    <div className="text-xs text-neutral-400">{formatTime(delivery.createdAt)}</div>
                  </td>
                  <td className="max-w-[16rem] truncate py-1.5 pr-3 font-mono text-xs text-neutral-300" title={delivery.url}>
                    {originOf(delivery.url)}
                  </td>
                  <td className="py-1.5 pr-3">
                    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${statusClasses[delivery.status]}`}>{delivery.status}</span>
                    {delivery.status === 'pending' && delivery.nextAttemptAt !== null && delivery.attempts > 0 ? (
                      <div className="text-xs text-neutral-400">next {formatTime(delivery.nextAttemptAt)}</div>
                    ) : null}
                  </td>
                  <td className="py-1.5 pr-3 tabular-nums">{delivery.attempts}</td>
                  <td className="py-1.5 text-xs text-neutral-400">
                    {delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : null}
                    {delivery.lastError !== null ? <div className="text-red-300">{delivery.lastError}</div> : null}
                    {delivery.lastAttemptAt === null ? 'not tried yet' : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

/** The scheme and host only: a path or query may hold the receiver's own token. */
function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : url;
}
