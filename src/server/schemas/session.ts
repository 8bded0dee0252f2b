/** The sign-in routes' contract. */
import { z } from 'zod';

export const sessionBodySchema = z
  .strictObject({ token: z.string({ error: 'must be the API token' }).min(1, { error: 'must not be empty' }).max(1000) })
  .meta({ id: 'SignIn', example: { token: '3b8f0c2e9a7d4f61b5c8e2d7a9f0c3b1' } });

export const sessionStateSchema = z
  .object({
    authRequired: z.boolean().describe('Whether this server needs the API token.'),
    signedIn: z.boolean().describe('Whether this request is authenticated (always true when no token is needed).'),
  })
  .meta({ id: 'Session' });

export const sessionsRevokedSchema = z
  .object({
    revokedSessions: z.number().int().min(0).describe('How many live web sessions were revoked (every browser, this one included, must sign in again).'),
  })
  .meta({ id: 'SessionsRevoked', example: { revokedSessions: 2 } });
