import { afterEach, describe, expect, it } from 'vitest';
import type { WebSessionRecord } from '../../../src/core/web-session.js';
import type { Store } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';

const nowMs = 1_700_000_000_000;
const dayMs = 24 * 3_600_000;

function session(id: string, overrides: Partial<WebSessionRecord> = {}): WebSessionRecord {
  return { id, createdAtMs: nowMs, expiresAtMs: nowMs + 7 * dayMs, lastSeenAtMs: nowMs, revokedAtMs: undefined, userAgentNote: 'Test Browser', ...overrides };
}

describe.each(storeFactoriesWithPostgres())('store contract: web sessions ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  async function openStore(): Promise<Store> {
    opened = await factory.open();
    return opened.store;
  }

  it('creates a server secret once, keeps it, and replaces it only when told to', async () => {
    const { webSessions } = await openStore();
    expect(await webSessions.serverSecret('web-session-signing', () => 'secret-a', nowMs)).toBe('secret-a');
    expect(await webSessions.serverSecret('web-session-signing', () => 'secret-b', nowMs)).toBe('secret-a');
    const [first, second] = await Promise.all([webSessions.serverSecret('other', () => 'x', nowMs), webSessions.serverSecret('other', () => 'y', nowMs)]);
    expect(second).toBe(first);
    await webSessions.setServerSecret('web-session-signing', 'secret-d', nowMs + 1);
    expect(await webSessions.serverSecret('web-session-signing', () => 'secret-e', nowMs)).toBe('secret-d');
    await webSessions.setServerSecret('new-secret', 'secret-f', nowMs);
    expect(await webSessions.serverSecret('new-secret', () => 'secret-g', nowMs)).toBe('secret-f');
  });

  it('stores, touches forward only, and revokes one or all live sessions', async () => {
    const { webSessions } = await openStore();
    await webSessions.createSession(session('s1'));
    await webSessions.createSession(session('s2', { userAgentNote: '' }));
    await webSessions.createSession(session('s3', { expiresAtMs: nowMs + 1000 }));
    expect(await webSessions.findSession('s1')).toEqual(session('s1'));
    expect(await webSessions.findSession('s2')).toEqual(session('s2', { userAgentNote: '' }));
    expect(await webSessions.findSession('missing')).toBeUndefined();
    await webSessions.touchSession('s1', nowMs + 5000);
    await webSessions.touchSession('s1', nowMs + 2000);
    expect((await webSessions.findSession('s1'))?.lastSeenAtMs).toBe(nowMs + 5000);
    expect(await webSessions.revokeSession('s1', nowMs + 10)).toBe(true);
    expect(await webSessions.revokeSession('s1', nowMs + 20)).toBe(false);
    expect(await webSessions.revokeSession('missing', nowMs + 20)).toBe(false);
    expect((await webSessions.findSession('s1'))?.revokedAtMs).toBe(nowMs + 10);
    // s3 has already expired: it is not counted as a live session revoked.
    expect(await webSessions.revokeAllSessions(nowMs + 2000)).toBe(1);
    expect((await webSessions.findSession('s2'))?.revokedAtMs).toBe(nowMs + 2000);
  });

  it('prunes revoked, expired and idle sessions and keeps live ones', async () => {
    const { webSessions } = await openStore();
    await webSessions.createSession(session('live', { lastSeenAtMs: nowMs + dayMs }));
    await webSessions.createSession(session('revoked', { revokedAtMs: nowMs }));
    await webSessions.createSession(session('expired', { expiresAtMs: nowMs + dayMs }));
    await webSessions.createSession(session('idle'));
    const laterMs = nowMs + dayMs + 1;
    expect(await webSessions.pruneEndedSessions(laterMs, laterMs - dayMs)).toBe(3);
    expect(await webSessions.findSession('live')).toBeDefined();
    expect(await webSessions.findSession('idle')).toBeUndefined();
    expect(await webSessions.findSession('revoked')).toBeUndefined();
    expect(await webSessions.findSession('expired')).toBeUndefined();
  });
});
