'use client';
/** The one screen a signed-out visitor sees when the server needs its API token. */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest, errorMessage } from '../_lib/api-client.js';
import type { SessionState } from '../_lib/api-types.js';
import { Button } from './button.js';
import { FieldError } from './field-error.js';

export function SignInForm() {
  const router = useRouter();
  const [token, setToken] = useState('');
  const signIn = useMutation({
    mutationFn: (value: string) => apiRequest<SessionState>('/api/session', { method: 'POST', body: { token: value } }),
    onSuccess: () => router.refresh(),
  });
  return (
    <div className="grid min-h-screen place-items-center px-4">
      <form
        className="flex w-full max-w-sm flex-col gap-4 rounded-xl border border-neutral-800 bg-neutral-900/70 p-6 shadow-2xl shadow-violet-950/30"
        onSubmit={(event) => {
          event.preventDefault();
          signIn.mutate(token);
        }}
      >
        <div className="flex flex-col gap-1">
          <h1 className="text-xl font-semibold">Sign in to imagefleet</h1>
          <p className="text-sm text-neutral-400">This server needs its API token (the value of IMAGEFLEET_API_TOKEN on the server).</p>
        </div>
        <label className="flex flex-col gap-1.5 text-sm font-medium">
          API token
          <input
            type="password"
            autoComplete="current-password"
            required
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby="token-error"
            className="h-10 rounded-lg border border-neutral-700 bg-neutral-950 px-3 text-neutral-100 focus-visible:outline-2 focus-visible:outline-violet-400"
          />
        </label>
        <FieldError id="token-error" message={signIn.isError ? errorMessage(signIn.error) : undefined} />
        <Button type="submit" variant="primary" disabled={signIn.isPending || token === ''}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </div>
  );
}
