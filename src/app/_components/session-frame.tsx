'use client';
/**
 * Chooses what frames the page: the sign-in form when the server says this visitor must sign in,
 * the bare page for the API documentation (public, with its own layout), the app shell otherwise.
 */
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from './app-shell.js';
import { SignInForm } from './sign-in-form.js';

export function SessionFrame({ needsSignIn, canSignOut = false, children }: { needsSignIn: boolean; canSignOut?: boolean; children: ReactNode }) {
  const pathname = usePathname();
  if (pathname.startsWith('/api/')) return <>{children}</>;
  if (needsSignIn) return <SignInForm />;
  return <AppShell canSignOut={canSignOut}>{children}</AppShell>;
}
