/**
 * Sign-in for the web UI: `POST /api/session` checks the API token once, stores a session and sets
 * an http-only, SameSite=Strict cookie with its signed id (never the token); `DELETE` signs this
 * browser out (revokes its session); `GET` says whether a token is needed and whether this request
 * has it. `DELETE /api/sessions` revokes every session (needs the token or a live session).
 */
import { z } from 'zod';
import { ImagefleetError } from '../core/errors.js';
import { apiRoute } from './api-route.js';
import { authRequired, clearedSessionCookieHeader, endWebSession, isAuthenticated, revokeAllWebSessions, startWebSession, tokenMatches } from './auth.js';
import { readJsonBody, readQuery } from './request-input.js';
import { sessionBodySchema } from './schemas/session.js';
import { maxFailedSignIns, serverState, signInWindowMs } from './server-state.js';

/** Largest sign-in body, in bytes: a token is at most a few hundred characters; this public route must not buffer megabytes. */
const maxSessionBodyBytes = 16 * 1024;

export const handleGetSession = apiRoute(
  async ({ request, url, fleet }) => {
    readQuery(url, z.strictObject({}));
    return Response.json({ authRequired: authRequired(fleet.config), signedIn: await isAuthenticated(request, fleet) });
  },
  { access: 'public', name: 'GET /api/session' },
);

export const handleSignIn = apiRoute(
  async ({ request, fleet }) => {
    const { token } = await readJsonBody(request, sessionBodySchema, { maxBytes: maxSessionBodyBytes });
    if (!authRequired(fleet.config)) return Response.json({ authRequired: false, signedIn: true });
    const failures = serverState(fleet).failedSignInsAtMs;
    const nowMs = Date.now();
    while (failures.length > 0 && failures[0]! <= nowMs - signInWindowMs) failures.shift();
    if (failures.length >= maxFailedSignIns) {
      const retryAfterMs = failures[0]! + signInWindowMs - nowMs;
      throw new ImagefleetError('too_many_requests', 'Too many wrong tokens in the last minute; wait a moment and try again.', { retryAfterMs });
    }
    if (!tokenMatches(token, fleet.config)) {
      failures.push(nowMs);
      throw new ImagefleetError('unauthorized', 'That is not this server’s API token (IMAGEFLEET_API_TOKEN).');
    }
    return Response.json({ authRequired: true, signedIn: true }, { headers: { 'set-cookie': await startWebSession(request, fleet) } });
  },
  { access: 'public', name: 'POST /api/session' },
);

export const handleSignOut = apiRoute(
  async ({ request, fleet }) => {
    await readJsonBody(request, z.strictObject({}), { optional: true, maxBytes: maxSessionBodyBytes });
    const cookie = await endWebSession(request, fleet);
    // A bearer client stays authenticated after its (absent) session is ended.
    return Response.json({ authRequired: authRequired(fleet.config), signedIn: !authRequired(fleet.config) }, { headers: { 'set-cookie': cookie } });
  },
  { access: 'public', name: 'DELETE /api/session' },
);

export const handleRevokeAllSessions = apiRoute(
  async ({ request, fleet }) => {
    await readJsonBody(request, z.strictObject({}), { optional: true, maxBytes: maxSessionBodyBytes });
    const revokedSessions = await revokeAllWebSessions(fleet);
    // The caller's own session is among them, so its cookie goes too.
    return Response.json({ revokedSessions }, { headers: { 'set-cookie': clearedSessionCookieHeader(request) } });
  },
  { name: 'DELETE /api/sessions' },
);
