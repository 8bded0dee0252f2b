/**
 * Web sessions on real SQLite files: the server secret is created once and shared by a second
 * connection (a second process), revocation marks rows, and pruning deletes only ended ones.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSessionRecord } from '../../src/core/web-session.js';
import { openDatabase } from '../../src/store/database/open-database.js';
import { SqliteWebSessionRepository } from '../../src/store/database/web-session-repository.js';
import { openTemporaryDatabase } from './store-test-helpers.js';

const nowMs = 1_700_000_000_000;
const dayMs = 24 * 3_600_000;

function session(id: string, overrides: Partial<WebSessionRecord> = {}): WebSessionRecord {
  return { id, createdAtMs: nowMs, expiresAtMs: nowMs + 7 * dayMs, lastSeenAtMs: nowMs, revokedAtMs: undefined, userAgentNote: 'Test Browser', ...overrides };
}

describe('SqliteWebSessionRepository', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const opened = await openTemporaryDatabase();
    cleanups.push(opened.cleanup);
    return { ...opened, sessions: new SqliteWebSessionRepository(opened.database.db) };
  }

  it('creates the server secret once; another connection reads the same one', async () => {
    const { sessions, directory } = await setUp();
    const first = await sessions.serverSecret('web-session-signing', () => 'secret-a', nowMs);
    expect(first).toBe('secret-a');
    expect(await sessions.serverSecret('web-session-signing', () => 'secret-b', nowMs)).toBe('secret-a');
    const other = await openDatabase({ filePath: path.join(directory, 'imagefleet.db') });
    cleanups.push(() => other.close());
    expect(await new SqliteWebSessionRepository(other.db).serverSecret('web-session-signing', () => 'secret-c', nowMs)).toBe('secret-a');
    await sessions.setServerSecret('web-session-signing', 'secret-d', nowMs + 1);
    expect(await sessions.serverSecret('web-session-signing', () => 'secret-e', nowMs)).toBe('secret-d');
  });

  it('stores, touches forward only, and revokes one or all sessions', async () => {
    const { sessions } = await setUp();
    await sessions.createSession(session('s1'));
    await sessions.createSession(session('s2'));
    await sessions.createSession(session('s3', { expiresAtMs: nowMs + 1000 }));
    expect(await sessions.findSession('s1')).toEqual(session('s1'));
    expect(await sessions.findSession('missing')).toBeUndefined();
    await sessions.touchSession('s1', nowMs + 5000);
    await sessions.touchSession('s1', nowMs + 2000);
    expect((await sessions.findSession('s1'))?.lastSeenAtMs).toBe(nowMs + 5000);
    expect(await sessions.revokeSession('s1', nowMs + 10)).toBe(true);
    expect(await sessions.revokeSession('s1', nowMs + 20)).toBe(false);
    expect((await sessions.findSession('s1'))?.revokedAtMs).toBe(nowMs + 10);
    // s3 has already expired: it is not counted as a live session revoked.
    expect(await sessions.revokeAllSessions(nowMs + 2000)).toBe(1);
    expect((await sessions.findSession('s2'))?.revokedAtMs).toBe(nowMs + 2000);
  });

  it('prunes revoked, expired and idle sessions and keeps live ones', async () => {
    const { sessions } = await setUp();
    await sessions.createSession(session('live', { lastSeenAtMs: nowMs + dayMs }));
    await sessions.createSession(session('revoked', { revokedAtMs: nowMs }));
    await sessions.createSession(session('expired', { expiresAtMs: nowMs + dayMs }));
    await sessions.createSession(session('idle'));
    const laterMs = nowMs + dayMs + 1;
    expect(await sessions.pruneEndedSessions(laterMs, laterMs - dayMs)).toBe(3);
    expect(await sessions.findSession('live')).toBeDefined();
    expect(await sessions.findSession('idle')).toBeUndefined();
  });
});
