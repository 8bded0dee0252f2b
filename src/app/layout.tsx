import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { pageNeedsSignIn, pagesUseSignIn } from '../server/page-session.js';
import { AppProviders } from './_components/app-providers.js';
import { SessionFrame } from './_components/session-frame.js';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'imagefleet', template: '%s · imagefleet' },
  description: 'Self-hostable batch image-generation studio.',
};

/** The root layout: dark theme, system fonts (no font download, so it works offline), the app shell or the sign-in form. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const needsSignIn = await pageNeedsSignIn(new Headers(await headers()));
  return (
    <html lang="en" className="dark">
      <body className="min-h-screen font-sans">
        <AppProviders liveUpdates={!needsSignIn}>
          <SessionFrame needsSignIn={needsSignIn} canSignOut={pagesUseSignIn()}>{children}</SessionFrame>
        </AppProviders>
      </body>
    </html>
  );
}
