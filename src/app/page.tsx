import type { Route } from 'next';
import { Icon } from './_components/icons.js';
import Link from 'next/link';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { readPublicHealth } from '../server/health-handler.js';
import { pageNeedsSignIn } from '../server/page-session.js';

const destinations: ReadonlyArray<{ href: Route; title: string; text: string }> = [
  { href: '/automatic', title: 'Automatic', text: 'Drop a folder or a ZIP of product photos, write one prompt, get variations of every image.' },
  { href: '/studio', title: 'Studio', text: 'Pair references with prompts and counts, work in sets of four, pick favourites.' },
  { href: '/queue', title: 'Queue', text: 'Every running and waiting job: pause, resume, cancel, reorder, change priority.' },
  { href: '/groups', title: 'Groups', text: 'Your results in folders: browse, mark favourites, download ZIPs.' },
];

/** Home page: what imagefleet is, and whether its engine and providers are ready. */
export default async function HomePage() {
  // The health report is live state: render it per request, never at build time.
  await connection();
  // The layout shows the sign-in form instead; render nothing that would travel with it.
  if (await pageNeedsSignIn(new Headers(await headers()))) return null;
  const health = await readPublicHealth();

  return (
    <div className="mx-auto flex max-w-4xl flex-col gap-8">
      <header className="flex flex-col gap-2">
        <h1 className="text-4xl font-semibold tracking-tight">imagefleet</h1>
        <p className="text-lg text-neutral-400">
          Plan thousands of image generations from your references and prompts, run them within each provider&apos;s limits
          and your budget, and get the results back organised.
        </p>
      </header>

      <section aria-labelledby="status-heading" className="flex flex-col gap-4 rounded-xl border border-neutral-800 bg-neutral-900/60 p-6">
        <h2 id="status-heading" className="text-sm font-medium uppercase tracking-wide text-neutral-400">
          Status
        </h2>
        {health.status === 'unavailable' ? (
          <p data-testid="engine-status">
            The engine is not running. {health.message} Start imagefleet with <code className="text-neutral-300">npx imagefleet serve</code>.
          </p>
        ) : (
          <>
            <p data-testid="engine-status">
              {`Engine ${health.engine.running ? 'running' : 'stopped'} · ${health.engine.inFlight} in flight · database ${health.database} · version ${health.version}`}
            </p>
            <ul className="flex flex-col gap-2">
              {health.providers.map((provider) => (
                <li key={provider.id} className="flex flex-wrap items-baseline gap-x-3">
                  <span className="font-medium">{provider.displayName}</span>
                  <span className={provider.configured && provider.pausedReason === undefined ? 'text-emerald-400' : 'text-amber-400'}>
                    {provider.pausedReason !== undefined ? `paused: ${provider.pausedReason}` : provider.configured ? 'ready' : 'not configured'}
                  </span>
                  {provider.models.length > 0 ? <span className="text-sm text-neutral-400">{provider.models.join(', ')}</span> : null}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <nav aria-label="Start" className="grid gap-4 sm:grid-cols-2">
        {destinations.map((destination) => (
          <Link
            key={destination.href}
            href={destination.href}
            className="group flex flex-col gap-1.5 rounded-xl border border-neutral-800 bg-neutral-900/60 p-5 transition hover:border-violet-500/60 hover:bg-neutral-900 focus-visible:outline-2 focus-visible:outline-violet-400"
          >
            <span className="font-semibold text-neutral-100 group-hover:text-violet-200">{destination.title} <Icon name="arrow-right" className="inline size-4 align-[-2px]" /></span>
            <span className="text-sm text-neutral-400">{destination.text}</span>
          </Link>
        ))}
      </nav>
    </div>
  );
}
