import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/core/logger.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import type { RouteHandler } from '../../src/server/api-route.js';
import { handleDownload } from '../../src/server/download-handler.js';
import { setFleet } from '../../src/server/fleet-holder.js';
import { handleEvents } from '../../src/server/events-handler.js';
import { handleCreateGroup, handleDeleteGroup, handleGetGroup, handleListGroups, handlePatchGroup } from '../../src/server/group-handlers.js';
import { handleHealthRoute } from '../../src/server/health-handler.js';
import { handleGetImage, handleGetThumbnail, handlePatchImage, handleRegenerateImage, handleUpscaleImage } from '../../src/server/image-handlers.js';
import { handleJobResults, handleJobStatus, handleSubmitJob, jobActionHandler } from '../../src/server/job-handlers.js';
import { handleOpenApi } from '../../src/server/openapi-handler.js';
import { handleGetQueue, handlePatchQueue } from '../../src/server/queue-handlers.js';
import { handleGetSession, handleRevokeAllSessions, handleSignIn, handleSignOut } from '../../src/server/session-handlers.js';
import { handleUnknownRoute } from '../../src/server/unknown-route.js';
import { handleUpload, handleZipUpload } from '../../src/server/upload-handlers.js';
import { ManualClock } from '../support/manual-clock.js';
import { apiRequest, call, expectError, expectJson, openApiHarness, origin, type ApiHarness } from './api-harness.js';

const token = 'test-token-0123456789abcdef';

type AnyHandler = RouteHandler<Record<string, string>>;

/** Every token-protected route: handler, method, path, params. */
const protectedRoutes: Array<[AnyHandler, string, string, Record<string, string>?]> = [
  [handleUpload as AnyHandler, 'POST', '/api/uploads'],
  [handleZipUpload as AnyHandler, 'POST', '/api/uploads/zip'],
  [handleSubmitJob as AnyHandler, 'POST', '/api/jobs/submit'],
  [handleJobStatus as AnyHandler, 'GET', '/api/jobs/j/status', { id: 'j' }],
  [handleJobResults as AnyHandler, 'GET', '/api/jobs/j/results', { id: 'j' }],
  ...(['pause', 'resume', 'cancel', 'retry-failed'] as const).map((action): [AnyHandler, string, string, Record<string, string>] => [jobActionHandler(action) as AnyHandler, 'POST', `/api/jobs/j/${action}`, { id: 'j' }]),
  [handleGetQueue as AnyHandler, 'GET', '/api/queue'],
  [handlePatchQueue as AnyHandler, 'PATCH', '/api/queue'],
  [handleListGroups as AnyHandler, 'GET', '/api/groups'],
  [handleCreateGroup as AnyHandler, 'POST', '/api/groups'],
  [handleGetGroup as AnyHandler, 'GET', '/api/groups/g', { id: 'g' }],
  [handlePatchGroup as AnyHandler, 'PATCH', '/api/groups/g', { id: 'g' }],
  [handleDeleteGroup as AnyHandler, 'DELETE', '/api/groups/g', { id: 'g' }],
  [handleGetImage as AnyHandler, 'GET', '/api/images/i', { id: 'i' }],
  [handlePatchImage as AnyHandler, 'PATCH', '/api/images/i', { id: 'i' }],
  [handleGetThumbnail as AnyHandler, 'GET', '/api/images/i/thumb', { id: 'i' }],
  [handleRegenerateImage as AnyHandler, 'POST', '/api/images/i/regenerate', { id: 'i' }],
  [handleUpscaleImage as AnyHandler, 'POST', '/api/images/i/upscale', { id: 'i' }],
  [handleDownload as AnyHandler, 'GET', '/api/download/g', { groupId: 'g' }],
  [handleEvents as AnyHandler, 'GET', '/api/events'],
  [handleRevokeAllSessions as AnyHandler, 'DELETE', '/api/sessions'],
  [handleUnknownRoute as AnyHandler, 'GET', '/api/whatever'],
];

describe('API authentication and cross-origin refusal', () => {
  describe('with IMAGEFLEET_API_TOKEN set', () => {
    let harness: ApiHarness;
    beforeEach(async () => {
      harness = await openApiHarness({ IMAGEFLEET_API_TOKEN: token });
    });
    afterEach(async () => harness.close());

    it.each(protectedRoutes.map(([handler, method, path, params]) => [`${method} ${path}`, handler, method, path, params] as const))(
      '%s answers 401 without the token, and with a wrong one',
      async (_label, handler, method, path, params) => {
        const missing = await expectError(await call(handler, apiRequest(path, { method }), params), 401, 'unauthorized');
        expect(missing.error.message).toContain('Authorization: Bearer');
        const wrong = await call(handler, apiRequest(path, { method, headers: { authorization: `Bearer ${token}x` } }), params);
        expect(wrong.status).toBe(401);
        expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="imagefleet"');
      },
    );

    it('lets a request with the bearer token through', async () => {
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { authorization: `Bearer ${token}` } }))).status).toBe(200);
      expect((await call(handleListGroups, apiRequest('/api/groups', { headers: { authorization: `bearer   ${token}` } }))).status).toBe(200);
      expect((await handleHealthRoute(apiRequest('/api/health'))).status).toBe(401);
      expect((await handleHealthRoute(apiRequest('/api/health', { headers: { authorization: `Bearer ${token}` } }))).status).toBe(200);
    });

    it('signs a browser in with an http-only cookie carrying a signed session id, and out again', async () => {
      expect(await expectJson(await call(handleGetSession, apiRequest('/api/session')), 200)).toEqual({ authRequired: true, signedIn: false });
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { token: 'guess' } })), 401, 'unauthorized');
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { password: token } })), 400, 'invalid_input', ['token', 'password']);
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { token: 42 } })), 400, 'invalid_input', ['token']);
      const signIn = await call(handleSignIn, apiRequest('/api/session', { json: { token }, headers: { origin } }));
      expect(await expectJson(signIn, 200)).toEqual({ authRequired: true, signedIn: true });
      const cookie = signIn.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^imagefleet_session=[\w-]{32}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
      expect(cookie).not.toContain(token);
      const session = cookie.split(';')[0]!;
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie: `other=1; ${session}` } }))).status).toBe(200);
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie: 'imagefleet_session=forged' } }))).status).toBe(401);
      const signOut = await call(handleSignOut, apiRequest('/api/session', { method: 'DELETE', headers: { cookie: session } }));
      expect(signOut.headers.get('set-cookie')).toMatch(/^imagefleet_session=; .*Max-Age=0/);
      // Signing out revoked the row: the same cookie, replayed, no longer works.
      await expectError(await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie: session } })), 401, 'unauthorized');
      expect(await expectJson(await call(handleGetSession, apiRequest('/api/session', { headers: { cookie: session } })), 200)).toEqual({ authRequired: true, signedIn: false });
      const secure = await call(handleSignIn, apiRequest('/api/session', { json: { token }, headers: { 'x-forwarded-proto': 'https' } }));
      expect(secure.headers.get('set-cookie')).toContain('; Secure');
    });

    it('answers 429 after 20 wrong tokens in a minute, even to the right one, while bearer calls still work', async () => {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { token: `guess-${attempt}` } })), 401, 'unauthorized');
      }
      const refused = await call(handleSignIn, apiRequest('/api/session', { json: { token } }));
      const body = await expectError(refused, 429, 'too_many_requests');
      expect(body.error.message).toContain('Too many wrong tokens');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { authorization: `Bearer ${token}` } }))).status).toBe(200);
    });

    it('serves the API description without the token', async () => {
      const response = await call(handleOpenApi, apiRequest('/api/openapi.json'));
      expect(response.status).toBe(200);
      expect((await response.json()) as Record<string, unknown>).toMatchObject({ openapi: '3.1.0' });
    });
  });

  describe('web sessions: signed, expiring, revocable (manual clock)', () => {
    const hourMs = 3_600_000;
    let harness: ApiHarness;
    let clock: ManualClock;
    beforeEach(async () => {
      clock = new ManualClock();
      harness = await openApiHarness({ IMAGEFLEET_API_TOKEN: token }, { clock });
    });
    afterEach(async () => harness.close());

    async function signIn(userAgent = 'Test Browser/1.0'): Promise<string> {
      const response = await call(handleSignIn, apiRequest('/api/session', { json: { token }, headers: { origin, 'user-agent': userAgent } }));
      expect(response.status).toBe(200);
      return response.headers.get('set-cookie')!.split(';')[0]!;
    }
    const queueStatus = async (cookie: string) => (await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie } }))).status;
    const sessionIdOf = (cookie: string) => cookie.slice('imagefleet_session='.length).split('.')[0]!;

    it('gives every sign-in its own cookie and stored session', async () => {
      const first = await signIn('Firefox\t /128');
      const second = await signIn();
      expect(first).not.toBe(second);
      expect(await queueStatus(first)).toBe(200);
      expect(await queueStatus(second)).toBe(200);
      const row = await harness.fleet.store.webSessions.findSession(sessionIdOf(first));
      expect(row).toMatchObject({ createdAtMs: clock.now(), expiresAtMs: clock.now() + 7 * 24 * hourMs, lastSeenAtMs: clock.now(), revokedAtMs: undefined, userAgentNote: 'Firefox /128' });
    });

    it('refuses a tampered cookie with 401', async () => {
      const cookie = await signIn();
      const [id, mac] = cookie.slice('imagefleet_session='.length).split('.') as [string, string];
      const otherId = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
      const otherMac = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
      for (const tampered of [`imagefleet_session=${otherId}.${mac}`, `imagefleet_session=${id}.${otherMac}`, `imagefleet_session=${id}`, 'imagefleet_session=forged']) {
        const refused = await expectError(await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie: tampered } })), 401, 'unauthorized');
        expect(refused.error.message).toContain('sign in again');
      }
      expect(await queueStatus(cookie)).toBe(200);
    });

    it('ends a session after the idle timeout, and writes last-seen at most once a minute', async () => {
      const cookie = await signIn();
      const signedInAtMs = clock.now();
      clock.advance(30_000);
      expect(await queueStatus(cookie)).toBe(200);
      expect((await harness.fleet.store.webSessions.findSession(sessionIdOf(cookie)))?.lastSeenAtMs).toBe(signedInAtMs);
      clock.advance(23 * hourMs);
      expect(await queueStatus(cookie)).toBe(200);
      expect((await harness.fleet.store.webSessions.findSession(sessionIdOf(cookie)))?.lastSeenAtMs).toBe(clock.now());
      clock.advance(24 * hourMs);
      await expectError(await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie } })), 401, 'unauthorized');
    });

    it('ends a session at its absolute lifetime, however active', async () => {
      const cookie = await signIn();
      for (let step = 0; step < 13; step += 1) {
        clock.advance(12 * hourMs);
        expect(await queueStatus(cookie)).toBe(200);
      }
      clock.advance(12 * hourMs - 1);
      expect(await queueStatus(cookie)).toBe(200);
      clock.advance(1);
      await expectError(await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie } })), 401, 'unauthorized');
    });

    it('signs one browser out without touching the others', async () => {
      const first = await signIn();
      const second = await signIn();
      await call(handleSignOut, apiRequest('/api/session', { method: 'DELETE', headers: { cookie: first, origin } }));
      expect(await queueStatus(first)).toBe(401);
      expect(await queueStatus(second)).toBe(200);
    });

    it('revokes every session with DELETE /api/sessions; bearer clients keep working', async () => {
      const first = await signIn();
      const second = await signIn();
      const revoked = await call(handleRevokeAllSessions, apiRequest('/api/sessions', { method: 'DELETE', headers: { cookie: first, origin } }));
      expect(await expectJson(revoked, 200)).toEqual({ revokedSessions: 2 });
      expect(revoked.headers.get('set-cookie')).toMatch(/^imagefleet_session=; .*Max-Age=0/);
      expect(await queueStatus(first)).toBe(401);
      expect(await queueStatus(second)).toBe(401);
      await expectError(await call(handleRevokeAllSessions, apiRequest('/api/sessions', { method: 'DELETE', headers: { cookie: first } })), 401, 'unauthorized');
      const third = await signIn();
      expect(await expectJson(await call(handleRevokeAllSessions, apiRequest('/api/sessions', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })), 200)).toEqual({ revokedSessions: 1 });
      expect(await queueStatus(third)).toBe(401);
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { authorization: `Bearer ${token}` } }))).status).toBe(200);
      await expectError(await call(handleRevokeAllSessions, apiRequest('/api/sessions', { method: 'DELETE', headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } })), 403, 'forbidden');
    });

    it('keeps sessions across a restart with the same token, and ends them all when the token changes', async () => {
      const cookie = await signIn();
      const reopen = async (apiToken: string) => {
        await harness.fleet.stop();
        const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: harness.dataDir, IMAGEFLEET_API_TOKEN: apiToken }, { cwd: harness.directory }), { logger: silentLogger, clock });
        setFleet(fleet);
        harness.fleet = fleet;
      };
      await reopen(token);
      expect(await queueStatus(cookie)).toBe(200);
      await reopen('a-new-token-0123456789abcdef');
      expect(await queueStatus(cookie)).toBe(401);
      await reopen(token);
      // The old token again does not revive the old cookie: the change revoked every session.
      expect(await queueStatus(cookie)).toBe(401);
      expect(await queueStatus(await signIn())).toBe(200);
    });
  });

  describe('cross-origin browser requests', () => {
    let harness: ApiHarness;
    beforeEach(async () => {
      harness = await openApiHarness();
    });
    afterEach(async () => harness.close());

    it.each(protectedRoutes.filter(([, method]) => method !== 'GET').map(([handler, method, path, params]) => [`${method} ${path}`, handler, method, path, params] as const))(
      '%s refuses another Origin and Origin: null with 403',
      async (_label, handler, method, path, params) => {
        await expectError(await call(handler, apiRequest(path, { method, headers: { origin: 'https://evil.example' } }), params), 403, 'forbidden');
        await expectError(await call(handler, apiRequest(path, { method, headers: { origin: 'null' } }), params), 403, 'forbidden');
        await expectError(await call(handler, apiRequest(path, { method, headers: { 'sec-fetch-site': 'cross-site' } }), params), 403, 'forbidden');
      },
    );

    it('allows the same origin, programs without an Origin, and reads from anywhere', async () => {
      expect((await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'A' }, headers: { origin, 'sec-fetch-site': 'same-origin' } }))).status).toBe(201);
      expect((await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'B' } }))).status).toBe(201);
      expect((await call(handleCreateGroup, apiRequest('/api/groups', { json: { name: 'C' }, headers: { origin: 'http://proxy.example', 'x-forwarded-host': 'proxy.example' } }))).status).toBe(201);
      expect((await call(handleListGroups, apiRequest('/api/groups', { headers: { origin: 'https://evil.example' } }))).status).toBe(200);
      // Sign-in changes state too.
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { token: 'x' }, headers: { origin: 'https://evil.example' } })), 403, 'forbidden');
    });

    it('needs no token on a loopback address without one', async () => {
      expect(await expectJson(await call(handleGetSession, apiRequest('/api/session')), 200)).toEqual({ authRequired: false, signedIn: true });
      expect((await call(handleGetQueue, apiRequest('/api/queue'))).status).toBe(200);
    });
  });
});
