'use client';
/**
 * The frame around every page: a left navigation on wide screens, a top bar with the same links on
 * phones (two rows of three, so every section is in view without sideways scrolling), and a dot
 * that says whether live updates are connected.
 */
import type { Route } from 'next';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useLiveConnection } from '../_lib/live-events.js';
import { NavIcon } from './nav-icon.js';
import { SignOutButton } from './sign-out-button.js';

const links: ReadonlyArray<{ href: Route; label: string; icon: string }> = [
  { href: '/', label: 'Overview', icon: 'overview' },
  { href: '/studio', label: 'Studio', icon: 'studio' },
  { href: '/automatic', label: 'Automatic', icon: 'automatic' },
  { href: '/queue', label: 'Queue', icon: 'queue' },
  { href: '/groups', label: 'Groups', icon: 'groups' },
  { href: '/settings', label: 'Settings', icon: 'settings' },
];

function isActive(pathname: string, href: string): boolean {
  if (href === '/') return pathname === '/';
  return pathname === href || pathname.startsWith(`${href}/`) || (href === '/queue' && pathname.startsWith('/jobs/'));
}

/** `canSignOut`: the server needs a token, so this browser holds a session it can end. */
export function AppShell({ children, canSignOut = false }: { children: ReactNode; canSignOut?: boolean }) {
  const pathname = usePathname();
  const connected = useLiveConnection();
  const navigation = (
    <ul className="grid grid-cols-3 gap-1 md:flex md:flex-col">
      {links.map((link) => {
        const active = isActive(pathname, link.href);
        return (
          <li key={link.href}>
            <Link
              href={link.href}
              aria-current={active ? 'page' : undefined}
              className={`flex items-center gap-2 whitespace-nowrap rounded-lg px-2 py-2 text-sm font-medium md:gap-3 md:px-3 transition-colors focus-visible:outline-2 focus-visible:outline-violet-400 ${
                active ? 'bg-violet-500/15 text-violet-200' : 'text-neutral-400 hover:bg-neutral-800/70 hover:text-neutral-100'
              }`}
            >
              <NavIcon name={link.icon} />
              {link.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
  const liveIndicator = (
    <p className="flex items-center gap-2 text-xs text-neutral-400" aria-live="polite">
      <span aria-hidden className={`size-2 rounded-full ${connected ? 'bg-emerald-400' : 'bg-neutral-600'}`} />
      {connected ? 'Live updates on' : 'Connecting…'}
    </p>
  );
  return (
    <div className="min-h-screen md:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-lg focus:bg-violet-600 focus:px-4 focus:py-2">
        Skip to content
      </a>
      <aside className="sticky top-0 z-30 border-b border-neutral-800 bg-neutral-950/90 backdrop-blur md:h-screen md:w-60 md:shrink-0 md:border-b-0 md:border-r">
        <div className="flex h-full flex-col gap-4 px-3 py-3 md:px-4 md:py-6">
          <div className="flex items-center justify-between px-2 md:flex-col md:items-start md:gap-1">
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-violet-400">
              <span aria-hidden className="grid size-7 place-items-center rounded-lg bg-gradient-to-br from-violet-500 to-fuchsia-500 text-sm font-bold text-white">
                i
              </span>
              imagefleet
            </Link>
            <div className="flex items-center gap-2 md:hidden">
              {liveIndicator}
              {canSignOut ? <SignOutButton /> : null}
            </div>
          </div>
          <nav aria-label="Main">
            {navigation}
          </nav>
          <div className="mt-auto hidden flex-col items-start gap-2 px-2 md:flex">
            {liveIndicator}
            {canSignOut ? <SignOutButton /> : null}
          </div>
        </div>
      </aside>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 sm:px-6 lg:px-10 lg:py-10">
        {children}
      </main>
    </div>
  );
}
