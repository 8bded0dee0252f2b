/**
 * Web sessions on real SQLite files: the server secret is created once and shared by a second
 * connection (a second process). The rest of the port is in the contract suite
 * (test/store/contract/web-sessions.contract.test.ts), which every store adapter runs.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database/open-database.js';
import { withTranslatedErrors } from '../../src/store/database/translate-sqlite-error.js';
import { createWebSessionRepository } from '../../src/store/shared/kysely-web-session-repository.js';
import { openTemporaryDatabase } from './store-test-helpers.js';

const nowMs = 1_700_000_000_000;

describe('KyselyWebSessionRepository on SQLite', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const opened = await openTemporaryDatabase();
    cleanups.push(opened.cleanup);
    return { ...opened, sessions: createWebSessionRepository(opened.database.db, withTranslatedErrors) };
  }

  it('creates the server secret once; another connection reads the same one', async () => {
    const { sessions, directory } = await setUp();
    const first = await sessions.serverSecret('web-session-signing', () => 'secret-a', nowMs);
    expect(first).toBe('secret-a');
    expect(await sessions.serverSecret('web-session-signing', () => 'secret-b', nowMs)).toBe('secret-a');
    const other = await openDatabase({ filePath: path.join(directory, 'imagefleet.db') });
    cleanups.push(() => other.close());
    expect(await createWebSessionRepository(other.db, withTranslatedErrors).serverSecret('web-session-signing', () => 'secret-c', nowMs)).toBe('secret-a');
    await sessions.setServerSecret('web-session-signing', 'secret-d', nowMs + 1);
    expect(await sessions.serverSecret('web-session-signing', () => 'secret-e', nowMs)).toBe('secret-d');
  });

  // Storing, touching, revoking and pruning are port behaviour: test/store/contract/web-sessions.contract.test.ts.
});
