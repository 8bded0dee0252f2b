import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppProviders } from './_components/app-providers.js';
import './globals.css';

export const metadata: Metadata = {
  title: 'imagefleet',
  description: 'Self-hostable batch image-generation studio.',
};

/** The root layout: dark theme, system fonts (no font download, so it works offline). */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="dark">
      <body className="min-h-screen font-sans">
        <AppProviders>{children}</AppProviders>
      </body>
    </html>
  );
}
