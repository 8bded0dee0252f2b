/**
 * CLI session records and the reference-link key moved from files in the data directory into the
 * store (issue 16, DESIGN §9): old files are imported on first use, crash-safely and once, also
 * when two processes start on the same data directory at the same moment.
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importLegacySessionRecords, listSessionRecords, readSessionRecord, removeSessionRecord, writeSessionRecord, type SessionRecord } from '../../src/cli/session/session-records.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openReferenceLinks, referenceLinkKeyFile, referenceLinkSecretName } from '../../src/fleet/reference-links.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { cleanEnvironment, runCli } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';

let directory: string;
let dataDir: string;
let cleanup: () => Promise<void>;

/** The records' location for a data directory with the embedded default store. */
const at = (directoryPath: string) => loadConfig({ IMAGEFLEET_DATA_DIR: directoryPath });

beforeEach(async () => {
  ({ directory, cleanup } = await makeTempDir('imagefleet-session-store-'));
  dataDir = path.join(directory, 'data');
  await mkdir(dataDir, { recursive: true });
});
afterEach(async () => {
  await cleanup();
});

function legacyRecord(sessionId: string, created: string, changes: Partial<SessionRecord> = {}): SessionRecord {
  return { version: 1, session_id: sessionId, job_id: null, created, cwd: directory, out: path.join(directory, 'out', sessionId), layout: 'flat', parent_session: null, config: { provider: 'local', rpm: 30 }, ...changes };
}

/** What a data directory of a version before issue 16 holds: a database, record files and a key file. */
async function writeOldDataDirectory(records: SessionRecord[], key: string): Promise<void> {
  const store = await openSqliteStore({ databasePath: path.join(dataDir, 'imagefleet.db') });
  await store.close();
  await mkdir(path.join(dataDir, 'cli-sessions'), { recursive: true });
  for (const record of records) await writeFile(path.join(dataDir, 'cli-sessions', `${record.session_id}.json`), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(path.join(dataDir, 'cli-sessions', 'broken-1.json'), '{ not json');
  await writeFile(path.join(dataDir, referenceLinkKeyFile), `${key}\n`, { mode: 0o600 });
}

const oldKey = 'ab'.repeat(32);
const signedWith = (key: string, sha256: string, expiresAtSeconds: number) => createHmac('sha256', Buffer.from(key, 'hex')).update(`${sha256}.${expiresAtSeconds}`).digest('hex');

describe('CLI session records in the store', () => {
  it('imports old record files on first use, renames them, leaves damaged ones, and does it once', async () => {
    const older = legacyRecord('20260101-000000-aaaa', '2026-01-01T00:00:00.000Z', { job_id: 'job-1' });
    const newer = legacyRecord('20260102-000000-bbbb', '2026-01-02T00:00:00.000Z', { parent_session: older.session_id });
    await writeOldDataDirectory([older, newer], oldKey);

    expect(await listSessionRecords(at(dataDir))).toEqual([newer, older]);
    expect((await readdir(path.join(dataDir, 'cli-sessions'))).sort()).toEqual(['20260101-000000-aaaa.json.migrated', '20260102-000000-bbbb.json.migrated', 'broken-1.json']);
    expect(await readSessionRecord(at(dataDir), older.session_id)).toEqual(older);

    // Later writes live in the store only; nothing is imported again.
    await writeSessionRecord(at(dataDir), { ...newer, job_id: 'job-2' });
    await removeSessionRecord(at(dataDir), older.session_id);
    expect(await listSessionRecords(at(dataDir))).toEqual([{ ...newer, job_id: 'job-2' }]);
    expect(existsSync(path.join(dataDir, 'cli-sessions', `${newer.session_id}.json`))).toBe(false);
  });

  it('survives a crash between inserting a record and renaming its file: the next import only renames', async () => {
    const record = legacyRecord('20260101-000000-aaaa', '2026-01-01T00:00:00.000Z');
    await writeOldDataDirectory([record], oldKey);
    const store = await openSqliteStore({ databasePath: path.join(dataDir, 'imagefleet.db') });
    try {
      // The crashed import had inserted the row (and the user moved on: the session got its job).
      await store.cliSessions.saveSession({ sessionId: record.session_id, jobId: 'job-9', createdAt: record.created, workingDirectory: record.cwd, outputDirectory: record.out, layout: record.layout, parentSessionId: null, settings: record.config }, 1);
      expect(await importLegacySessionRecords(dataDir, store.cliSessions)).toBe(0);
      expect(await importLegacySessionRecords(dataDir, store.cliSessions)).toBe(0);
      expect((await store.cliSessions.findSession(record.session_id))?.jobId).toBe('job-9');
      expect(await readdir(path.join(dataDir, 'cli-sessions'))).toContain(`${record.session_id}.json.migrated`);
    } finally {
      await store.close();
    }
  });

  it('reads from a data directory with no database without creating anything', async () => {
    const empty = path.join(directory, 'never-used');
    expect(await listSessionRecords(at(empty))).toEqual([]);
    expect(await readSessionRecord(at(empty), '20260101-000000-aaaa')).toBeUndefined();
    expect(existsSync(empty)).toBe(false);
  });
});

describe('the reference-link signing key in the store', () => {
  let stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of stores) await store.close();
    stores = [];
  });
  const openStore = async () => {
    const store = await openSqliteStore({ databasePath: path.join(dataDir, 'imagefleet.db') });
    stores.push(store);
    return store;
  };

  it('takes over an old key file, so links signed before the upgrade still verify', async () => {
    await writeOldDataDirectory([], oldKey);
    const store = await openStore();
    const links = await openReferenceLinks(dataDir, 'https://imagefleet.example.com', store.webSessions, 1_000);
    const sha256 = 'c'.repeat(64);
    const expiresAtSeconds = Math.ceil(Date.now() / 1000) + 600;
    expect(links.verify(sha256, expiresAtSeconds, signedWith(oldKey, sha256, expiresAtSeconds), Date.now())).toBe(true);
    expect(await store.webSessions.serverSecret(referenceLinkSecretName, () => 'other', 2_000)).toBe(oldKey);
    expect(existsSync(path.join(dataDir, referenceLinkKeyFile))).toBe(false);
    expect(existsSync(path.join(dataDir, `${referenceLinkKeyFile}.migrated`))).toBe(true);
  });

  it('creates one key on first use when two connections race for it', async () => {
    const [first, second] = [await openStore(), await openStore()];
    const [left, right] = await Promise.all([openReferenceLinks(dataDir, 'https://a.example', first.webSessions), openReferenceLinks(dataDir, 'https://b.example', second.webSessions)]);
    const sha256 = 'd'.repeat(64);
    const link = new URL(left.urlFor(sha256, 60_000, Date.now())!);
    expect(right.verify(sha256, Number(link.searchParams.get('expires')), link.searchParams.get('signature')!, Date.now())).toBe(true);
    expect(existsSync(path.join(dataDir, referenceLinkKeyFile))).toBe(false);
  });
});

describe('two processes starting on an old data directory at once', () => {
  it('import every record once and keep the old key', async () => {
    const records = Array.from({ length: 6 }, (_unused, index) => legacyRecord(`2026010${index}-000000-race`, `2026-01-0${index + 1}T00:00:00.000Z`));
    await writeOldDataDirectory(records, oldKey);
    const environment = cleanEnvironment({ IMAGEFLEET_DATA_DIR: dataDir });
    const runs = await Promise.all([runCli(['sessions', '--json'], { env: environment, timeoutMs: 60_000 }), runCli(['sessions', '--json'], { env: environment, timeoutMs: 60_000 })]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      const listed = JSON.parse(run.stdout) as Array<{ session_id: string; status: string }>;
      expect(listed.map((entry) => entry.session_id)).toEqual([...records].reverse().map((record) => record.session_id));
      expect(new Set(listed.map((entry) => entry.status))).toEqual(new Set(['never_started']));
    }
    const names = await readdir(path.join(dataDir, 'cli-sessions'));
    expect(names.filter((name) => name.endsWith('.json'))).toEqual(['broken-1.json']);
    expect(names.filter((name) => name.endsWith('.migrated'))).toHaveLength(records.length);
    const store = await openSqliteStore({ databasePath: path.join(dataDir, 'imagefleet.db') });
    try {
      expect(await store.cliSessions.listSessions()).toHaveLength(records.length);
      expect(await store.webSessions.serverSecret(referenceLinkSecretName, () => 'other', 1)).toBe(oldKey);
    } finally {
      await store.close();
    }
  }, 90_000);
});
