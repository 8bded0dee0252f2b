/** Web sign-in sessions on a real store: start, authenticate, idle and expiry on the fleet clock, sign-out, revoke all, a new token. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateWebSession } from '../../src/operations/authenticate-web-session.js';
import { endWebSession } from '../../src/operations/end-web-session.js';
import { revokeWebSessions } from '../../src/operations/revoke-web-sessions.js';
import { startWebSession } from '../../src/operations/start-web-session.js';
import { openOperationHarness, type OperationHarness } from './operation-harness.js';

const apiToken = 'a-long-enough-api-token-for-tests-0123456789';

describe('web sessions', () => {
  let context: OperationHarness;
  let dependencies: Parameters<typeof authenticateWebSession>[1];
  beforeEach(async () => {
    context = await openOperationHarness({ IMAGEFLEET_SESSION_IDLE_MS: String(60 * 60_000) });
    dependencies = { store: context.harness.store, clock: context.clock, config: context.config, logger: context.logger };
  });
  afterEach(() => context.cleanup());

  it('a started session authenticates until it is ended; a forged cookie never does', async () => {
    const started = await startWebSession({ apiToken, userAgent: 'Mozilla/5.0 Firefox/140.0' }, dependencies);
    expect(started.maxAgeSeconds).toBe(Math.floor(context.config.server.sessionTtlMs / 1000));
    const sessionId = await authenticateWebSession({ cookie: started.cookieValue, apiToken }, dependencies);
    expect(sessionId).toBeTypeOf('string');
    expect(await authenticateWebSession({ cookie: `${started.cookieValue}x`, apiToken }, dependencies)).toBeUndefined();
    await endWebSession({ cookie: started.cookieValue, apiToken }, dependencies);
    expect(await authenticateWebSession({ cookie: started.cookieValue, apiToken }, dependencies)).toBeUndefined();
  });

  it('a session idle for longer than the idle limit no longer holds (judged on the fleet clock)', async () => {
    const started = await startWebSession({ apiToken, userAgent: null }, dependencies);
    context.clock.advance(context.config.server.sessionIdleMs + 1);
    expect(await authenticateWebSession({ cookie: started.cookieValue, apiToken }, dependencies)).toBeUndefined();
  });

  it('revoking all sessions signs every browser out and says how many were live', async () => {
    const first = await startWebSession({ apiToken, userAgent: null }, dependencies);
    await startWebSession({ apiToken, userAgent: null }, dependencies);
    expect(await revokeWebSessions({}, dependencies)).toBe(2);
    expect(await authenticateWebSession({ cookie: first.cookieValue, apiToken }, dependencies)).toBeUndefined();
  });

  it('sessions signed under another token do not hold', async () => {
    const started = await startWebSession({ apiToken, userAgent: null }, dependencies);
    expect(await authenticateWebSession({ cookie: started.cookieValue, apiToken: `${apiToken}-new` }, dependencies)).toBeUndefined();
  });
});
