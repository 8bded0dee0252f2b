import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RouteHandler } from '../../src/server/api-route.js';
import { handleDownload } from '../../src/server/download-handler.js';
import { handleEvents } from '../../src/server/events-handler.js';
import { handleCreateGroup, handleDeleteGroup, handleGetGroup, handleListGroups, handlePatchGroup } from '../../src/server/group-handlers.js';
import { handleHealthRoute } from '../../src/server/health-handler.js';
import { handleGetImage, handleGetThumbnail, handlePatchImage, handleRegenerateImage, handleUpscaleImage } from '../../src/server/image-handlers.js';
import { handleJobResults, handleJobStatus, handleSubmitJob, jobActionHandler } from '../../src/server/job-handlers.js';
import { handleOpenApi } from '../../src/server/openapi-handler.js';
import { handleGetQueue, handlePatchQueue } from '../../src/server/queue-handlers.js';
import { handleGetSession, handleSignIn, handleSignOut } from '../../src/server/session-handlers.js';
import { handleUnknownRoute } from '../../src/server/unknown-route.js';
import { handleUpload, handleZipUpload } from '../../src/server/upload-handlers.js';
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

    it('signs a browser in with an http-only cookie that stands for the token, and out again', async () => {
      expect(await expectJson(await call(handleGetSession, apiRequest('/api/session')), 200)).toEqual({ authRequired: true, signedIn: false });
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { token: 'guess' } })), 401, 'unauthorized');
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { password: token } })), 400, 'invalid_input', ['token', 'password']);
      await expectError(await call(handleSignIn, apiRequest('/api/session', { json: { token: 42 } })), 400, 'invalid_input', ['token']);
      const signIn = await call(handleSignIn, apiRequest('/api/session', { json: { token }, headers: { origin } }));
      expect(await expectJson(signIn, 200)).toEqual({ authRequired: true, signedIn: true });
      const cookie = signIn.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^imagefleet_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      expect(cookie).not.toContain(token);
      const session = cookie.split(';')[0]!;
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie: `other=1; ${session}` } }))).status).toBe(200);
      expect((await call(handleGetQueue, apiRequest('/api/queue', { headers: { cookie: 'imagefleet_session=forged' } }))).status).toBe(401);
      const signOut = await call(handleSignOut, apiRequest('/api/session', { method: 'DELETE' }));
      expect(signOut.headers.get('set-cookie')).toMatch(/^imagefleet_session=; .*Max-Age=0/);
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
