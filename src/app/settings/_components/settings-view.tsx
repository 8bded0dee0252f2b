'use client';
/**
 * What this server runs: each provider's state (configured or how to configure it — never a key),
 * its limits and any pause with its reason; the data directory and version.
 */
import { Fragment } from 'react';
import { Card, CardTitle } from '../../_components/card.js';
import { PageHeader } from '../../_components/page-header.js';
import { errorMessage } from '../../_lib/api-client.js';
import { useHealth, useProviders } from '../../_lib/api-queries.js';
import type { ProviderInfo } from '../../_lib/api-types.js';
import { formatDurationSeconds } from '../../_lib/format.js';
import { WebhookPanel } from './webhook-panel.js';

export function SettingsView() {
  const health = useHealth();
  const providers = useProviders();
  return (
    <div className="mx-auto flex max-w-5xl flex-col gap-8">
      <PageHeader title="Settings" description="Providers are configured on the server with environment variables (docs/configuration.md); this page shows what is in force." />
      <Card aria-labelledby="server-heading">
        <CardTitle id="server-heading">Server</CardTitle>
        {health.isError ? <p className="mt-3 text-red-400">{errorMessage(health.error)}</p> : null}
        {health.data ? (
          <dl className="mt-4 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
            <dt className="text-neutral-400">Version</dt>
            <dd data-testid="server-version">{health.data.version}</dd>
            <dt className="text-neutral-400">Data directory</dt>
            <dd className="break-all font-mono text-neutral-200" data-testid="data-dir">
              {health.data.dataDir}
            </dd>
            <dt className="text-neutral-400">Engine</dt>
            <dd>
              {health.data.engine.running ? 'running' : 'stopped'} · {health.data.engine.inFlight} calls in flight · database {health.data.database}
            </dd>
            <dt className="text-neutral-400">Up for</dt>
            <dd>{formatDurationSeconds(health.data.uptimeSeconds)}</dd>
          </dl>
        ) : health.isPending ? (
          <p className="mt-3 text-sm text-neutral-400">Loading…</p>
        ) : null}
      </Card>
      <WebhookPanel />
      <section aria-labelledby="providers-heading" className="flex flex-col gap-4">
        <h2 id="providers-heading" className="text-lg font-semibold">
          Providers
        </h2>
        {providers.isError ? <p className="text-red-400">{errorMessage(providers.error)}</p> : null}
        <div className="grid gap-4 lg:grid-cols-2">
          {providers.data?.items.map((provider) => <ProviderCard key={provider.id} provider={provider} />)}
        </div>
      </section>
    </div>
  );
}

function ProviderCard({ provider }: { provider: ProviderInfo }) {
  const state = provider.pausedReason !== null ? 'paused' : provider.configured ? 'ready' : 'not configured';
  const stateClass = state === 'ready' ? 'bg-emerald-500/15 text-emerald-300' : state === 'paused' ? 'bg-amber-500/15 text-amber-300' : 'bg-neutral-800 text-neutral-400';
  return (
    <Card data-testid={`provider-${provider.id}`} className="flex flex-col gap-3">
      <div className="flex items-start justify-between gap-3">
        <h3 className="font-semibold">{provider.displayName}</h3>
        <span className={`shrink-0 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${stateClass}`}>{state}</span>
      </div>
      {provider.pausedReason !== null ? <p className="text-sm text-amber-300">Paused: {provider.pausedReason}</p> : null}
      {!provider.configured ? <p className="text-sm text-neutral-400">{provider.setup}</p> : null}
      {provider.limits ? (
        <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
          <dt className="text-neutral-400">Online lane</dt>
          <dd>{describeLimits(provider.limits.online)}</dd>
          {provider.limits.batch ? (
            <>
              <dt className="text-neutral-400">Batch lane</dt>
              <dd>{describeLimits(provider.limits.batch)}</dd>
            </>
          ) : null}
          {provider.learnedRates.map((learned) => (
            <Fragment key={learned.limitKey}>
              <dt className="text-neutral-400">Rate</dt>
              <dd data-testid="learned-rate">{describeLearnedRate(learned)}</dd>
            </Fragment>
          ))}
        </dl>
      ) : null}
      {provider.models.length > 0 ? (
        <ul className="flex flex-col gap-1 text-sm">
          {provider.models.map((model) => (
            <li key={model.id} className="flex flex-wrap gap-x-2 text-neutral-300">
              <span className="font-medium text-neutral-100">{model.displayName}</span>
              <span className="text-neutral-400">
                {model.sizes.join(' / ')} · {model.lanes.join(' + ')} · seeds {model.seedSupport}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

function describeLimits(limits: { requestsPerMinute: number; maxConcurrency: number; cooldownMs: number; learnedRate: boolean }): string {
  const rate = limits.learnedRate ? 'requests/min learned (auto)' : limits.requestsPerMinute === 0 ? 'no per-minute limit' : `${limits.requestsPerMinute} requests/min`;
  const parts = [rate, `${limits.maxConcurrency} at once`];
  if (limits.cooldownMs > 0) parts.push(`${limits.cooldownMs} ms between requests`);
  return parts.join(' · ');
}

/** "gemini:nano-banana-2: 118/min, learned (quota ≈ 120/min)", as the CLI progress line says it. */
function describeLearnedRate(learned: { limitKey: string; phase: 'discovering' | 'learned'; requestsPerMinute: number; estimatedRequestsPerMinute: number | null }): string {
  const quota = learned.estimatedRequestsPerMinute === null ? '' : ` (quota ≈ ${Math.round(learned.estimatedRequestsPerMinute)}/min)`;
  return `${learned.limitKey}: ${Math.round(learned.requestsPerMinute)}/min, ${learned.phase}${quota}`;
}
