/** `CliSessionRepository` through the `Store` port: save/replace, insert-if-absent, newest-first listing, removal. */
import { afterEach, describe, expect, it } from 'vitest';
import type { CliSessionRecord } from '../../../src/engine/ports.js';
import { storeFactoriesWithPostgres, type OpenedStore } from './store-factories.js';

function record(sessionId: string, createdAt: string, changes: Partial<CliSessionRecord> = {}): CliSessionRecord {
  return {
    sessionId,
    jobId: null,
    createdAt,
    workingDirectory: '/work',
    outputDirectory: '/work/out',
    layout: 'flat',
    parentSessionId: null,
    settings: { provider: 'local', rpm: 30, prompts: ['a', 'b'] },
    ...changes,
  };
}

describe.each(storeFactoriesWithPostgres())('store contract: CLI sessions ($name)', (factory) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('saves, replaces, finds, lists newest first and removes records', async () => {
    opened = await factory.open();
    const sessions = opened.store.cliSessions;
    expect(await sessions.listSessions()).toEqual([]);
    expect(await sessions.findSession('20260101-000000-aaaa')).toBeUndefined();

    const older = record('20260101-000000-aaaa', '2026-01-01T00:00:00.000Z');
    const newer = record('20260102-000000-bbbb', '2026-01-02T00:00:00.000Z', { parentSessionId: older.sessionId });
    const sameTime = record('20260102-000000-cccc', '2026-01-02T00:00:00.000Z');
    await sessions.saveSession(older, 1);
    await sessions.saveSession(newer, 2);
    await sessions.saveSession(sameTime, 3);
    expect((await sessions.listSessions()).map((entry) => entry.sessionId)).toEqual([sameTime.sessionId, newer.sessionId, older.sessionId]);
    expect(await sessions.findSession(newer.sessionId)).toEqual(newer);

    const started = { ...older, jobId: 'job-1' };
    await sessions.saveSession(started, 4);
    expect(await sessions.findSession(older.sessionId)).toEqual(started);

    await sessions.removeSession(sameTime.sessionId);
    await sessions.removeSession(sameTime.sessionId);
    expect((await sessions.listSessions()).map((entry) => entry.sessionId)).toEqual([newer.sessionId, older.sessionId]);
  });

  it('inserts if absent: an existing record wins', async () => {
    opened = await factory.open();
    const sessions = opened.store.cliSessions;
    const first = record('20260101-000000-aaaa', '2026-01-01T00:00:00.000Z', { jobId: 'job-1' });
    expect(await sessions.insertSessionIfAbsent(first, 1)).toBe(true);
    expect(await sessions.insertSessionIfAbsent({ ...first, jobId: null }, 2)).toBe(false);
    expect(await sessions.findSession(first.sessionId)).toEqual(first);
  });
});
