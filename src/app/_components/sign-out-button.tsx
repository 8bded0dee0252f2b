'use client';
/** Signs this browser out (revokes its session on the server) and shows the sign-in form again. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from '../_lib/api-client.js';
import type { SessionState } from '../_lib/api-types.js';
import { Button } from './button.js';

export function SignOutButton() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => apiRequest<SessionState>('/api/session', { method: 'DELETE' }),
    onSuccess: () => {
      // Nothing read while signed in stays in memory for the next person at this screen.
      queryClient.clear();
      router.refresh();
    },
    onError: (error) => toast.error(`Could not sign out: ${errorMessage(error)}`),
  });
  return (
    <Button variant="ghost" size="small" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
      {signOut.isPending ? 'Signing out…' : 'Sign out'}
    </Button>
  );
}
